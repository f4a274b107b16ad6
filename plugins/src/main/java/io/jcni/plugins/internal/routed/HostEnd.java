package io.jcni.plugins.internal.routed;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Calico's routed scheme for the host end of a pod's veth: a name from a hash of the workload, the fixed MAC
 * {@code ee:ee:ee:ee:ee:ee} and no address. The pod reaches everything through the gateway {@code 169.254.1.1}
 * (IPv4), which the host end answers by proxy ARP, and through the host end's own link-local address (IPv6), which
 * that MAC makes {@code fe80::ecee:eeff:feee:eeee}; the host reaches the pod by a route per pod address.
 */
public final class HostEnd {
  /** The host end's name prefix when the configuration sets no {@code vethPrefix}: Calico's. */
  public static final String DEFAULT_PREFIX = "cali";
  static final String MAC = "ee:ee:ee:ee:ee:ee";
  static final InetAddress GATEWAY_V4 = Ips.tryParse("169.254.1.1");
  /** The EUI-64 link-local address of {@link #MAC}, which the kernel gives the host end. */
  static final InetAddress GATEWAY_V6 = Ips.tryParse("fe80::ecee:eeff:feee:eeee");
  static final IpNet GATEWAY_V4_HOST = new IpNet(GATEWAY_V4, 32);
  private static final int IFNAMSIZ = 15;

  private HostEnd() {}

  /**
   * The host end's name: {@code prefix} plus the first hex digits of sha1(containerId + "." + ifName), as many as
   * fit in 15 bytes (11 for Calico's {@code cali}); the same attachment always gets the same name, so DEL finds it
   * without a prevResult.
   */
  public static String name(String prefix, String containerId, String ifName) {
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-1").digest((containerId + "." + ifName).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
    return prefix + HexFormat.of().formatHex(h).substring(0, IFNAMSIZ - prefix.length());
  }

  /** One sysctl of the host end and its value. */
  record Setting(String key, String value) {}

  /**
   * The host end's sysctls, as Calico sets them: IPv4 proxy ARP without delay and forwarding; IPv6 on, router
   * advertisements ignored, proxy NDP and forwarding.
   */
  static List<Setting> sysctls(String hostName, boolean v4, boolean v6) {
    List<Setting> out = new ArrayList<>();
    if (v4) {
      out.add(new Setting("net/ipv4/conf/" + hostName + "/proxy_arp", "1"));
      out.add(new Setting("net/ipv4/neigh/" + hostName + "/proxy_delay", "0"));
      out.add(new Setting("net/ipv4/conf/" + hostName + "/forwarding", "1"));
    }
    if (v6) {
      out.add(new Setting("net/ipv6/conf/" + hostName + "/disable_ipv6", "0"));
      out.add(new Setting("net/ipv6/conf/" + hostName + "/accept_ra", "0"));
      out.add(new Setting("net/ipv6/conf/" + hostName + "/proxy_ndp", "1"));
      out.add(new Setting("net/ipv6/conf/" + hostName + "/forwarding", "1"));
    }
    return out;
  }
}
