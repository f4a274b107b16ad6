package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import java.net.InetAddress;

/**
 * One entry of {@code runtimeConfig.portMappings} (CNI's CONVENTIONS.md): traffic to {@code hostPort} (on {@code
 * hostIP}, or on every local address when it is "") goes to {@code containerPort} of the container.
 *
 * @param protocol as given ({@code tcp}, {@code udp}, {@code sctp}); used verbatim in rules, as Go does
 * @param hostIP as given, "" for none
 */
public record PortMapping(int hostPort, int containerPort, String protocol, String hostIP) {

  static PortMapping read(JsonFields f) throws CniException {
    Integer host = f.integer("hostPort");
    Integer container = f.integer("containerPort");
    return new PortMapping(host == null ? 0 : host, container == null ? 0 : container, f.string("protocol"),
        f.string("hostIP"));
  }

  /**
   * Whether this mapping applies to a container address of the given family: always without hostIP, else only
   * when hostIP is of the same family (Go cannot forward across families).
   */
  boolean appliesTo(boolean v6) {
    if (hostIP.isEmpty()) {
      return true;
    }
    InetAddress ip = Ips.tryParse(hostIP);
    // Go's net.ParseIP gives nil for a bad hostIP, which To4() treats as not IPv4
    boolean hostV6 = ip == null || ip.getAddress().length == 16;
    return hostV6 == v6;
  }

  /** The hostIP rules match on as destination: null without one or for an unspecified address (0.0.0.0, ::). */
  String destination() {
    if (hostIP.isEmpty()) {
      return null;
    }
    InetAddress ip = Ips.tryParse(hostIP);
    return ip != null && ip.isAnyLocalAddress() ? null : hostIP;
  }
}
