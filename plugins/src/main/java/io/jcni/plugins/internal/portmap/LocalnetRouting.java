package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import java.io.IOException;
import java.net.InetAddress;

/**
 * {@code route_localnet} on the host interface that routes to a container: with it the kernel lets packets from
 * 127/8 cross to another interface, so a connection to {@code 127.0.0.1:hostPort} can reach the container (it is
 * then masqueraded).
 */
final class LocalnetRouting {
  private LocalnetRouting() {}

  /** Sets route_localnet on the interface of {@code host}'s route to {@code container}; nothing without a route. */
  static void enable(NetNs host, InetAddress container) throws CniException {
    String ifName;
    try (RtNetlink nl = host == null ? RtNetlink.openCurrent() : RtNetlink.open(host)) {
      int oif = nl.routeGetOif(container);
      if (oif == 0) {
        return;
      }
      ifName = nl.link(oif).name();
    } catch (IOException e) {
      return; // Go gives up quietly when it cannot find the interface
    }
    try {
      if (host == null) {
        try (NetNs self = NetNs.current(); Sysctl s = Sysctl.openHere(self)) {
          s.write("net/ipv4/conf/" + ifName + "/route_localnet", "1");
        }
      } else {
        Sysctl.write(host, "net/ipv4/conf/" + ifName + "/route_localnet", "1");
      }
    } catch (IOException e) {
      throw new CniException(ErrorCode.INTERNAL, "unable to enable route_localnet: " + e.getMessage(), "", e);
    }
  }
}
