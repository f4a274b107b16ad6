package io.jcni.libcni.internal.types;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Address arithmetic at the edges of both families. The oracle is the address written out by hand, compared as
 * Go prints it ({@code net.IP.String()}).
 */
class IpsTest {

  private static InetAddress ip(String s) throws CniException {
    return Ips.parse(s);
  }

  @ParameterizedTest
  @CsvSource({
    "10.1.2.3, 10.1.2.4",
    "10.1.2.255, 10.1.3.0",
    "0.255.255.255, 1.0.0.0",
    "255.255.255.255, 0.0.0.0",
    "2001:db8::ffff, 2001:db8::1:0",
    "::, ::1",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ::",
    // Written v4-mapped, the address is IPv4 (as Go's To4()), so it steps and wraps in the IPv4 space.
    "::ffff:10.0.0.255, 10.0.1.0",
    "::ffff:255.255.255.255, 0.0.0.0",
  })
  void nextAndPreviousAreInverse(String before, String after) throws CniException {
    assertEquals(after, Ips.format(Ips.next(ip(before))));
    assertEquals(Ips.format(ip(before)), Ips.format(Ips.previous(ip(after))));
  }

  @Test
  void stepsStayInTheFamily() throws CniException {
    assertInstanceOf(Inet4Address.class, Ips.next(ip("255.255.255.255")));
    assertInstanceOf(Inet6Address.class, Ips.previous(ip("::")));
    assertEquals("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Ips.format(Ips.previous(ip("::"))));
    assertEquals("255.255.255.255", Ips.format(Ips.previous(ip("0.0.0.0"))));
  }

  @Test
  void compareIsUnsignedAndPutsIpv4First() throws CniException {
    assertTrue(Ips.compare(ip("10.0.0.200"), ip("10.0.0.9")) > 0);
    assertTrue(Ips.compare(ip("128.0.0.0"), ip("127.255.255.255")) > 0);
    assertTrue(Ips.compare(ip("8000::"), ip("7fff::ffff")) > 0);
    assertEquals(0, Ips.compare(ip("::ffff:10.0.0.1"), ip("10.0.0.1")));
    assertTrue(Ips.compare(ip("255.255.255.255"), ip("::")) < 0);
    assertTrue(Ips.sameFamily(ip("::ffff:1.2.3.4"), ip("5.6.7.8")));
    assertFalse(Ips.sameFamily(ip("::1.2.3.4"), ip("1.2.3.4")));
  }

  @Test
  void bytesRoundTrip() throws CniException {
    assertEquals("10.0.0.1", Ips.format(Ips.fromBytes(new byte[] {10, 0, 0, 1})));
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[15] = 7;
    assertEquals("0.0.0.7", Ips.format(Ips.fromBytes(mapped)));
    byte[] v6 = ip("2001:db8::1").getAddress();
    assertEquals("2001:db8::1", Ips.format(Ips.fromBytes(v6)));
    assertThrows(IllegalArgumentException.class, () -> Ips.fromBytes(new byte[5]));
  }

  @ParameterizedTest
  @CsvSource({
    "10.1.2.3/24, 10.1.2.0, 10.1.2.255",
    "10.1.2.3/32, 10.1.2.3, 10.1.2.3",
    "10.1.2.3/0, 0.0.0.0, 255.255.255.255",
    "10.1.2.3/23, 10.1.2.0, 10.1.3.255",
    "2001:db8::5/64, 2001:db8::, 2001:db8::ffff:ffff:ffff:ffff",
    "2001:db8::5/128, 2001:db8::5, 2001:db8::5",
    "2001:db8::5/0, ::, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:db8::5/61, 2001:db8::, 2001:db8:0:7:ffff:ffff:ffff:ffff",
    "::ffff:10.1.2.3/120, 10.1.2.0, 10.1.2.255",
  })
  void networkAndBroadcastOfAPrefix(String cidr, String network, String broadcast) throws CniException {
    IpNet n = IpNet.parse(cidr);
    assertEquals(network, Ips.format(n.network().ip()));
    assertEquals(broadcast, Ips.format(n.broadcast()));
  }
}
