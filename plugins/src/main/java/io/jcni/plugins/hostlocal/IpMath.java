package io.jcni.plugins.hostlocal;

import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Address arithmetic on the raw bytes, the way Go's {@code pkg/ip} does it (4 bytes for IPv4, 16 for IPv6). */
final class IpMath {
  private IpMath() {}

  /** The address after {@code ip}, wrapping at the top of the family's space. */
  static InetAddress next(InetAddress ip) {
    byte[] b = ip.getAddress();
    for (int i = b.length - 1; i >= 0; i--) {
      if (++b[i] != 0) {
        break;
      }
    }
    return of(b);
  }

  /** Unsigned byte-wise order; IPv4 sorts before IPv6, which never matters because families are kept apart. */
  static int compare(InetAddress a, InetAddress b) {
    byte[] x = a.getAddress();
    byte[] y = b.getAddress();
    if (x.length != y.length) {
      return Integer.compare(x.length, y.length);
    }
    return Arrays.compareUnsigned(x, y);
  }

  /** The highest address of {@code subnet}, minus one for IPv4 so the broadcast address is never handed out. */
  static InetAddress lastUsable(IpNet subnet) {
    byte[] b = subnet.ip().getAddress();
    int prefix = subnet.prefixLength();
    for (int i = 0; i < b.length; i++) {
      int hostBits = 8 - Math.max(0, Math.min(8, prefix - i * 8));
      b[i] |= (byte) ((1 << hostBits) - 1);
    }
    if (b.length == 4) {
      b[3]--;
    }
    return of(b);
  }

  static boolean sameFamily(InetAddress a, InetAddress b) {
    return a.getAddress().length == b.getAddress().length;
  }

  static InetAddress of(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
