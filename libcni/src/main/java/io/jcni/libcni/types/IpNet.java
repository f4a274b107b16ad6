package io.jcni.libcni.types;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.jcni.libcni.internal.types.Ips;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IP address with a prefix length, written as CIDR text with the host bits kept ({@code 10.1.2.2/24}), the way
 * CNI results carry addresses (Go's {@code types.IPNet}).
 *
 * @param ip the address, host bits included
 * @param prefixLength 0–32 for IPv4, 0–128 for IPv6
 */
public record IpNet(InetAddress ip, int prefixLength) {

  public IpNet {
    Objects.requireNonNull(ip, "ip");
    int max = ip instanceof Inet4Address ? 32 : 128;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + Ips.format(ip));
    }
  }

  /**
   * Parses CIDR text as Go's {@code types.ParseCIDR}: the address keeps its host bits.
   *
   * <p>An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1/120}) becomes IPv4 with the prefix reduced by 96 (never
   * below 0), which is what Go prints for such a value.
   *
   * @throws CniException code {@link ErrorCode#DECODING_FAILURE}, {@code invalid CIDR address: x}
   */
  @JsonCreator
  public static IpNet parse(String cidr) throws CniException {
    IpNet n = tryParse(cidr);
    if (n == null) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "invalid CIDR address: " + (cidr == null ? "" : cidr));
    }
    return n;
  }

  /** Parses like {@link #parse} but returns null for text that is not a CIDR. */
  public static IpNet tryParse(String cidr) {
    if (cidr == null) {
      return null;
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      return null;
    }
    String addr = cidr.substring(0, slash);
    String len = cidr.substring(slash + 1);
    InetAddress ip = Ips.tryParse(addr);
    // Go accepts 1-3 decimal digits, no sign and no leading zero.
    if (ip == null || len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')
        || (len.length() > 1 && len.charAt(0) == '0')) {
      return null;
    }
    int prefix = Integer.parseInt(len);
    boolean written6 = addr.indexOf(':') >= 0;
    if (prefix > (written6 ? 128 : 32)) {
      return null;
    }
    if (written6 && ip instanceof Inet4Address) {
      prefix = Math.max(0, prefix - 96);
    }
    return new IpNet(ip, prefix);
  }

  /** Creates the value from an address and a prefix length. */
  public static IpNet of(InetAddress ip, int prefixLength) {
    return new IpNet(ip, prefixLength);
  }

  /** Whether the address is IPv4 (Go's {@code To4() != nil}). */
  public boolean isIpv4() {
    return ip instanceof Inet4Address;
  }

  /** The network: same prefix, host bits cleared ({@code 10.1.2.0/24} for {@code 10.1.2.2/24}). */
  public IpNet network() {
    return new IpNet(mask(ip.getAddress(), prefixLength), prefixLength);
  }

  /** The broadcast address: host bits set ({@code 10.1.2.255} for {@code 10.1.2.2/24}). */
  public InetAddress broadcast() {
    byte[] b = ip.getAddress();
    for (int i = 0; i < b.length; i++) {
      int bits = Math.max(0, Math.min(8, prefixLength - i * 8));
      b[i] |= (byte) (0xff >>> bits);
    }
    return Ips.fromBytes(b);
  }

  /** Whether {@code addr} is in this network; an address of the other family never is. */
  public boolean contains(InetAddress addr) {
    if (addr == null || (addr instanceof Inet4Address) != isIpv4()) {
      return false;
    }
    return mask(addr.getAddress(), prefixLength).equals(network().ip);
  }

  /** The netmask as an address, e.g. {@code 255.255.255.0} for a /24. */
  public InetAddress netmask() {
    byte[] ones = new byte[ip.getAddress().length];
    java.util.Arrays.fill(ones, (byte) 0xff);
    return mask(ones, prefixLength);
  }

  private static InetAddress mask(byte[] b, int prefix) {
    for (int i = 0; i < b.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] &= (byte) (0xff << (8 - bits));
    }
    return Ips.fromBytes(b);
  }

  /** The CIDR text in Go's format, host bits kept, e.g. {@code 10.1.2.2/24} or {@code 2001:db8::2/64}. */
  @JsonValue
  @Override
  public String toString() {
    return Ips.format(ip) + "/" + prefixLength;
  }
}
