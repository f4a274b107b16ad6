package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.internal.json.GoJson;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names and comments the Go plugins give their masquerade rules, derived from network name, container id and
 * interface name; runtimes and the Go plugins find existing rules by these exact strings.
 */
final class MasqNames {
  /** iptables chain names are at most 28 characters. */
  private static final int CHAIN_NAME_MAX = 28;
  private static final String CHAIN_PREFIX = "CNI-";
  /** knftables' CommentLengthMax. */
  static final int NFT_COMMENT_MAX = 128;

  private MasqNames() {}

  /** {@code "CNI-"} followed by the first 24 hex digits of sha512(network + containerId). */
  static String chainName(String network, String containerId) {
    return CHAIN_PREFIX + sha512Hex(network + containerId).substring(0, CHAIN_NAME_MAX - CHAIN_PREFIX.length());
  }

  /** The iptables rule comment, Go's {@code fmt.Sprintf("name: %q id: %q", network, containerId)}. */
  static String iptablesComment(String network, String containerId) {
    return "name: " + goQuote(network) + " id: " + goQuote(containerId);
  }

  /** First 16 hex digits of sha512(network): the prefix shared by all nftables rules of one network. */
  static String networkHash(String network) {
    return sha512Hex(network).substring(0, 16);
  }

  /** The hash that identifies one attachment's nftables rules (network, interface, container). */
  static String instanceHash(String network, String ifName, String containerId) {
    return networkHash(network) + "-" + sha512Hex(ifName + ":" + containerId).substring(0, 16);
  }

  /**
   * The nftables rule comment: instance hash, then a readable description with {@code "} removed (nft cannot
   * escape it), cut at 128 bytes.
   */
  static String nftComment(String network, String ifName, String containerId) {
    String comment = instanceHash(network, ifName, containerId)
        + ", net: " + network.replace("\"", "")
        + ", if: " + ifName.replace("\"", "")
        + ", id: " + containerId.replace("\"", "");
    return truncateUtf8(comment, NFT_COMMENT_MAX);
  }

  /** Cuts {@code s} to at most {@code maxBytes} UTF-8 bytes, never inside a character. */
  static String truncateUtf8(String s, int maxBytes) {
    if (s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
      return s;
    }
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + len > maxBytes) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  /** Lower-case hex of the SHA-512 digest of the UTF-8 bytes of {@code s}. */
  static String sha512Hex(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-512");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-512", e);
    }
  }

  /** Go's {@code %q}, which the comments use. */
  static String goQuote(String s) {
    return GoJson.quote(s);
  }
}
