package io.jcni.plugins.internal.linux;

import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A route to add or delete: destination, optional gateway and device, and where it goes.
 *
 * @param dst the destination network (host bits must be clear); {@code 0.0.0.0/0} or {@code ::/0} for default
 * @param gateway the next hop, or null for a directly connected destination
 * @param oif the output ifindex, or 0 to let the kernel pick it from the gateway
 * @param scope {@link #SCOPE_UNIVERSE} (what Go's netlink uses unless told otherwise), {@link #SCOPE_LINK}, …
 * @param table the routing table, {@link #TABLE_MAIN} by default
 * @param priority the metric, 0 for the kernel default
 * @param mtu {@code RTAX_MTU}, 0 for none
 * @param advmss {@code RTAX_ADVMSS}, 0 for none
 */
public record Route(IpNet dst, InetAddress gateway, int oif, int scope, int table, int priority, int mtu,
    int advmss) {
  public static final int SCOPE_UNIVERSE = 0;
  public static final int SCOPE_SITE = 200;
  public static final int SCOPE_LINK = 253;
  public static final int SCOPE_HOST = 254;
  public static final int TABLE_MAIN = Kernel.RT_TABLE_MAIN;
  public static final int TABLE_LOCAL = 255;

  public Route {
    Objects.requireNonNull(dst, "dst");
    if (gateway != null && (gateway.getAddress().length == 4) != (dst.isIpv4())) {
      throw new IllegalArgumentException("gateway " + gateway.getHostAddress() + " is not in the family of " + dst);
    }
    if (table <= 0) {
      throw new IllegalArgumentException("invalid routing table " + table);
    }
  }

  /** A route to {@code dst} via {@code gateway} (null for none) out of {@code oif} (0 for any) in the main table. */
  public static Route of(IpNet dst, InetAddress gateway, int oif) {
    return new Route(dst, gateway, oif, SCOPE_UNIVERSE, TABLE_MAIN, 0, 0, 0);
  }

  public Route withScope(int s) {
    return new Route(dst, gateway, oif, s, table, priority, mtu, advmss);
  }

  public Route withTable(int t) {
    return new Route(dst, gateway, oif, scope, t, priority, mtu, advmss);
  }

  public Route withPriority(int p) {
    return new Route(dst, gateway, oif, scope, table, p, mtu, advmss);
  }

  public Route withMtu(int m) {
    return new Route(dst, gateway, oif, scope, table, priority, m, advmss);
  }

  public Route withAdvmss(int a) {
    return new Route(dst, gateway, oif, scope, table, priority, mtu, a);
  }
}
