/**
 * CNI specification versions: parsing and comparison ({@link io.jcni.libcni.version.Version}), the known versions
 * ({@link io.jcni.libcni.version.Versions}) and the VERSION command's answer ({@link
 * io.jcni.libcni.version.PluginInfo}).
 */
package io.jcni.libcni.version;
