package io.jcni.plugins.internal.hostlocal;

import static io.jcni.plugins.internal.hostlocal.Nets.canonical;
import static io.jcni.plugins.internal.hostlocal.Nets.ip;
import static io.jcni.plugins.internal.hostlocal.Nets.range;
import static io.jcni.plugins.internal.hostlocal.Nets.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Upstream's allocator_test.go cases, against a real store in a temporary directory. */
class AllocatorTest {
  @TempDir Path dataDir;

  Store store() throws CniException {
    return Store.open(dataDir, "net", null);
  }

  /** Marks addresses as taken by someone else and sets last_reserved_ip.0, as the upstream fake store does. */
  Store prepared(List<String> taken, String lastReserved) throws CniException, IOException {
    Store s = store();
    for (String t : taken) {
      Files.writeString(s.fileOf(ip(t)), "someone\r\neth9");
    }
    if (lastReserved != null) {
      Files.writeString(s.dir().resolve("last_reserved_ip.0"), lastReserved);
    }
    return s;
  }

  static Stream<Arguments> roundRobin() {
    List<String> none = List.of();
    return Stream.of(
        Arguments.of(List.of("192.168.1.0/29"), none, null, "192.168.1.2"),
        Arguments.of(List.of("2001:db8:1::/64"), none, null, "2001:db8:1::2"),
        Arguments.of(List.of("10.0.0.0/30"), none, null, "10.0.0.2"),
        Arguments.of(List.of("192.168.1.0/29"), List.of("192.168.1.2"), null, "192.168.1.3"),
        Arguments.of(List.of("192.168.1.0/29"), none, "192.168.1.5", "192.168.1.6"),
        Arguments.of(List.of("192.168.1.0/29"), List.of("192.168.1.4", "192.168.1.5"), "192.168.1.3", "192.168.1.6"),
        Arguments.of(List.of("192.168.1.0/29"), List.of("192.168.1.6"), "192.168.1.5", "192.168.1.2"),
        Arguments.of(List.of("192.168.1.0/29"), List.of("192.168.1.2"), "10.0.0.128", "192.168.1.3"),
        Arguments.of(
            List.of("192.168.1.0/29"),
            List.of("192.168.1.2", "192.168.1.4", "192.168.1.5", "192.168.1.6"),
            "192.168.1.3",
            "192.168.1.3"),
        Arguments.of(List.of("10.0.0.0/30", "10.0.1.0/30"), none, null, "10.0.0.2"),
        Arguments.of(List.of("10.0.0.0/30", "10.0.1.0/30"), none, "10.0.0.2", "10.0.1.2"),
        Arguments.of(List.of("10.0.0.0/30", "10.0.1.0/30", "10.0.2.0/30"), none, "10.0.2.2", "10.0.0.2"));
  }

  @ParameterizedTest
  @MethodSource("roundRobin")
  void roundRobinTable(List<String> subnets, List<String> taken, String last, String expected) throws Exception {
    RangeSet set = canonical(subnets.toArray(String[]::new));
    IpConfig got = new Allocator(set, prepared(taken, last), 0).get("ID", "eth0", null);
    assertEquals(ip(expected), got.address().ip());
    assertEquals(set.rangeFor(ip(expected)).subnet().prefixLength(), got.address().prefixLength());
  }

  List<InetAddress> walk(RangeSet set, String last) {
    RangeIterator it = RangeIterator.startingAfter(set, last == null ? null : ip(last));
    List<InetAddress> out = new ArrayList<>();
    for (RangeIterator.Candidate c = it.next(); c != null; c = it.next()) {
      out.add(c.ip());
    }
    return out;
  }

  @Test
  void iteratorFromTheStart() throws CniException {
    RangeSet s = canonical("192.168.1.0/29");
    assertEquals(Nets.ips("192.168.1.2", "192.168.1.3", "192.168.1.4", "192.168.1.5", "192.168.1.6"), walk(s, null));
  }

  @Test
  void iteratorAfterTheEnd() throws CniException {
    RangeSet s = canonical("192.168.1.0/29");
    assertEquals(
        Nets.ips("192.168.1.2", "192.168.1.3", "192.168.1.4", "192.168.1.5", "192.168.1.6"),
        walk(s, "192.168.1.6"));
  }

