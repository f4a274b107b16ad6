/**
 * CNI value types: results in every specification shape ({@link io.jcni.libcni.types.Result} with {@link
 * io.jcni.libcni.types.Result020}, {@link io.jcni.libcni.types.Result040}, {@link io.jcni.libcni.types.Result100})
 * and their conversions, addresses ({@link io.jcni.libcni.types.IpNet}), {@code CNI_ARGS} ({@link
 * io.jcni.libcni.types.CniArgs}) and errors ({@link io.jcni.libcni.types.CniException}). Results are read and
 * written exactly as Go's {@code encoding/json} does.
 */
package io.jcni.libcni.types;
