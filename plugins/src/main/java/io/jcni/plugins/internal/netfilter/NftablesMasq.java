package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesRules;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nftables ipMasq rules of the Go plugins (v1.6.1+): table {@code inet cni_plugins_masquerade}, a base chain
 * {@code postrouting} that skips multicast and jumps to {@code masq_checks}, and there one rule per container
 * address whose comment starts with the attachment's hash, by which it is found again.
 *
 * <p>Setup, teardown and GC read {@code masq_checks} over netlink (each rule's comment is in its user data) and
 * make their change in one nf_tables transaction from this process: setup the one nft makes of
 * {@link #setupScript} ({@link NftablesMasqBatch}), teardown and GC deletes by handle. Only where that is not
 * possible (no netlink here, or the kernel refused twice) do they run nft: setup lists the chain
 * ({@code nft -j list chain}) for the handles and runs the script with {@code nft -f -}.
 */
final class NftablesMasq implements MasqRules {
  static final String TABLE = "cni_plugins_masquerade";
  static final String CHAIN = "masq_checks";
  static final String TABLE_COMMENT = "Masquerading for plugins from github.com/containernetworking/plugins";
  static final String CHAIN_COMMENT =
      "Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet";
  private static final String T = "inet " + TABLE;
  private static final NftRulesByComment.Chain MASQ_CHECKS =
      new NftRulesByComment.Chain(NfTablesRules.FAMILY_INET, TABLE, CHAIN);
  private static final int ATTEMPTS = 2;
  private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)");

  private final FirewallExec exec;

  NftablesMasq(FirewallExec exec) {
    this.exec = exec;
  }

  /** The rule text of one address, as knftables writes it for the Go plugin. */
  static String ruleFor(IpNet ip, String comment) {
    String fam = ip.isIpv4() ? "ip" : "ip6";
    return fam + " saddr == " + Ips.format(ip.ip()) + " " + fam + " daddr != " + ip.network().toString() + " masquerade comment \""
        + comment + "\"";
  }

  /** The full setup transaction: table and chains ensured, postrouting rewritten, stale rules replaced. */
  static String setupScript(List<NftRuleRef> stale, String comment, List<IpNet> ips) {
    StringBuilder b = new StringBuilder();
    b.append("add table ").append(T).append(" { comment \"").append(TABLE_COMMENT).append("\" ; }\n");
    b.append("add chain ").append(T).append(' ').append(CHAIN)
        .append(" { comment \"").append(CHAIN_COMMENT).append("\" ; }\n");
    b.append("add chain ").append(T).append(" postrouting { type nat hook postrouting priority 100 ; }\n");
    b.append("flush chain ").append(T).append(" postrouting\n");
    b.append("add rule ").append(T).append(" postrouting ip daddr == 224.0.0.0/4  return\n");
    b.append("add rule ").append(T).append(" postrouting ip6 daddr == ff00::/8  return\n");
    b.append("add rule ").append(T).append(" postrouting goto ").append(CHAIN).append('\n');
    stale.forEach(r -> b.append(r.deleteCommand()).append('\n'));
    for (IpNet ip : ips) {
      b.append("add rule ").append(T).append(' ').append(CHAIN).append(' ').append(ruleFor(ip, comment)).append('\n');
    }
    return b.toString();
  }

  /**
   * The setup as {@link TableWork}: together with the chain's other rule changes, the attachment's stale rules
   * (as read now) replaced by its new ones; on its own, {@link #setup}.
   */
  @Override
  public void setup(String network, String containerId, String ifName, List<IpNet> ips, PluginContext ctx)
      throws CniException {
    String prefix = MasqNames.instanceHash(network, ifName, containerId);
    String comment = MasqNames.nftComment(network, ifName, containerId);
    TableWork.nft(exec, exec.deadline(), "masq " + prefix, (batch, shared) -> {
      Optional<List<NfTablesRules.Rule>> stale = listInProcess(prefix);
      stale.ifPresent(rules -> batch.addAll(
          NftablesMasqBatch.setup(rules.stream().map(NfTablesRules.Rule::handle).toList(), comment, ips)));
      return TableWork.Planned.covered(stale.isPresent());
    }, () -> setup(network, containerId, ifName, ips), () -> {}).hand(ctx);
  }

  /**
   * The teardown as {@link TableWork}: together with the chain's other rule changes, the attachment's rules as
   * read now; on its own, {@link #teardown}, whose failure counts only where nftables works here.
   */
  @Override
  public void teardown(String network, String containerId, String ifName, List<IpNet> ips, PluginContext ctx)
      throws CniException {
    String prefix = MasqNames.instanceHash(network, ifName, containerId);
    TableWork.nft(exec, exec.deadline(), "masq " + prefix,
        (batch, shared) -> TableWork.Planned.covered(NftRulesByComment.addDeletes(exec, List.of(MASQ_CHECKS),
            comment -> comment.startsWith(prefix), batch)),
        () -> teardownWhereSupported(network, containerId, ifName, ips), () -> {}).hand(ctx);
  }

  @Override
  public void setup(String network, String containerId, String ifName, List<IpNet> ips) throws CniException {
    String prefix = MasqNames.instanceHash(network, ifName, containerId);
    String comment = MasqNames.nftComment(network, ifName, containerId);
    if (setupInProcess(prefix, comment, ips)) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      String script = setupScript(rulesWithPrefix(prefix), comment, ips);
      try {
        exec.run(List.of("nft", "-f", "-"), script);
        return;
      } catch (FirewallCommandException e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Makes the setup transaction from this process; false when the chain cannot be read or the transaction is
   * refused twice (a stale rule deleted by someone else meanwhile), and nft is then run instead.
   */
  private boolean setupInProcess(String prefix, String comment, List<IpNet> ips) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Optional<List<NfTablesRules.Rule>> stale = listInProcess(prefix);
      if (stale.isEmpty()) {
        return false;
      }
      List<Long> handles = stale.get().stream().map(NfTablesRules.Rule::handle).toList();
      if (exec.commitNft(NftablesMasqBatch.setup(handles, comment, ips))) {
        return true;
      }
    }
    return false;
  }

  /** The masq_checks rules whose comment starts with {@code prefix}, read over netlink; empty when not possible. */
  private Optional<List<NfTablesRules.Rule>> listInProcess(String prefix) {
    if (exec.deadline().isExpired()) {
      return Optional.empty(); // nft then reports the deadline, as it would have
    }
    return exec.listNftRules(NfTablesRules.FAMILY_INET, TABLE, CHAIN).map(rules -> rules.stream()
        .filter(r -> r.comment() != null && r.comment().startsWith(prefix))
        .toList());
  }

  @Override
  public void teardown(String network, String containerId, String ifName, List<IpNet> ips) throws CniException {
    // Like Go, the addresses play no part: the comment identifies the attachment.
    deleteWhere(MasqNames.instanceHash(network, ifName, containerId), comment -> true);
  }

  @Override
  public void gc(String network, Collection<IpMasq.Attachment> keep) throws CniException {
    Set<String> valid = new HashSet<>();
    for (IpMasq.Attachment a : keep) {
      valid.add(MasqNames.nftComment(network, a.ifName(), a.containerId()));
    }
    deleteWhere(MasqNames.networkHash(network), comment -> !valid.contains(comment));
  }

  private interface CommentFilter {
    boolean delete(String comment);
  }

  private void deleteWhere(String prefix, CommentFilter filter) throws CniException {
    // past the deadline nft is run, and reports it, as before
    if (!exec.deadline().isExpired() && NftRulesByComment.delete(exec, List.of(MASQ_CHECKS),
        comment -> comment.startsWith(prefix) && filter.delete(comment))) {
      return;
    }
    for (int attempt = 1; ; attempt++) {
      List<String> deletes = new ArrayList<>();
      for (NftRuleRef r : rulesWithPrefix(prefix)) {
        if (filter.delete(r.comment())) {
          deletes.add(r.deleteCommand());
        }
      }
      if (deletes.isEmpty()) {
        return;
      }
      try {
        exec.run(List.of("nft", "-f", "-"), String.join("\n", deletes) + "\n");
        return;
      } catch (FirewallCommandException e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** The masq_checks rules whose comment starts with {@code prefix}; none when the chain does not exist yet. */
  private List<NftRuleRef> rulesWithPrefix(String prefix) throws CniException {
    String json;
    try {
      json = exec.run(List.of("nft", "-j", "list", "chain", "inet", TABLE, CHAIN), null);
    } catch (FirewallCommandException e) {
      if (e.isNotFound()) {
        return List.of();
      }
      throw e;
    }
    return NftRuleRef.Listing.parse(json).rules().stream()
        .filter(r -> r.comment() != null && r.comment().startsWith(prefix))
        .toList();
  }

  /** knftables' test: nft 1.0.1 or newer, and allowed to check a change to our table. */
  @Override
  public boolean isSupported() {
    try {
      Matcher m = VERSION.matcher(exec.run(List.of("nft", "--version"), null));
      if (!m.find()) {
        return false;
      }
      int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
      if (v[0] < 1 || v[0] == 1 && v[1] == 0 && v[2] < 1) {
        return false;
      }
      exec.run(List.of("nft", "--check", "-f", "-"), "add table " + T + "\n");
      return true;
    } catch (FirewallCommandException | NumberFormatException e) {
      return false;
    }
  }
}