  @Test
  void iteratorFromTheMiddleWraps() throws CniException {
    RangeSet s = canonical("192.168.1.0/29");
    assertEquals(
        Nets.ips("192.168.1.4", "192.168.1.5", "192.168.1.6", "192.168.1.2", "192.168.1.3"),
        walk(s, "192.168.1.3"));
  }

  @Test
  void lastReservedAtTheEndOfRangeZeroContinuesInTheNextRange() throws CniException {
    RangeSet s = set(range("192.168.1.0/24", "192.168.1.10", "192.168.1.20"), range("192.168.2.0/24")).canonical();
    assertEquals(ip("192.168.2.2"), walk(s, "192.168.1.20").get(0));
  }

  @Test
  void neverHandsOutTheBroadcastAddress() throws Exception {
    Allocator a = new Allocator(canonical("192.168.1.0/29"), store(), 0);
    for (int i = 2; i <= 6; i++) {
      assertEquals(ip("192.168.1." + i), a.get("ID" + i, "eth0", null).address().ip());
    }
    CniException e = assertThrows(CniException.class, () -> a.get("ID7", "eth0", null));
    assertEquals("no IP addresses available in range set: 192.168.1.1-192.168.1.6", e.getMessage());
  }

  /**
   * The allocator skips the store's files without creating them; a name the store does not list as a file (a
   * directory, a dangling symlink) must still be refused by the exclusive create, as in Go.
   */
  @Test
  void namesThatAreNotFilesAreStillTaken() throws Exception {
    Store s = prepared(List.of("192.168.1.4"), null);
    Files.createDirectory(s.fileOf(ip("192.168.1.2")));
    Files.createSymbolicLink(s.fileOf(ip("192.168.1.3")), dataDir.resolve("nowhere"));
    Allocator a = new Allocator(canonical("192.168.1.0/29"), s, 0);
    assertEquals(ip("192.168.1.5"), a.get("ID", "eth0", null).address().ip());
    assertTrue(Files.isDirectory(s.fileOf(ip("192.168.1.2"))));
    assertTrue(Files.notExists(dataDir.resolve("nowhere")));
  }

  @Test
  void releaseThenGetMovesOn() throws Exception {
    Allocator a = new Allocator(canonical("192.168.1.0/29"), store(), 0);
    assertEquals(ip("192.168.1.2"), a.get("ID", "eth0", null).address().ip());
    a.release("ID", "eth0");
    assertEquals(ip("192.168.1.3"), a.get("ID", "eth0", null).address().ip());
  }

  @Test
  void requestedAddressOnceOnly() throws Exception {
    Allocator a = new Allocator(canonical("192.168.1.0/29"), store(), 0);
    IpConfig got = a.get("ID", "eth0", ip("192.168.1.5"));
    assertEquals("192.168.1.5/29", got.address().toString());
    assertEquals(ip("192.168.1.1"), got.gateway());
    CniException e = assertThrows(CniException.class, () -> a.get("ID2", "eth0", ip("192.168.1.5")));
    assertEquals(
        "requested IP address 192.168.1.5 is not available in range set 192.168.1.1-192.168.1.6", e.getMessage());
  }

  @Test
  void requestedAddressOutsideStartEnd() throws Exception {
    RangeSet s = set(range("192.168.1.0/24", "192.168.1.10", "192.168.1.20")).canonical();
    CniException e =
        assertThrows(CniException.class, () -> new Allocator(s, store(), 0).get("ID", "eth0", ip("192.168.1.50")));
    assertEquals("192.168.1.50 not in range set 192.168.1.10-192.168.1.20", e.getMessage());
  }

  @Test
  void fullPoolsSayNoAddressesAvailable() throws Exception {
    RangeSet s = canonical("10.0.0.0/30", "10.0.1.0/30");
    Allocator a = new Allocator(s, store(), 0);
    a.get("A", "eth0", null);
    a.get("B", "eth0", null);
    CniException e = assertThrows(CniException.class, () -> a.get("C", "eth0", null));
    assertTrue(e.getMessage().startsWith("no IP addresses available in range set"), e.getMessage());
  }

  @Test
  void duplicateAllocationIsRefused() throws Exception {
    Allocator a = new Allocator(canonical("192.168.1.0/29"), store(), 0);
    a.get("ID", "eth0", null);
    CniException e = assertThrows(CniException.class, () -> a.get("ID", "eth0", null));
    assertEquals("192.168.1.2 has been allocated to ID, duplicate allocation is not allowed", e.getMessage());
  }
}
