package io.jcni.plugins.internal.attach;

import static io.jcni.plugins.internal.attach.Failures.internal;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Route;
import io.jcni.plugins.internal.linux.Address;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.RouteEntry;
import io.jcni.plugins.internal.linux.RtNetlink;
import java.io.IOException;
import java.util.List;

/** CHECK of a container's layer 3 against a prevResult: its addresses and routes are in the kernel, with Go's texts. */
public final class ExpectedState {
  private ExpectedState() {}

  /**
   * Go's {@code ip.ValidateExpectedInterfaceIPs}: each address is on {@code cont}, and a route to its network
   * exists.
   */
  public static void addresses(RtNetlink links, Link cont, String ifName, List<IpConfig> ips)
      throws CniException, IOException {
    for (IpConfig ipc : ips) {
      IpNet want = ipc.address();
      List<Address> have = links.addresses(cont.index(), Family.ANY);
      boolean match = have.stream().anyMatch(a -> a.prefix().toString().equals(want.toString()));
      if (!match) {
        throw internal("Failed to match addr " + want + " on interface " + ifName);
      }
      IpNet prefix = want.network();
      List<RouteEntry> routes = links.routes(family(want), io.jcni.plugins.internal.linux.Route.TABLE_MAIN);
      boolean found = routes.stream().anyMatch(r -> prefix.toString().equals(r.dst().toString()));
      if (!found) {
        throw internal("Failed to find Gateway " + (ipc.gateway() == null ? "<nil>" : Ips.format(ipc.gateway()))
            + " for interface " + ifName);
      }
    }
  }

  /** Go's {@code ip.ValidateExpectedRoute}: each route is in the main table (a default route by destination only). */
  public static void routes(RtNetlink links, List<Route> routes) throws CniException, IOException {
    for (Route r : routes) {
      boolean isDefault = r.dst().prefixLength() == 0;
      List<RouteEntry> have = links.routes(family(r.dst()), io.jcni.plugins.internal.linux.Route.TABLE_MAIN);
      boolean found = have.stream().anyMatch(e -> {
        if (!r.dst().network().toString().equals(e.dst().toString())) {
          return false;
        }
        // Go filters a default route by destination only
        return isDefault || r.gw() == null || r.gw().equals(e.gateway());
      });
      if (!found) {
        throw internal("Expected Route {Dst:" + r.dst() + " GW:" + (r.gw() == null ? "<nil>" : Ips.format(r.gw()))
            + "} not found in routing table");
      }
    }
  }

  private static Family family(IpNet n) {
    return n.isIpv4() ? Family.IPV4 : Family.IPV6;
  }
}
