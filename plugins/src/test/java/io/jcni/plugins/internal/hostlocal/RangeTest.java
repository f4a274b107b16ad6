package io.jcni.plugins.internal.hostlocal;

import static io.jcni.plugins.internal.hostlocal.Nets.ip;
import static io.jcni.plugins.internal.hostlocal.Nets.net;
import static io.jcni.plugins.internal.hostlocal.Nets.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Upstream's range_test.go cases. */
class RangeTest {

  @Test
  void defaultsForAnIpv4Slash24() throws CniException {
    assertEquals(
        new Range(net("192.0.2.0/24"), ip("192.0.2.1"), ip("192.0.2.254"), ip("192.0.2.1")),
        range("192.0.2.0/24").canonical());
  }

  @Test
  void defaultsForASmallerIpv4Subnet() throws CniException {
    assertEquals(
        new Range(net("192.0.2.0/25"), ip("192.0.2.1"), ip("192.0.2.126"), ip("192.0.2.1")),
        range("192.0.2.0/25").canonical());
  }

  @Test
  void defaultsForIpv6EndAtTheAllOnesAddress() throws CniException {
    assertEquals(
        new Range(
            net("2001:db8:1::/64"), ip("2001:db8:1::1"), ip("2001:db8:1::ffff:ffff:ffff:ffff"), ip("2001:db8:1::1")),
        range("2001:DB8:1::/64").canonical());
  }

  static Stream<Arguments> hostBits() {
    return Stream.of(
        Arguments.of("192.0.2.12/24", "For a subnet mask of length 24 the network address is 192.0.2.0"),
        Arguments.of("2001:DB8:1::24:19ff/64", "For a subnet mask of length 64 the network address is 2001:db8:1::"),
        Arguments.of("2001:DB8:24:19ff::/63", "For a subnet mask of length 63 the network address is 2001:db8:24:19fe::"),
        Arguments.of("192.168.127.0/23", "For a subnet mask of length 23 the network address is 192.168.126.0"));
  }

  @ParameterizedTest
  @MethodSource("hostBits")
  void rejectsHostBits(String subnet, String tail) {
    CniException e = assertThrows(CniException.class, () -> range(subnet).canonical());
    assertEquals("Network has host bits set. " + tail, e.getMessage());
    assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
  }

  @Test
  void rejectsATooSmallNetwork() {
    assertEquals(
        "Network 192.0.2.0/31 too small to allocate from",
        assertThrows(CniException.class, () -> range("192.0.2.0/31").canonical()).getMessage());
  }

  @Test
  void rejectsBoundsOutsideTheNetwork() {
    assertEquals(
        "RangeStart 192.0.3.0 not in network 192.0.2.0/24",
        assertThrows(CniException.class, () -> range("192.0.2.0/24", "192.0.3.0", null).canonical()).getMessage());
    assertEquals(
        "RangeEnd 192.0.4.0 not in network 192.0.2.0/24",
        assertThrows(CniException.class, () -> range("192.0.2.0/24", null, "192.0.4.0").canonical()).getMessage());
  }

  @Test
  void containsIpv4() throws CniException {
    Range r = range("192.0.2.0/24", "192.0.2.10", "192.0.2.50").canonical();
    assertFalse(r.contains(ip("192.0.2.0")));
    assertFalse(r.contains(ip("192.0.2.9")));
    assertTrue(r.contains(ip("192.0.2.10")));
    assertTrue(r.contains(ip("192.0.2.11")));
    assertTrue(r.contains(ip("192.0.2.50")));
    assertFalse(r.contains(ip("192.0.2.51")));
    assertFalse(r.contains(ip("192.0.2.255")));
    assertFalse(r.contains(ip("2001:db8::1")));
  }

  @Test
  void containsIpv6() throws CniException {
    Range r = range("2001:db8:1::/64", "2001:db8:1::10", "2001:db8:1::50").canonical();
    assertFalse(r.contains(ip("2001:db8:1::")));
    assertFalse(r.contains(ip("2001:db8:1::f")));
    assertTrue(r.contains(ip("2001:db8:1::10")));
    assertTrue(r.contains(ip("2001:db8:1::11")));
    assertTrue(r.contains(ip("2001:db8:1::50")));
    assertFalse(r.contains(ip("2001:db8:1::51")));
    assertFalse(r.contains(ip("2001:db8:2::10")));
    assertFalse(r.contains(ip("192.0.2.10")));
  }

  static Stream<Arguments> overlaps() {
    return Stream.of(
        Arguments.of(range("10.0.0.0/24"), range("10.0.1.0/24"), false),
        Arguments.of(range("0.0.0.0/24"), range("::/24"), false),
        Arguments.of(range("10.0.0.0/24"), range("10.0.0.0/24"), true),
        Arguments.of(range("10.0.0.0/20"), range("10.0.1.0/24"), true),
        Arguments.of(range("10.0.0.0/24", null, "10.0.0.127"), range("10.0.0.0/24", "10.0.0.128", null), false),
        Arguments.of(range("10.0.0.0/24", null, "10.0.0.127"), range("10.0.0.0/24", "10.0.0.127", null), true),
        Arguments.of(range("10.0.0.0/24", "10.0.0.127", null), range("10.0.0.0/24", null, "10.0.0.128"), true));
  }

  @ParameterizedTest
  @MethodSource("overlaps")
  void overlapIsSymmetric(Range a, Range b, boolean expected) throws CniException {
    Range x = a.canonical();
    Range y = b.canonical();
    assertEquals(expected, x.overlaps(y));
    assertEquals(expected, y.overlaps(x));
  }

  @Test
  void printsStartDashEnd() throws CniException {
    // RFC 5952 (and Go) never compress a single zero group.
    assertEquals("2001:db8:1::1-2001:db8:1:0:ffff:ffff:ffff:ffff", range("2001:db8:1::/64").canonical().toString());
  }
}
