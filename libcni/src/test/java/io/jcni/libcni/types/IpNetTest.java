package io.jcni.libcni.types;

import io.jcni.libcni.internal.types.Ips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpNetTest {

  @ParameterizedTest
  @CsvSource({
    // input, Go's String() of the parsed value
    "1.2.3.4/24, 1.2.3.4/24",
    "2001:db8::/32, 2001:db8::/32",
    "10.1.2.2/24, 10.1.2.2/24",
    "2001:DB8:0:0:0:0:0:1/64, 2001:db8::1/64",
    "2001:db8:0:0:1:0:0:1/64, 2001:db8::1:0:0:1/64",
    "::ffff:10.0.0.1/120, 10.0.0.1/24",
    "::1.2.3.4/128, ::102:304/128",
    "0.0.0.0/0, 0.0.0.0/0",
    "::/0, ::/0",
  })
  void parsesAndPrintsLikeGo(String in, String out) throws CniException {
    assertEquals(out, IpNet.parse(in).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3/45", "1.2.3.4/99", "1.2.3.4", "1.2.3.4/", "1.2.3.4/024", "1.2.3.4/-1",
      "2001:db8::/129", "fe80::1%eth0/64", "host.example/24", "01.2.3.4/8", " 1.2.3.4/8"})
  void rejectsWhatGoRejects(String in) {
    CniException e = assertThrows(CniException.class, () -> IpNet.parse(in));
    assertEquals("invalid CIDR address: " + in, e.getMessage());
  }

  @Test
  void networkClearsHostBits() throws CniException {
    assertEquals("10.1.2.0/24", IpNet.parse("10.1.2.2/24").network().toString());
    assertEquals("2001:db8:24:19fe::/63", IpNet.parse("2001:DB8:24:19ff::/63").network().toString());
    assertEquals("10.1.2.3/32", IpNet.parse("10.1.2.3/32").network().toString());
    assertEquals("0.0.0.0/0", IpNet.parse("10.1.2.3/0").network().toString());
    assertEquals("255.255.254.0", Ips.format(IpNet.parse("10.1.2.3/23").netmask()));
  }

  @Test
  void containsOnlyItsOwnFamilyAndRange() throws CniException {
    IpNet n = IpNet.parse("10.1.2.2/24");
    assertTrue(n.contains(Ips.parse("10.1.2.255")));
    assertTrue(n.contains(Ips.parse("10.1.2.0")));
    assertFalse(n.contains(Ips.parse("10.1.3.0")));
    assertFalse(n.contains(Ips.parse("::ffff:10.1.3.0")));
    assertFalse(n.contains(Ips.parse("2001:db8::1")));
    IpNet six = IpNet.parse("2001:db8:1::5/64");
    assertTrue(six.contains(Ips.parse("2001:db8:1::ffff")));
    assertFalse(six.contains(Ips.parse("2001:db8:2::1")));
    assertTrue(n.isIpv4());
    assertFalse(six.isIpv4());
  }

  @Test
  void jacksonUsesTheCidrString() throws Exception {
    ObjectMapper m = new ObjectMapper();
    record Holder(IpNet net) {}
    String json = m.writeValueAsString(new Holder(IpNet.parse("1.2.3.4/24")));
    assertEquals("{\"net\":\"1.2.3.4/24\"}", json);
    assertEquals(IpNet.parse("1.2.3.4/24"), m.readValue(json, Holder.class).net());
    assertEquals(List.of(IpNet.parse("2001:db8::1/64")),
        List.of(m.readValue("\"2001:db8::1/64\"", IpNet.class)));
    assertThrows(Exception.class, () -> m.readValue("\"1.2.3.4/99\"", IpNet.class));
  }

  @ParameterizedTest
  @CsvSource({
    "10.1.2.3, 10.1.2.3",
    "2001:DB8::0:1, 2001:db8::1",
    "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
    "::ffff:192.0.2.1, 192.0.2.1",
    "0:0:0:0:0:0:0:0, ::",
    "fe80:0:0:0:0:0:0:1, fe80::1",
  })
  void ipsFormatLikeGo(String in, String out) throws CniException {
    assertEquals(out, Ips.format(Ips.parse(in)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "1.2.3", "01.2.3.4", "fe80::1%eth0", "localhost", "1.2.3.4 "})
  void ipsRejectNonLiterals(String in) {
    CniException e = assertThrows(CniException.class, () -> Ips.parse(in));
    assertEquals("invalid IP address: " + in, e.getMessage());
  }

  @Test
  void nullIpIsAnError() {
    assertThrows(CniException.class, () -> Ips.parse(null));
  }
}
