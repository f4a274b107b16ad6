package io.jcni.libcni.types;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;

/**
 * IP address text in Go's {@code net.IP} format, the format of every address CNI writes (results, host-local file
 * names, cache files).
 *
 * <p>IPv4 is a dotted quad, IPv6 is RFC 5952 compressed lower case; an IPv4-mapped IPv6 address prints as IPv4,
 * as Go's {@code To4()} does. Parsing never touches DNS.
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
}
