package io.jcni.plugins.internal.hostlocal;

import static io.jcni.plugins.internal.hostlocal.Nets.ip;
import static io.jcni.plugins.internal.hostlocal.Nets.range;
import static io.jcni.plugins.internal.hostlocal.Nets.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.types.CniException;
import org.junit.jupiter.api.Test;

/** Upstream's range_set_test.go cases. */
class RangeSetTest {

  @Test
  void rejectsOverlappingRanges() {
    CniException e =
        assertThrows(CniException.class, () -> set(range("192.168.0.0/20"), range("192.168.2.0/24")).canonical());
    assertEquals("subnets 192.168.0.1-192.168.15.254 and 192.168.2.1-192.168.2.254 overlap", e.getMessage());
  }

  @Test
  void findsTheRangeOfAnAddress() throws CniException {
    RangeSet s = set(range("192.168.0.0/24"), range("172.16.1.0/24")).canonical();
    assertTrue(s.contains(ip("192.168.0.55")));
    assertEquals(s.ranges().get(0), s.rangeFor(ip("192.168.0.55")));
    assertEquals(s.ranges().get(1), s.rangeFor(ip("172.16.1.2")));
    CniException e = assertThrows(CniException.class, () -> s.rangeFor(ip("192.168.99.99")));
    assertEquals("192.168.99.99 not in range set 192.168.0.1-192.168.0.254,172.16.1.1-172.16.1.254", e.getMessage());
  }

  @Test
  void rejectsMixedFamiliesAndEmptySets() {
    assertEquals(
        "mixed address families",
        assertThrows(CniException.class, () -> set(range("192.168.0.0/24"), range("2001:db8::/64")).canonical())
            .getMessage());
    assertEquals("empty range set", assertThrows(CniException.class, () -> set().canonical()).getMessage());
  }
}
