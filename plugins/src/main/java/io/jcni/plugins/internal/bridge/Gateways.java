package io.jcni.plugins.internal.bridge;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Route;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway plan of an ADD (Go's {@code calcGateways}): the IPAM addresses tied to the container interface with
 * their gateways filled in, the routes with a default route added per family where asked, and the gateway
 * addresses (gateway IP with the container address's prefix) the bridge must carry, per family.
 *
 * @param ips every IPAM address, now with {@code interface: 2} and, for a gateway network, a gateway
 * @param routes the IPAM routes, then one default route per family when {@code isDefaultGateway} and IPAM gave
 *     none with a gateway
 * @param v4Gateways IPv4 gateway addresses for the bridge, in address order (empty unless isGateway)
 * @param v6Gateways IPv6 gateway addresses for the bridge
 */
record Gateways(List<IpConfig> ips, List<Route> routes, List<IpNet> v4Gateways, List<IpNet> v6Gateways) {

  /** Index of the container interface in the result: bridge, host veth, container veth. */
  static final int CONTAINER_INTERFACE = 2;

  private static final IpNet V4_DEFAULT = new IpNet(Ips.fromBytes(new byte[4]), 0);
  private static final IpNet V6_DEFAULT = new IpNet(Ips.fromBytes(new byte[16]), 0);

  Gateways {
    ips = List.copyOf(ips);
    routes = List.copyOf(routes);
    v4Gateways = List.copyOf(v4Gateways);
    v6Gateways = List.copyOf(v6Gateways);
  }

  /** Computes the plan from what IPAM returned and the two gateway flags of the configuration. */
  static Gateways calc(List<IpConfig> ipamIps, List<Route> ipamRoutes, boolean isGateway, boolean isDefaultGateway) {
    List<IpConfig> ips = new ArrayList<>();
    List<Route> routes = new ArrayList<>(ipamRoutes);
    List<IpNet> v4 = new ArrayList<>();
    List<IpNet> v6 = new ArrayList<>();
    boolean[] defaultFound = new boolean[2];
    for (IpConfig ipc : ipamIps) {
      boolean isV4 = ipc.address().isIpv4();
      int fam = isV4 ? 0 : 1;
      InetAddress gw = ipc.gateway();
      if (gw == null && isGateway) {
        gw = firstHost(ipc.address());
      }
      ips.add(new IpConfig(CONTAINER_INTERFACE, ipc.address(), gw));
      if (isDefaultGateway && !defaultFound[fam]) {
        IpNet def = isV4 ? V4_DEFAULT : V6_DEFAULT;
        // Only a default route that names a gateway counts; a bare {"dst":"0.0.0.0/0"} still gets ours (cni#629).
        defaultFound[fam] = routes.stream().anyMatch(r -> r.gw() != null && def.toString().equals(r.dst().toString()));
        if (!defaultFound[fam]) {
          routes.add(Route.of(def, gw));
          defaultFound[fam] = true;
        }
      }
      if (isGateway) {
        (isV4 ? v4 : v6).add(new IpNet(gw, ipc.address().prefixLength()));
      }
    }
    return new Gateways(ips, routes, v4, v6);
  }

  /** The gateway Go picks when IPAM gives none: the network address plus one. */
  static InetAddress firstHost(IpNet addr) {
    return Ips.next(addr.network().ip());
  }
}
