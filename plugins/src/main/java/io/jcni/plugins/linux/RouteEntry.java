package io.jcni.plugins.linux;

import java.net.InetAddress;

/**
 * A route as the kernel lists it ({@code RTM_NEWROUTE} from a dump).
 *
 * @param family IPv4 or IPv6
 * @param dst the destination ({@code 0.0.0.0/0} or {@code ::/0} for a default route)
 * @param gateway the next hop, or null (also for multipath routes, whose next hops are not decoded)
 * @param oif the output ifindex, or 0
 * @param scope the scope ({@link Route#SCOPE_UNIVERSE}, {@link Route#SCOPE_LINK}, …)
 * @param table the routing table
 * @param priority the metric
 * @param mtu {@code RTAX_MTU} or 0
 * @param advmss {@code RTAX_ADVMSS} or 0
 * @param protocol who installed it ({@code RTPROT_*}: 2 kernel, 3 boot, 4 static, …)
 * @param type the route type ({@code RTN_*}: 1 unicast, 2 local, …)
 */
public record RouteEntry(Family family, Prefix dst, InetAddress gateway, int oif, int scope, int table,
    int priority, int mtu, int advmss, int protocol, int type) {}
