package io.jcni.plugins.internal.hostlocal;

import io.jcni.libcni.internal.types.Ips;
import java.net.InetAddress;

/**
 * The round-robin walk over a range set: from the address after {@code last_reserved_ip.N} (or from the first
 * range's start), range by range with wrap-around, skipping gateways, until it is back where it started.
 *
 * <p>A crash-looping container therefore does not get the same address again until the whole set has been used.
 */
final class RangeIterator {
  private final RangeSet set;
  private int rangeIdx;
  private InetAddress cur;
  private InetAddress startIp;

  private RangeIterator(RangeSet set, int rangeIdx, InetAddress cur, InetAddress startIp) {
    this.set = set;
    this.rangeIdx = rangeIdx;
    this.cur = cur;
    this.startIp = startIp;
  }

  /** A walk that begins after {@code lastReserved} when the set holds it, else at the first range's start. */
  static RangeIterator startingAfter(RangeSet set, InetAddress lastReserved) {
    if (lastReserved != null) {
      for (int i = 0; i < set.ranges().size(); i++) {
        if (set.ranges().get(i).contains(lastReserved)) {
          return new RangeIterator(set, i, lastReserved, null);
        }
      }
    }
    return new RangeIterator(set, 0, null, set.ranges().get(0).rangeStart());
  }

  /** The next candidate with its range, or null when every address has been offered once. */
  Candidate next() {
    while (true) {
      Range r = set.ranges().get(rangeIdx);
      if (cur == null) {
        cur = r.rangeStart();
        startIp = cur;
      } else {
        if (cur.equals(r.rangeEnd())) {
          rangeIdx = (rangeIdx + 1) % set.ranges().size();
          r = set.ranges().get(rangeIdx);
          cur = r.rangeStart();
        } else {
          cur = Ips.next(cur);
        }
        if (startIp == null) {
          startIp = cur;
        } else if (cur.equals(startIp)) {
          return null;
        }
      }
      if (!cur.equals(r.gateway())) {
        return new Candidate(cur, r);
      }
    }
  }

  /** An address offered by the walk and the range it belongs to. */
  record Candidate(InetAddress ip, Range range) {}
}
