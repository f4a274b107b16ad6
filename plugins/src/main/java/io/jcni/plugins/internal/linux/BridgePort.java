package io.jcni.plugins.internal.linux;

/**
 * A link's settings as a bridge port ({@code IFLA_PROTINFO} under {@code AF_BRIDGE}).
 *
 * @param index the port's ifindex
 * @param masterIndex the bridge's ifindex
 * @param hairpin {@code IFLA_BRPORT_MODE}: frames may go back out of the port they came in on
 * @param isolated {@code IFLA_BRPORT_ISOLATED}: the port cannot talk to other isolated ports
 * @param state the STP port state ({@code BR_STATE_*}: 0 disabled … 3 forwarding, 4 blocking)
 */
public record BridgePort(int index, int masterIndex, boolean hairpin, boolean isolated, int state) {}
