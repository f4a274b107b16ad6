package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesBatch.Expr;
import io.jcni.plugins.internal.linux.NfTablesRules;
import java.util.ArrayList;
import java.util.List;

/**
 * The nftables ipMasq setup of one attachment as one nf_tables transaction: message for message what nft 1.0.6
 * sends for {@link NftablesMasq#setupScript}, so that nft lists the result as if it had made it.
 */
final class NftablesMasqBatch {
  private static final int FAMILY = NfTablesRules.FAMILY_INET;
  private static final String TABLE = NftablesMasq.TABLE;
  private static final String CHAIN = NftablesMasq.CHAIN;
  private static final String POSTROUTING = "postrouting";
  /** nft's {@code srcnat}, the priority knftables gives the nat chain. */
  private static final int NAT_PRIORITY = 100;

  private NftablesMasqBatch() {}

  /**
   * Table and chains ensured, postrouting flushed and refilled, the rules with {@code staleHandles} deleted from
   * masq_checks, and one rule per address of {@code ips} with {@code comment} appended there.
   */
  static NfTablesBatch setup(List<Long> staleHandles, String comment, List<IpNet> ips) {
    NfTablesBatch b = new NfTablesBatch()
        .addTable(FAMILY, TABLE, NftablesMasq.TABLE_COMMENT)
        .addChain(FAMILY, TABLE, CHAIN, NftablesMasq.CHAIN_COMMENT)
        .addBaseChain(FAMILY, TABLE, POSTROUTING, "nat", NfTablesBatch.HOOK_POSTROUTING, NAT_PRIORITY)
        .flushChain(FAMILY, TABLE, POSTROUTING);
    for (IptablesFamily f : IptablesFamily.values()) {
      IpNet multicast = IpNet.tryParse(f.multicast);
      List<Expr> e = match(f, f.daddrOffset, multicast, Expr.EQ);
      e.add(Expr.ret());
      b.appendNftRule(FAMILY, TABLE, POSTROUTING, e, null);
    }
    b.appendNftRule(FAMILY, TABLE, POSTROUTING, List.of(Expr.goTo(CHAIN)), null);
    for (long handle : staleHandles) {
      b.deleteRule(FAMILY, TABLE, CHAIN, handle);
    }
    for (IpNet ip : ips) {
      IptablesFamily f = IptablesFamily.of(ip);
      List<Expr> e = match(f, f.saddrOffset, IpNet.of(ip.ip(), f.addressLength * 8), Expr.EQ);
      e.addAll(Expr.prefix(f.daddrOffset, ip.ip().getAddress(), ip.prefixLength(), Expr.NEQ));
      e.add(Expr.masq());
      b.appendNftRule(FAMILY, TABLE, CHAIN, e, comment);
    }
    return b;
  }

  /** nft's {@code ip saddr == NET} in an inet table: the packet's family checked, then the address prefix. */
  private static List<Expr> match(IptablesFamily f, int offset, IpNet net, int op) {
    List<Expr> e = new ArrayList<>();
    e.add(Expr.meta(Expr.META_NFPROTO));
    e.add(Expr.cmp(Expr.EQ, new byte[] {(byte) f.nfproto}));
    e.addAll(Expr.prefix(offset, net.ip().getAddress(), net.prefixLength(), op));
    return e;
  }
}
