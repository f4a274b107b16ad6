package io.jcni.plugins.hostlocal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** PLACEHOLDER until io.jcni.libcni.types.IpNet is merged. */
record IpNet(InetAddress ip, int prefixLength) {
  static IpNet parse(String cidr) throws io.jcni.libcni.types.CniException {
    int slash = cidr == null ? -1 : cidr.indexOf('/');
    if (slash < 0) {
      throw new io.jcni.libcni.types.CniException(6, "invalid CIDR address: " + cidr);
    }
    try {
      InetAddress ip = Ips.tryParse(cidr.substring(0, slash));
      if (ip == null) {
        throw new IllegalArgumentException();
      }
      String p = cidr.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException();
      }
      int len = Integer.parseInt(p);
      if (len > ip.getAddress().length * 8) {
        throw new IllegalArgumentException();
      }
      return new IpNet(ip, len);
    } catch (IllegalArgumentException e) {
      throw new io.jcni.libcni.types.CniException(6, "invalid CIDR address: " + cidr);
    }
  }

  IpNet network() {
    byte[] b = ip.getAddress();
    for (int i = 0; i < b.length; i++) {
      int bits = Math.max(0, Math.min(8, prefixLength - i * 8));
      b[i] &= (byte) (0xff << (8 - bits));
    }
    try {
      return new IpNet(InetAddress.getByAddress(b), prefixLength);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  boolean contains(InetAddress a) {
    if (a.getAddress().length != ip.getAddress().length) {
      return false;
    }
    return new IpNet(a, prefixLength).network().ip().equals(network().ip());
  }

  boolean isIpv4() {
    return ip.getAddress().length == 4;
  }

  @Override
  public String toString() {
    return Ips.format(ip) + "/" + prefixLength;
  }
}
