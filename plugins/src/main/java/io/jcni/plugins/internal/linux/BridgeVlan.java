package io.jcni.plugins.internal.linux;

/**
 * One VLAN on a bridge port or on the bridge itself ({@code IFLA_BRIDGE_VLAN_INFO}), as {@code bridge vlan show}
 * lists it.
 *
 * @param vid the VLAN id, 1–4094
 * @param pvid whether untagged ingress frames are assigned to this VLAN
 * @param untagged whether egress frames of this VLAN leave untagged
 */
public record BridgeVlan(int vid, boolean pvid, boolean untagged) {}
