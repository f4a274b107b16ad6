package io.jcni.plugins.internal.attach;

import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.q;
import static io.jcni.plugins.internal.attach.Failures.v;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.Route;
import io.jcni.plugins.internal.linux.Address;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.OperState;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * Layer 3 inside the container (Go's {@code ipam.ConfigureIface}): IPv6 enabled where needed,
 * the result's addresses on the interface, the link up, IPv6 DAD settled, then the result's routes.
 */
public final class ContainerAddressing {
  private static final long DAD_SETTLE_MS = 5_000;
  private static final long SETTLE_INTERVAL_MS = 50;

  private ContainerAddressing() {}

  /**
   * Configures the container end {@code ifName}, whose ifindex {@code ifIndex} the caller knows from creating it
   * (so no lookup request is needed here).
   */
  public static void configure(
      RtNetlink cont, Sysctl contNs, String ifName, int ifIndex, List<Interface> interfaces,
      List<IpConfig> ips, List<Route> routes) throws CniException {

    InetAddress v4gw = null;
    InetAddress v6gw = null;
    boolean ipv6Enabled = false;
    for (IpConfig ipc : ips) {
      if (ipc.interfaceIndex() == null) {
        continue;
      }
      int idx = ipc.interfaceIndex();
      if (idx < 0 || idx >= interfaces.size() || !interfaces.get(idx).name().equals(ifName)) {
        throw internal("failed to add IP addr " + describe(ipc) + " to " + q(ifName) + ": invalid interface index");
      }
      if (!ipv6Enabled && !ipc.address().isIpv4()) {
        enableIpv6(contNs, ifName);
        ipv6Enabled = true;
      }
      try {
        cont.addAddress(ifIndex, ipc.address(), Set.of());
      } catch (IOException e) {
        throw internal("failed to add IP addr " + describe(ipc) + " to " + q(ifName) + ": " + v(e), e);
      }
      InetAddress gw = ipc.gateway();
      boolean gwIsV4 = gw instanceof Inet4Address;
      if (gwIsV4 && v4gw == null) {
        v4gw = gw;
      } else if (!gwIsV4 && v6gw == null) {
        v6gw = gw;
      }
    }
    try {
      cont.setUp(ifName);
    } catch (IOException e) {
      throw internal("failed to set " + q(ifName) + " UP: " + v(e), e);
    }
    if (v6gw != null) {
      settle(cont, ifIndex, ifName);
    }
    for (Route r : routes) {
      boolean v4 = r.dst().isIpv4();
      InetAddress gw = r.gw() != null ? r.gw() : v4 ? v4gw : v6gw;
      try {
        cont.addRouteEcmp(new io.jcni.plugins.internal.linux.Route(r.dst(), gw,
            ifIndex, r.scope() == null ? io.jcni.plugins.internal.linux.Route.SCOPE_UNIVERSE : r.scope(),
            r.table() == null ? io.jcni.plugins.internal.linux.Route.TABLE_MAIN : r.table(),
            r.priority() == null ? 0 : r.priority(), 0, 0));
      } catch (IOException | IllegalArgumentException e) {
        throw internal(
            "failed to add route '" + r.dst() + " via " + (gw == null ? "<nil>" : Ips.format(gw)) + " dev " + ifName
                + " metric " + (r.priority() == null ? 0 : r.priority()) + " (Scope: "
                + scopeName(r.scope()) + ", Table: " + (r.table() == null ? 0 : r.table())
                + ")': " + v(e),
            e);
      }
    }
  }

  /**
   * The bridge plugin's settings before addressing: IPv6 DAD on (enhanced) or off, and gratuitous ARP on address
   * changes; missing keys (no IPv6) are fine.
   */
  public static void dadAndArpNotify(Sysctl contNs, String ifName, boolean enableDad) {
    if (enableDad) {
      quietSysctl(contNs, "net/ipv6/conf/" + ifName + "/enhanced_dad", "1");
      quietSysctl(contNs, "net/ipv6/conf/" + ifName + "/accept_dad", "1");
    } else {
      quietSysctl(contNs, "net/ipv6/conf/" + ifName + "/accept_dad", "0");
    }
    quietSysctl(contNs, "net/ipv4/conf/" + ifName + "/arp_notify", "1");
  }

  /** Go's name of a route scope ({@code netlink.Scope.String()}). */
  private static String scopeName(Integer scope) {
    int s = scope == null ? 0 : scope;
    return switch (s) {
      case 0 -> "universe";
      case 200 -> "site";
      case 253 -> "link";
      case 254 -> "host";
      case 255 -> "nowhere";
      default -> "unknown";
    };
  }

  /** Go's {@code %v} of an IPConfig, as its error texts print it. */
  private static String describe(IpConfig ipc) {
    return "{" + ipc.address() + " " + (ipc.gateway() == null ? "<nil>" : Ips.format(ipc.gateway())) + "}";
  }

  /** Before the first IPv6 address: IPv6 on for {@code lo} and the interface, and addresses kept while down. */
  private static void enableIpv6(Sysctl contNs, String ifName) throws CniException {
    for (String iface : new String[] {"lo", ifName}) {
      String key = "net/ipv6/conf/" + iface + "/disable_ipv6";
      String value;
      try {
        value = contNs.read(key).trim();
      } catch (IOException e) {
        continue;
      }
      if (value.equals("0")) {
        continue;
      }
      try {
        contNs.write(key, "0");
      } catch (IOException e) {
        throw internal(
            "failed to enable IPv6 for interface " + q(iface) + " (" + key + "=" + value + "): " + v(e), e);
      }
    }
    String keep = "net/ipv6/conf/" + ifName + "/keep_addr_on_down";
    try {
      contNs.write(keep, "1");
    } catch (IOException e) {
      throw internal("failed to enable keep_addr_on_down for interface " + q(ifName) + ": " + v(e), e);
    }
  }

  /**
   * Waits up to 5 s for IPv6 duplicate address detection on the link {@code index} ({@code ifName}) of {@code cont}
   * to finish, as Go's {@code ip.SettleAddresses}; a failed DAD is an error.
   */
  public static void settle(RtNetlink cont, int index, String ifName) throws CniException {
    long deadline = System.nanoTime() + DAD_SETTLE_MS * 1_000_000;
    String prefix = "failed to settle addresses for " + q(ifName) + ": ";
    while (true) {
      List<Address> addrs;
      try {
        addrs = cont.addresses(index, Family.IPV6);
      } catch (IOException e) {
        throw internal(prefix + "could not list addresses: " + v(e), e);
      }
      boolean tentative = false;
      for (Address a : addrs) {
        if (a.dadFailed()) {
          throw internal(prefix + "link " + ifName + " has address " + Ips.format(a.prefix().ip()) + " in DADFAILED state");
        }
        tentative |= a.tentative();
      }
      if (!tentative) {
        return;
      }
      if (System.nanoTime() > deadline) {
        try {
          if (cont.link(index).operState() == OperState.UP) {
            throw internal(prefix + "link " + ifName + " still has tentative addresses after 5 seconds");
          }
        } catch (IOException e) {
          throw internal(prefix + "failed to retrieve link: " + v(e), e);
        }
        return;
      }
      try {
        Thread.sleep(SETTLE_INTERVAL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw internal(prefix + "interrupted");
      }
    }
  }

  private static void quietSysctl(Sysctl ns, String key, String value) {
    try {
      ns.write(key, value);
    } catch (IOException | RuntimeException e) {
      // as in Go: a missing key (no IPv6) is fine
    }
  }
}
