package io.jcni.plugins.firewall;

import java.net.InetAddress;

/** Placeholder for io.jcni.libcni.types.IpNet until it is merged (then removed). */
public record TempIpNet(InetAddress address, int prefixLength) {
  public static TempIpNet parse(String cidr) {
    int slash = cidr.indexOf('/');
    return new TempIpNet(com.google.common.net.InetAddresses.forString(cidr.substring(0, slash)),
        Integer.parseInt(cidr.substring(slash + 1)));
  }
}
