package io.jcni.plugins.netfilter;

import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.linux.NfTablesBatch;
import io.jcni.plugins.linux.NfTablesBatch.Expr;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The ipMasq setup of a container with one IPv4 address as one nf_tables transaction, encoded the way iptables-nft
 * 1.8 encodes the restore lines of {@link IptablesMasq#freshSetupLines}, so iptables-save prints, and iptables -D
 * finds, exactly the rules iptables-restore would have made.
 *
 * <p>Why: on a busy node a process launch costs milliseconds before the program does anything, and every
 * transaction of an ADD would wait for one. Where iptables is the nf_tables variant, the same rules can be sent
 * from this process. Anything else (IPv6, several addresses, a prefix of 0, a long comment) is left to
 * iptables-restore.
 */
final class IptablesNftBatch {
  private static final String TABLE = "nat";
  private static final int DADDR = 16;
  private static final int SADDR = 12;
  /** xt_comment's struct: the comment in a fixed 256-byte field. */
  private static final int COMMENT_SIZE = 256;
  private static final IpNet MULTICAST = IpNet.tryParse("224.0.0.0/4");

  private IptablesNftBatch() {}

  /**
   * The batch for a container chain {@code chain} that does not exist yet: the chain, its ACCEPT and MASQUERADE
   * rules, and the POSTROUTING jump; empty when {@code ip} is not one this encoding covers.
   */
  static Optional<NfTablesBatch> freshSetup(String chain, String comment, IpNet ip) {
    byte[] text = comment.getBytes(StandardCharsets.UTF_8);
    if (!(ip.ip() instanceof Inet4Address) || ip.prefixLength() == 0 || text.length >= COMMENT_SIZE) {
      return Optional.empty();
    }
    Expr commentMatch = Expr.match("comment", 0, Arrays.copyOf(text, COMMENT_SIZE));
    NfTablesBatch b = new NfTablesBatch().newChain(NfTablesBatch.FAMILY_IPV4, TABLE, chain);
    b.appendRule(NfTablesBatch.FAMILY_IPV4, TABLE, chain,
        rule(address(DADDR, ip.network(), Expr.EQ), commentMatch, Expr.accept()));
    b.appendRule(NfTablesBatch.FAMILY_IPV4, TABLE, chain,
        rule(address(DADDR, MULTICAST, Expr.NEQ), commentMatch, masquerade()));
    b.appendRule(NfTablesBatch.FAMILY_IPV4, TABLE, "POSTROUTING",
        rule(address(SADDR, IpNet.of(ip.ip(), 32), Expr.EQ), commentMatch, Expr.jump(chain)));
    return Optional.of(b);
  }

  /** iptables-nft's order: the address match, the other matches, a counter, then the verdict or target. */
  private static List<Expr> rule(List<Expr> address, Expr match, Expr verdict) {
    List<Expr> all = new ArrayList<>(address);
    all.add(match);
    all.add(Expr.counter());
    all.add(verdict);
    return all;
  }

  /**
   * {@code -s}/{@code -d net}: iptables-nft loads only the whole bytes of a byte-aligned prefix and compares them;
   * any other prefix loads all four bytes and masks them first.
   */
  private static List<Expr> address(int offset, IpNet net, int op) {
    int prefix = net.prefixLength();
    byte[] addr = net.network().ip().getAddress();
    if (prefix % 8 == 0) {
      int len = prefix / 8;
      return List.of(Expr.payload(Expr.NETWORK_HEADER, offset, len), Expr.cmp(op, Arrays.copyOf(addr, len)));
    }
    byte[] mask = ByteBuffer.allocate(4).putInt((int) (0xffffffffL << (32 - prefix))).array();
    return List.of(Expr.payload(Expr.NETWORK_HEADER, offset, 4), Expr.bitwise(mask, new byte[4]),
        Expr.cmp(op, addr));
  }

  /**
   * {@code -j MASQUERADE}: struct nf_nat_ipv4_multi_range_compat with one empty range (no --to-ports, no
   * --random), padded to 8 bytes; its fields are in host order.
   */
  private static Expr masquerade() {
    byte[] info = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder()).putInt(1).array();
    return Expr.target("MASQUERADE", 0, info);
  }
}
