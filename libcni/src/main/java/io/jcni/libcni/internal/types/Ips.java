package io.jcni.libcni.internal.types;

import com.google.common.net.InetAddresses;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * IP addresses as CNI handles them: text in Go's {@code net.IP} format (the format of every address CNI writes:
 * results, host-local file names, cache files), raw bytes, and address arithmetic.
 *
 * <p>IPv4 is a dotted quad, IPv6 is RFC 5952 compressed lower case; an IPv4-mapped IPv6 address prints as IPv4,
 * as Go's {@code To4()} does. Parsing never touches DNS. Arithmetic stays within the family: 4 bytes for IPv4, 16
 * for IPv6, wrapping at either end as Go's byte-wise {@code pkg/ip} does.
 */
public final class Ips {
  private Ips() {}

  /** Formats {@code ip} as Go's {@code net.IP.String()} does, e.g. {@code 10.1.2.3} or {@code 2001:db8::1}. */
  public static String format(InetAddress ip) {
    String s = InetAddresses.toAddrString(ip);
    // Go's net.IP carries no zone, so a scoped Inet6Address prints bare.
    int zone = s.indexOf('%');
    return zone < 0 ? s : s.substring(0, zone);
  }

  /**
   * Parses an IPv4 or IPv6 literal as Go's {@code net.ParseIP} does (no zones, no leading-zero octets, no DNS).
   *
   * @throws CniException code {@link ErrorCode#DECODING_FAILURE}, {@code invalid IP address: x}
   */
  public static InetAddress parse(String text) throws CniException {
    InetAddress ip = tryParse(text);
    if (ip == null) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "invalid IP address: " + (text == null ? "" : text));
    }
    return ip;
  }

  /** Parses like {@link #parse} but returns null for text that is not an IP literal. */
  public static InetAddress tryParse(String text) {
    if (text == null || text.isBlank() || text.indexOf('%') >= 0) {
      return null;
    }
    try {
      return InetAddresses.forString(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The address of {@code bytes}: 4 bytes are IPv4, 16 bytes IPv6 (an IPv4-mapped one becomes IPv4, as in Go's
   * {@code To4()}).
   *
   * @throws IllegalArgumentException for any other length
   */
  public static InetAddress fromBytes(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
    }
  }

  /** The address after {@code ip}; the family's highest address is followed by its lowest. */
  public static InetAddress next(InetAddress ip) {
    return InetAddresses.isMaximum(ip) ? fromBytes(new byte[ip.getAddress().length]) : InetAddresses.increment(ip);
  }

  /** The address before {@code ip}; the family's lowest address is preceded by its highest. */
  public static InetAddress previous(InetAddress ip) {
    byte[] b = ip.getAddress();
    for (byte x : b) {
      if (x != 0) {
        return InetAddresses.decrement(ip);
      }
    }
    Arrays.fill(b, (byte) 0xff);
    return fromBytes(b);
  }

  /** Unsigned byte-wise order; an IPv4 address sorts before every IPv6 one. */
  public static int compare(InetAddress a, InetAddress b) {
    byte[] x = a.getAddress();
    byte[] y = b.getAddress();
    return x.length != y.length ? Integer.compare(x.length, y.length) : Arrays.compareUnsigned(x, y);
  }

  /** Whether both addresses are IPv4 or both IPv6. */
  public static boolean sameFamily(InetAddress a, InetAddress b) {
    return (a instanceof Inet4Address) == (b instanceof Inet4Address);
  }
}
