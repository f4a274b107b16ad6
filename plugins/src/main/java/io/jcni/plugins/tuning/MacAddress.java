package io.jcni.plugins.tuning;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;

/**
 * A hardware address as the tuning plugin reads it from its configuration: the forms Go's {@code net.ParseMAC}
 * accepts ({@code aa:bb:…}, {@code aa-bb-…}, {@code aabb.ccdd.…}; 6, 8 or 20 bytes).
 */
final class MacAddress {
  private MacAddress() {}

  /** The bytes of {@code s}; an unparsable value fails with the Go plugin's {@code invalid args …} message. */
  static byte[] parse(String s) throws CniException {
    byte[] b = parseOrNull(s);
    if (b == null) {
      throw new CniException(ErrorCode.INTERNAL,
          "invalid args " + s + " for MAC addr: address " + s + ": invalid MAC address");
    }
    return b;
  }

  static byte[] parseOrNull(String s) {
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
        int hi = Character.digit(s.charAt(x + i), 16);
        int lo = Character.digit(s.charAt(x + i + 1), 16);
        if (hi < 0 || lo < 0 || !isAsciiHex(s.charAt(x + i)) || !isAsciiHex(s.charAt(x + i + 1))) {
          return null;
        }
        out[o++] = (byte) (hi << 4 | lo);
      }
    }
    return out;
  }

  private static boolean isAsciiHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
