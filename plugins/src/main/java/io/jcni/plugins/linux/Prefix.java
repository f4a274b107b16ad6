package io.jcni.plugins.linux;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IP address with a prefix length, e.g. {@code 10.22.0.2/24} (an interface address) or {@code 10.22.0.0/24}
 * (a route destination).
 *
 * @param ip the address (not a host name; parsed without DNS)
 * @param length the prefix length, 0–32 for IPv4, 0–128 for IPv6
 */
public record Prefix(InetAddress ip, int length) {
  public Prefix {
    Objects.requireNonNull(ip, "ip");
    int max = ip instanceof Inet4Address ? 32 : 128;
    if (length < 0 || length > max) {
      throw new IllegalArgumentException("invalid prefix length " + length + " for " + InetAddresses.toAddrString(ip));
    }
  }

  /** Parses {@code "ip/length"}; a bare IP gets the full length (/32 or /128). */
  public static Prefix parse(String cidr) {
    int slash = cidr.indexOf('/');
    try {
      InetAddress ip = InetAddresses.forString(slash < 0 ? cidr : cidr.substring(0, slash));
      int len = slash < 0 ? (ip instanceof Inet4Address ? 32 : 128) : Integer.parseInt(cidr.substring(slash + 1));
      return new Prefix(ip, len);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid CIDR address: " + cidr, e);
    }
  }

  /** The whole IPv4 ({@code 0.0.0.0/0}) or IPv6 ({@code ::/0}) space. */
  public static Prefix any(Family family) {
    return family == Family.IPV6 ? parse("::/0") : parse("0.0.0.0/0");
  }

  /** IPv4 or IPv6. */
  public Family family() {
    return ip instanceof Inet4Address ? Family.IPV4 : Family.IPV6;
  }

  /** The prefix with host bits cleared, e.g. {@code 10.22.0.0/24} for {@code 10.22.0.2/24}. */
  public Prefix network() {
    byte[] b = ip.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, length - i * 8));
      b[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return new Prefix(InetAddress.getByAddress(b), length);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code ip/length} with IPv6 in RFC 5952 compressed form. */
  @Override
  public String toString() {
    return InetAddresses.toAddrString(ip) + "/" + length;
  }
}
