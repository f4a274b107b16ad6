package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesBatch.Expr;
import io.jcni.plugins.internal.netfilter.IptablesFamily;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An ADD of the nftables backend as one nf_tables transaction: message for message what nft 1.0.6 sends for
 * {@link HostPortTable#forwardScript} of each container address, so that nft lists the result as if it had made it.
 */
final class HostPortBatch {
  /** nft's limit on a comment ({@code NFTNL_UDATA_COMMENT_MAXLEN}). */
  private static final int MAX_COMMENT = 128;
  /** A comment nft reads back unchanged from between quotes. */
  private static final Pattern PLAIN_COMMENT = Pattern.compile("[A-Za-z0-9_.\\-]+");
  /** nft's {@code dstnat} and {@code srcnat}, the priorities knftables gives the nat chains. */
  private static final int DSTNAT = -100;
  private static final int SRCNAT = 100;

  private HostPortBatch() {}

  /**
   * The transaction of the ADD of {@code containers}; empty where the text has something only nft can read (entry
   * conditions, which are nft rule text) or rejects (a protocol nft has no name for, a port or hostIP it does not
   * take), and nft is then run with the text.
   */
  static Optional<NfTablesBatch> forward(PortMapConf conf, String containerId, List<IpNet> containers) {
    if (containerId.getBytes(StandardCharsets.UTF_8).length > MAX_COMMENT
        || !PLAIN_COMMENT.matcher(containerId).matches()) {
      return Optional.empty();
    }
    NfTablesBatch b = new NfTablesBatch();
    for (IpNet container : containers) {
      if (!forward(b, conf, containerId, container)) {
        return Optional.empty();
      }
    }
    return Optional.of(b);
  }

  private static boolean forward(NfTablesBatch b, PortMapConf conf, String containerId, IpNet container) {
    boolean v6 = !container.isIpv4();
    IptablesFamily f = IptablesFamily.of(container);
    int fam = f.nfproto;
    String t = HostPortTable.TABLE;
    if (!conf.conditions(v6).isEmpty()) {
      return false;
    }
    b.addTable(fam, t, HostPortTable.TABLE_COMMENT)
        .addChain(fam, t, HostPortTable.HOSTPORTS, null)
        .addChain(fam, t, HostPortTable.HOSTIP_HOSTPORTS, null)
        .addChain(fam, t, HostPortTable.HOSTPORTS_ALL, null)
        .flushChain(fam, t, HostPortTable.HOSTPORTS_ALL)
        .appendNftRule(fam, t, HostPortTable.HOSTPORTS_ALL, List.of(Expr.jump(HostPortTable.HOSTIP_HOSTPORTS)), null)
        .appendNftRule(fam, t, HostPortTable.HOSTPORTS_ALL, List.of(Expr.jump(HostPortTable.HOSTPORTS)), null);
    List<Expr> entry = new ArrayList<>(Expr.fibDaddrTypeLocal());
    entry.add(Expr.jump(HostPortTable.HOSTPORTS_ALL));
    for (String hook : List.of("prerouting", "output")) {
      int hookNum = hook.equals("prerouting") ? NfTablesBatch.HOOK_PREROUTING : NfTablesBatch.HOOK_OUTPUT;
      b.addBaseChain(fam, t, hook, "nat", hookNum, DSTNAT)
          .flushChain(fam, t, hook)
          .appendNftRule(fam, t, hook, entry, null);
    }
    if (conf.snat()) {
      b.addBaseChain(fam, t, HostPortTable.MASQUERADING, "nat", NfTablesBatch.HOOK_POSTROUTING, SRCNAT);
    }
    byte[] ip = container.ip().getAddress();
    for (PortMapping m : conf.mappings()) {
      if (!m.appliesTo(v6)) {
        continue;
      }
      Integer protocol = Expr.PROTOCOLS.get(m.protocol());
      if (protocol == null || m.hostPort() > 0xffff || m.containerPort() > 0xffff) {
        return false;
      }
      List<Expr> e = new ArrayList<>();
      if (m.destination() != null) {
        InetAddress daddr = Ips.tryParse(m.destination());
        // nft reads an IPv4-mapped address as IPv6, and one of the other family not at all
        if (daddr == null || daddr.getAddress().length != ip.length || m.destination().contains(":") != v6) {
          return false;
        }
        e.addAll(host(f.daddrOffset, daddr.getAddress()));
      }
      e.addAll(Expr.dport(protocol, m.hostPort()));
      e.addAll(Expr.dnat(fam, ip, m.containerPort()));
      b.appendNftRule(fam, t, HostPortTable.HOSTPORTS, e, containerId);
    }
    if (conf.snat()) {
      for (String source : HostPortTable.masqSources(conf, container)) {
        IpNet s = IpNet.tryParse(source.contains("/") ? source : source + "/" + ip.length * 8);
        List<Expr> e = new ArrayList<>(Expr.prefix(f.saddrOffset, s.ip().getAddress(), s.prefixLength(), Expr.EQ));
        e.addAll(host(f.daddrOffset, ip));
        e.add(Expr.masq());
        b.appendNftRule(fam, t, HostPortTable.MASQUERADING, e, containerId);
      }
    }
    return true;
  }

  /** nft's match of one address at {@code offset} of the network header. */
  private static List<Expr> host(int offset, byte[] address) {
    return Expr.prefix(offset, address, address.length * 8, Expr.EQ);
  }
}
