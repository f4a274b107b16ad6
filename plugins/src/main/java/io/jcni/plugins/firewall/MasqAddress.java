package io.jcni.plugins.firewall;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One container address as the masquerade rules see it: the address itself, its family and the network it lives
 * in, formatted as Go's {@code net.IP.String()} and {@code net.IPNet.String()} print them.
 */
record MasqAddress(InetAddress ip, int prefixLength) {
  MasqAddress {
    int bits = ip instanceof Inet4Address ? 32 : 128;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("invalid prefix length " + prefixLength + " for " + InetAddresses.toAddrString(ip));
    }
  }

  static MasqAddress of(TempIpNet n) {
    return new MasqAddress(n.address(), n.prefixLength());
  }

  boolean isV4() {
    return ip instanceof Inet4Address;
  }

  /** The address alone, e.g. {@code 10.1.2.3} or {@code 2001:db8::3}. */
  String ipString() {
    return InetAddresses.toAddrString(ip);
  }

  /** The address as a host prefix, as iptables-save prints {@code -s ip}: {@code 10.1.2.3/32}. */
  String hostCidr() {
    return ipString() + "/" + (isV4() ? 32 : 128);
  }

  /** The masked network, e.g. {@code 10.1.2.0/24}. */
  String networkCidr() {
    byte[] b = ip.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
      b[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddresses.toAddrString(InetAddress.getByAddress(b)) + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes", e);
    }
  }
}
