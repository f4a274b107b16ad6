package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** MAC text against the cases of Go's {@code net/mac_test.go} (accepted forms, lengths and rejects). */
class MacAddressTest {
  private static byte[] hex(String h) {
    return HexFormat.of().parseHex(h);
  }

  @Test
  void formsGoAccepts() {
    byte[] six = hex("0123456789ab");
    assertArrayEquals(six, MacAddress.parse("01:23:45:67:89:AB").orElseThrow());
    assertArrayEquals(six, MacAddress.parse("01-23-45-67-89-AB").orElseThrow());
    assertArrayEquals(six, MacAddress.parse("0123.4567.89AB").orElseThrow());
    assertArrayEquals(hex("0223456789abcdef"), MacAddress.parse("02:23:45:67:89:ab:cd:ef").orElseThrow());
    assertArrayEquals(hex("0123456789abcdef0000"  + "0123456789abcdef0000"),
        MacAddress.parse("01:23:45:67:89:ab:cd:ef:00:00:01:23:45:67:89:ab:cd:ef:00:00").orElseThrow());
  }

  @Test
  void formsGoRejects() {
    for (String bad : new String[] {"01.02.03.04.05.06", "01:02:03:04:05:06:", "x1:02:03:04:05:06",
        "01002:03:04:05:06", "01:02003:04:05:06", "01:02:03:04:05:06:07", "0123:4567:89AB", "01:23:45:67:89-ab",
        "01:23:45:67:89:a\u0663", ""}) {
      assertTrue(MacAddress.parse(bad).isEmpty(), bad);
    }
  }

  @Test
  void ethernetIsSixBytes() {
    assertTrue(MacAddress.parseEthernet("02:23:45:67:89:ab:cd:ef").isEmpty());
    assertTrue(MacAddress.parseEthernet("0200.5e10.00ab").isPresent());
  }

  @Test
  void textsAreGos() {
    assertEquals("address zz:00: invalid MAC address", MacAddress.invalid("zz:00"));
    assertEquals("02:00:5e:10:00:ab", MacAddress.format(hex("02005E1000AB")));
  }
}
