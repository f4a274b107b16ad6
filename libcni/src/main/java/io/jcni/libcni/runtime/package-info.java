/**
 * The runtime-facing façade over jcni's libcni, in the spirit of containerd's go-cni: what a Java container
 * runtime or sandbox embeds to keep a configuration directory loaded (and reloaded), attach a sandbox to one or
 * several networks, tear it down best-effort, garbage-collect stale attachments at start-up and ask networks for
 * their status.
 *
 * <p>Start with {@link io.jcni.libcni.runtime.CniRuntime}. Everything here is thread-safe; operations on one
 * container are serialised (the CNI specification forbids parallel ones), operations on different containers run
 * in parallel.
 */
package io.jcni.libcni.runtime;
