package io.jcni.plugins.internal.linux;

import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;
import java.util.List;

/**
 * A route as the kernel lists it ({@code RTM_NEWROUTE} from a dump).
 *
 * @param family IPv4 or IPv6
 * @param dst the destination ({@code 0.0.0.0/0} or {@code ::/0} for a default route)
 * @param gateway the next hop, or null (for a multipath route see {@code nextHops})
 * @param oif the output ifindex, or 0
 * @param scope the scope ({@link Route#SCOPE_UNIVERSE}, {@link Route#SCOPE_LINK}, …)
 * @param table the routing table
 * @param priority the metric
 * @param mtu {@code RTAX_MTU} or 0
 * @param advmss {@code RTAX_ADVMSS} or 0
 * @param protocol who installed it ({@code RTPROT_*}: 2 kernel, 3 boot, 4 static, …)
 * @param type the route type ({@code RTN_*}: 1 unicast, 2 local, …)
 * @param nextHops the next hops of a multipath route ({@code RTA_MULTIPATH}), empty for a single-path route
 */
public record RouteEntry(Family family, IpNet dst, InetAddress gateway, int oif, int scope, int table,
    int priority, int mtu, int advmss, int protocol, int type, List<NextHop> nextHops) {
  public RouteEntry {
    nextHops = List.copyOf(nextHops);
  }

  /** Whether {@code gw} is this route's gateway or the gateway of one of its next hops. */
  public boolean hasGateway(InetAddress gw) {
    return gw.equals(gateway) || nextHops.stream().anyMatch(h -> gw.equals(h.gateway()));
  }
}
