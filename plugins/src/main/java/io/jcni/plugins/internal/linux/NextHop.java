package io.jcni.plugins.internal.linux;

import java.net.InetAddress;

/**
 * One next hop of a multipath (ECMP) route ({@code struct rtnexthop} in {@code RTA_MULTIPATH}).
 *
 * @param gateway the next hop's gateway, or null
 * @param oif the next hop's output ifindex
 */
public record NextHop(InetAddress gateway, int oif) {}
