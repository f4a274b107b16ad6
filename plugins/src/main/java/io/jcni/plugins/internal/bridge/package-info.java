/**
 * The CNI {@code bridge} plugin in process ({@link io.jcni.plugins.internal.bridge.BridgePlugin}), with its configuration
 * ({@link io.jcni.plugins.internal.bridge.BridgeConf}, {@link io.jcni.plugins.internal.bridge.VlanTrunk}).
 *
 * <p>It follows current upstream (containernetworking/plugins v1.9) step by step and message by message, and
 * leaves the same kernel, firewall and IPAM-store state as the Go binary, so either can check and delete the
 * other's attachments. Where it is deliberately better than Go:
 * <ul>
 *   <li>a failed ADD undoes its own work (veth, IPAM reservation, spoof-check and masquerade rules; Go leaks the
 *       veth, plugins#29); the bridge, its gateway addresses and forwarding are shared and stay, as in Go;
 *   <li>a DEL without CNI_NETNS, or after the namespace is gone, still removes the masquerade and spoof-check
 *       rules, using the prevResult addresses (plugins#810);
 *   <li>configuration mistakes (bridge name, MAC, ipMasqBackend, CNI_NETNS) are refused before anything is made;
 *       a name taken by a non-bridge link is not switched to promiscuous mode on the way;
 *   <li>CHECK of a layer-2 attachment does not call a missing IPAM plugin.
 * </ul>
 *
 * <p>One ADD opens one rtnetlink socket and one sysctl tree per namespace (host and container) and then works
 * through them from the calling thread; the ADD steps live in package-private classes named after what they
 * handle: {@code BridgeDevice}, {@code Veth}, {@code VlanGateway}, {@code Gateways}, {@code PortState}, with what
 * the veth plugins share (namespaces, container addressing, undo steps) in {@code io.jcni.plugins.internal.attach}.
 */
package io.jcni.plugins.internal.bridge;
