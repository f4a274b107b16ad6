package io.jcni.plugins.internal.hostlocal;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A host-local range set: ranges of one address family that together yield one address per ADD.
 *
 * <p>Each set in a configuration has its own allocator and its own {@code last_reserved_ip.N} file.
 */
public record RangeSet(List<Range> ranges) {
  public RangeSet {
    ranges = List.copyOf(ranges);
  }

  /** Returns the set with every range canonical; fails when it is empty, mixes families or overlaps itself. */
  public RangeSet canonical() throws CniException {
    if (ranges.isEmpty()) {
      throw Range.invalid("empty range set");
    }
    List<Range> out = new ArrayList<>();
    for (Range r : ranges) {
      Range c = r.canonical();
      if (!out.isEmpty() && !Ips.sameFamily(out.get(0).rangeStart(), c.rangeStart())) {
        throw Range.invalid("mixed address families");
      }
      out.add(c);
    }
    for (int i = 0; i < out.size(); i++) {
      for (int j = i + 1; j < out.size(); j++) {
        if (out.get(i).overlaps(out.get(j))) {
          throw Range.invalid("subnets " + out.get(i) + " and " + out.get(j) + " overlap");
        }
      }
    }
    return new RangeSet(out);
  }

  /** Whether the set is IPv4 (judged, as upstream does, by its first range). */
  public boolean isIpv4() {
    return ranges.get(0).rangeStart().getAddress().length == 4;
  }

  /** Whether any range of the set holds {@code ip}. */
  public boolean contains(InetAddress ip) {
    return find(ip).isPresent();
  }

  /** The range holding {@code ip}, or {@code "<ip> not in range set <set>"}. */
  public Range rangeFor(InetAddress ip) throws CniException {
    return find(ip).orElseThrow(() -> Range.invalid(Ips.format(ip) + " not in range set " + this));
  }

  private Optional<Range> find(InetAddress ip) {
    return ranges.stream().filter(r -> r.contains(ip)).findFirst();
  }

  /** Whether any range of this set overlaps any range of {@code other}. */
  public boolean overlaps(RangeSet other) {
    return ranges.stream().anyMatch(r -> other.ranges.stream().anyMatch(r::overlaps));
  }

  /** The ranges joined with {@code ,}, as in upstream messages. */
  @Override
  public String toString() {
    return ranges.stream().map(Range::toString).collect(Collectors.joining(","));
  }
}
