/**
 * The Linux substrate of the in-process plugins: network namespaces ({@link io.jcni.plugins.internal.linux.NetNs}),
 * rtnetlink over JNA sockets ({@link io.jcni.plugins.internal.linux.RtNetlink}) and per-namespace sysctls
 * ({@link io.jcni.plugins.internal.linux.Sysctl}).
 *
 * <p>Rules this package keeps (see DESIGN.md, "Linux substrate rules"):
 * <ul>
 *   <li>Kernel work goes through rtnetlink, never through {@code ip}/{@code bridge}/{@code sysctl} processes.
 *   <li>A namespace is entered only on a fresh platform thread that switches back in {@code finally} and then
 *       ends; virtual threads are refused. Sockets and {@code /proc/sys/net} directories are opened inside once
 *       and then used from any thread.
 *   <li>Every kernel refusal is an {@link io.jcni.plugins.internal.linux.ErrnoException} (netlink ones a
 *       {@link io.jcni.plugins.internal.linux.NetlinkException} with the extended-ack text) naming the operation.
 * </ul>
 *
 * <p>Package-private: the JNA binding {@code LibC}, the ABI numbers {@code Kernel}, the wire format
 * {@code NetlinkCodec} and the socket {@code NetlinkSocket}.
 */
package io.jcni.plugins.internal.linux;
