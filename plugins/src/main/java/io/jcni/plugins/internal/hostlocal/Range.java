package io.jcni.plugins.internal.hostlocal;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;

/**
 * One host-local address range: a subnet and the inclusive span {@code rangeStart..rangeEnd} handed out from it,
 * with the gateway that is never handed out.
 *
 * <p>As parsed, any of the addresses may be null (and the subnet may be missing); {@link #canonical()} applies the
 * upstream defaults and checks. After that, {@link #toString()} is Go's {@code start-end}, the form that appears in
 * host-local's error messages.
 *
 * @param subnet the network, host bits as written (null when absent)
 * @param rangeStart first allocatable address (default: network + 1)
 * @param rangeEnd last allocatable address (default: broadcast - 1 for IPv4, the all-ones address for IPv6)
 * @param gateway the gateway (default: network + 1)
 */
public record Range(IpNet subnet, InetAddress rangeStart, InetAddress rangeEnd, InetAddress gateway) {

  /** Returns this range with defaults filled in, or fails with upstream's message when it cannot be used. */
  public Range canonical() throws CniException {
    if (subnet == null) {
      throw invalid("IP <nil> not v4 nor v6");
    }
    int bits = subnet.ip().getAddress().length * 8;
    if (subnet.prefixLength() > bits - 2) {
      throw invalid("Network " + subnet + " too small to allocate from");
    }
    IpNet network = subnet.network();
    if (!network.ip().equals(subnet.ip())) {
      throw invalid(
          "Network has host bits set. For a subnet mask of length "
              + subnet.prefixLength()
              + " the network address is "
              + Ips.format(network.ip()));
    }
    InetAddress gw = gateway != null ? gateway : Ips.next(subnet.ip());
    // Bounds are checked against the partly built range, as upstream does, so a start after the given end is
    // reported as "not in network".
    InetAddress start = rangeStart;
    if (start != null) {
      if (!new Range(subnet, start, rangeEnd, gw).contains(start)) {
        throw invalid("RangeStart " + Ips.format(start) + " not in network " + subnet);
      }
    } else {
      start = Ips.next(subnet.ip());
    }
    InetAddress end = rangeEnd;
    if (end != null) {
      if (!new Range(subnet, start, end, gw).contains(end)) {
        throw invalid("RangeEnd " + Ips.format(end) + " not in network " + subnet);
      }
    } else {
      end = subnet.isIpv4() ? Ips.previous(subnet.broadcast()) : subnet.broadcast();
    }
    return new Range(subnet, start, end, gw);
  }

  /** Whether {@code ip} is in the subnet and within the start/end bounds that are set. */
  public boolean contains(InetAddress ip) {
    if (subnet == null || !Ips.sameFamily(ip, subnet.ip()) || !subnet.contains(ip)) {
      return false;
    }
    if (rangeStart != null && Ips.compare(ip, rangeStart) < 0) {
      return false;
    }
    return rangeEnd == null || Ips.compare(ip, rangeEnd) <= 0;
  }

  /** Whether the two canonical ranges share an address. */
  public boolean overlaps(Range other) {
    if (!Ips.sameFamily(rangeStart, other.rangeStart)) {
      return false;
    }
    return contains(other.rangeStart)
        || contains(other.rangeEnd)
        || other.contains(rangeStart)
        || other.contains(rangeEnd);
  }

  /** {@code start-end} in Go's IP format. */
  @Override
  public String toString() {
    return fmt(rangeStart) + "-" + fmt(rangeEnd);
  }

  private static String fmt(InetAddress ip) {
    return ip == null ? "<nil>" : Ips.format(ip);
  }

  static CniException invalid(String msg) {
    return new CniException(ErrorCode.INVALID_NETWORK_CONFIG, msg);
  }
}
