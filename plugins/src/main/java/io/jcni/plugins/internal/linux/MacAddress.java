package io.jcni.plugins.internal.linux;

import java.util.HexFormat;
import java.util.Optional;

/**
 * Hardware addresses in text: the forms Go's {@code net.ParseMAC} reads ({@code aa:bb:…}, {@code aa-bb-…},
 * {@code aabb.ccdd.…}; 6, 8 or 20 bytes) and the form the kernel and {@code ip} print ({@code aa:bb:cc:dd:ee:ff}).
 */
public final class MacAddress {
  private static final HexFormat COLONS = HexFormat.ofDelimiter(":");

  private MacAddress() {}

  /** The bytes of {@code s}, or empty if Go would not parse it. */
  public static Optional<byte[]> parse(String s) {
    return Optional.ofNullable(parseOrNull(s));
  }

  /** The bytes of {@code s} if they are an Ethernet address (6 bytes), or empty. */
  public static Optional<byte[]> parseEthernet(String s) {
    return parse(s).filter(b -> b.length == 6);
  }

  /** Go's {@code net.ParseMAC} error text for {@code s}: {@code address s: invalid MAC address}. */
  public static String invalid(String s) {
    return "address " + s + ": invalid MAC address";
  }

  /** {@code b} in lower-case hex pairs joined by colons, as the kernel prints it. */
  public static String format(byte[] b) {
    return COLONS.formatHex(b);
  }

  private static byte[] parseOrNull(String s) {
    if (s.length() < 14) {
      return null;
    }
    char sep;
    int group;
    if (s.charAt(2) == ':' || s.charAt(2) == '-') {
      sep = s.charAt(2);
      group = 2;
    } else if (s.charAt(4) == '.') {
      sep = '.';
      group = 4;
    } else {
      return null;
    }
    if ((s.length() + 1) % (group + 1) != 0) {
      return null;
    }
    int n = (s.length() + 1) / (group + 1) * group / 2;
    if (n != 6 && n != 8 && n != 20) {
      return null;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (int x = 0; x < s.length(); x += group + 1) {
      if (x + group < s.length() && s.charAt(x + group) != sep) {
        return null;
      }
      for (int i = 0; i < group; i += 2) {
        int hi = hexDigit(s.charAt(x + i));
        int lo = hexDigit(s.charAt(x + i + 1));
        if (hi < 0 || lo < 0) {
          return null;
        }
        out[o++] = (byte) (hi << 4 | lo);
      }
    }
    return out;
  }

  /** An ASCII hex digit's value, or -1 (Go's parser takes no other Unicode digits). */
  private static int hexDigit(char c) {
    return c < 128 ? Character.digit(c, 16) : -1;
  }
}
