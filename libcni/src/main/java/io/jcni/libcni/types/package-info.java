/**
 * CNI value types: results in every specification shape ({@link io.jcni.libcni.types.Result} with {@link
 * io.jcni.libcni.types.Result020}, {@link io.jcni.libcni.types.Result040}, {@link io.jcni.libcni.types.Result100})
 * and their conversions, IP text ({@link io.jcni.libcni.internal.types.Ips}, {@link io.jcni.libcni.types.IpNet}), {@code
 * CNI_ARGS} ({@link io.jcni.libcni.types.CniArgs}), errors ({@link io.jcni.libcni.types.CniException}), and JSON
 * written and read exactly as Go's {@code encoding/json} does ({@link io.jcni.libcni.internal.json.GoJson}, {@link
 * io.jcni.libcni.internal.json.JsonFields}).
 */
package io.jcni.libcni.types;
