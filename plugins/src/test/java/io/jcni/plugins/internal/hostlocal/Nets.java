package io.jcni.plugins.internal.hostlocal;

import com.google.common.net.InetAddresses;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/** Short constructors for test ranges. */
final class Nets {
  private Nets() {}

  static InetAddress ip(String s) {
    return InetAddresses.forString(s);
  }

  static IpNet net(String cidr) {
    try {
      return IpNet.parse(cidr);
    } catch (CniException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Range range(String subnet) {
    return new Range(net(subnet), null, null, null);
  }

  static Range range(String subnet, String start, String end) {
    return new Range(net(subnet), start == null ? null : ip(start), end == null ? null : ip(end), null);
  }

  static RangeSet set(Range... ranges) {
    return new RangeSet(Arrays.asList(ranges));
  }

  static RangeSet canonical(String... subnets) throws CniException {
    return new RangeSet(Arrays.stream(subnets).map(Nets::range).toList()).canonical();
  }

  static List<InetAddress> ips(String... s) {
    return Arrays.stream(s).map(Nets::ip).toList();
  }
}
