package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The iptables ipMasq rules, as the Go plugins write them since v0.x: a per-container chain {@code CNI-<hash>} in
 * the nat table that accepts the container's own network and masquerades the rest (multicast excepted), entered
 * from POSTROUTING for the container's source address. The interface name plays no part.
 *
 * <p>Where iptables is iptables-nft, setup and teardown go from this process, both address families in one
 * nf_tables transaction encoded as iptables-nft encodes them ({@link IptablesNftBatch}), without launching a
 * program: a setup for a new container, a teardown of exactly what setup made, else a teardown computed from the
 * nat tables read from the kernel. Otherwise the common cases take one {@code iptables-restore --noflush}
 * transaction per address family and no read: a setup for a new container creates its chain with {@code -N} (which
 * fails, undoing the whole transaction, if the chain exists) and appends the three rules; a teardown deletes
 * exactly the rules setup made, then flushes and deletes the chain (which fails if anything else still jumps to
 * it). When that transaction fails, or the state is anything else, the nat table is read
 * ({@code iptables-save -t nat}) and the change is computed from it: the same outcome as Go's sequence of single
 * commands either way. Reading the table
 * costs a second process whose work grows with every rule on the node.
 */
final class IptablesMasq implements MasqRules {
  /** A restore that failed because the table changed since it was read is tried once more on a fresh read. */
  private static final int ATTEMPTS = 2;

  private final FirewallExec exec;

  IptablesMasq(FirewallExec exec) {
    this.exec = exec;
  }

  /** The three rules of one address, in the order Go appends them. */
  static List<IptablesRule> rulesFor(IpNet ip, String chain, String comment) {
    IptablesFamily f = IptablesFamily.of(ip);
    List<String> tail = List.of("-m", "comment", "--comment", comment);
    return List.of(
        new IptablesRule(chain, concat(List.of("-d", ip.network().toString()), tail, List.of("-j", "ACCEPT"))),
        new IptablesRule(chain, concat(List.of("!", "-d", f.multicast), tail, List.of("-j", "MASQUERADE"))),
        new IptablesRule("POSTROUTING", concat(List.of("-s", hostCidr(ip)), tail, List.of("-j", chain))));
  }

  /** The address as iptables-save prints {@code -s ip}: with the full host prefix, {@code 10.1.2.3/32}. */
  static String hostCidr(IpNet ip) {
    return Ips.format(ip.ip()) + (ip.isIpv4() ? "/32" : "/128");
  }

  private static List<String> concat(List<String> a, List<String> b, List<String> c) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    return all;
  }

  @Override
  public void setup(String network, String containerId, String ifName, List<IpNet> ips) throws CniException {
    String chain = MasqNames.chainName(network, containerId);
    String comment = MasqNames.iptablesComment(network, containerId);
    if (inProcess(IptablesNftBatch.freshSetup(chain, comment, ips))) {
      return;
    }
    List<IptablesFamily> done = new ArrayList<>();
    for (IptablesFamily f : IptablesFamily.values()) {
      List<IpNet> mine = f.of(ips);
      if (mine.isEmpty()) {
        continue;
      }
      try {
        if (!applyIfUnchanged(f, freshSetupLines(chain, comment, mine))) {
          apply(f, dump -> setupScript(dump, chain, comment, mine));
        }
      } catch (CniException e) {
        // Each family is one transaction; undo the families already applied so a failed setup leaves nothing.
        for (IptablesFamily applied : done) {
          try {
            apply(applied, dump -> teardownScript(dump, chain));
          } catch (CniException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
      done.add(f);
    }
  }

  /**
   * The setup of a new container as {@link TableWork}: together with the chain's other rule changes, the fresh
   * setup's messages (a chain that exists already makes the transaction fail, and each change is then made on its
   * own); on its own, {@link #setup}.
   */
  @Override
  public void setup(String network, String containerId, String ifName, List<IpNet> ips, PluginContext ctx)
      throws CniException {
    String chain = MasqNames.chainName(network, containerId);
    String comment = MasqNames.iptablesComment(network, containerId);
    new TableWork(exec, exec.deadline(), Set.of("nat"), Set.of(chain),
        (batch, shared) -> TableWork.Planned.covered(IptablesNftBatch.addFreshSetup(batch, chain, comment, ips)),
        () -> setup(network, containerId, ifName, ips), () -> {}).hand(ctx);
  }

  /**
   * Commits {@code batch} (both families' change, {@link IptablesNftBatch}) from this process where possible
   * ({@link FirewallExec#commit}); false, with nothing applied, otherwise.
   */
  private boolean inProcess(Optional<NfTablesBatch> batch) {
    return batch.isPresent() && (batch.get().isEmpty() || exec.commit(batch.get()));
  }

  /**
   * The setup of a container whose chain does not exist yet: create it (failing if it does), then append the rules.
   * A POSTROUTING jump to a chain that does not exist cannot exist either, so nothing can be duplicated.
   */
  static List<String> freshSetupLines(String chain, String comment, List<IpNet> ips) {
    List<String> lines = new ArrayList<>();
    lines.add("-N " + chain);
    // AppendUnique: addresses share the MASQUERADE rule (and would share an ACCEPT of the same network)
    Set<IptablesRule> added = new LinkedHashSet<>();
    for (IpNet ip : ips) {
      added.addAll(rulesFor(ip, chain, comment));
    }
    added.forEach(r -> lines.add(r.appendLine()));
    return lines;
  }

  /**
   * The teardown of exactly what {@link #freshSetupLines} made: the POSTROUTING jumps of {@code ips}, then the
   * chain. Fails (and changes nothing) if a jump is missing or another rule still jumps to the chain.
   */
  static List<String> exactTeardownLines(String chain, String comment, List<IpNet> ips) {
    Set<IptablesRule> jumps = new LinkedHashSet<>();
    for (IpNet ip : ips) {
      for (IptablesRule rule : rulesFor(ip, chain, comment)) {
        if (rule.chain().equals("POSTROUTING")) {
          jumps.add(rule);
        }
      }
    }
    List<String> lines = new ArrayList<>();
    jumps.forEach(r -> lines.add(r.deleteLine()));
    lines.add("-F " + chain);
    lines.add("-X " + chain);
    return lines;
  }

  /** Go's sequence per address (create chain if missing, AppendUnique x3), as restore lines. */
  static List<String> setupScript(TableDump dump, String chain, String comment, List<IpNet> ips) {
    List<String> lines = new ArrayList<>();
    if (!dump.hasChain(chain)) {
      // Declaring an existing chain under --noflush would flush it, so only a missing one is declared.
      lines.add(":" + chain + " - [0:0]");
      dump.addChain(chain);
    }
    for (IpNet ip : ips) {
      for (IptablesRule rule : rulesFor(ip, chain, comment)) {
        if (!dump.contains(rule)) {
          lines.add(rule.appendLine());
          dump.append(rule);
        }
      }
    }
    return lines;
  }

  /**
   * The teardown as {@link TableWork}: together with the chain's other rule changes, exactly what setup made, else
   * what the nat tables as read show; on its own, {@link #teardown}, whose failure counts only where iptables works.
   */
  @Override
  public void teardown(String network, String containerId, String ifName, List<IpNet> ips, PluginContext ctx)
      throws CniException {
    String chain = MasqNames.chainName(network, containerId);
    String comment = MasqNames.iptablesComment(network, containerId);
    new TableWork(exec, exec.deadline(), Set.of("nat"), Set.of(chain), (batch, shared) -> {
      Optional<NfTablesBatch> own = IptablesNftBatch.exactTeardown(exec, chain, comment, ips)
          .or(() -> IptablesNftBatch.teardown(exec, chain, ips));
      own.ifPresent(batch::addAll);
      return TableWork.Planned.covered(own.isPresent());
    }, () -> teardownWhereSupported(network, containerId, ifName, ips), () -> {}).hand(ctx);
  }

  @Override
  public void teardown(String network, String containerId, String ifName, List<IpNet> ips) throws CniException {
    String chain = MasqNames.chainName(network, containerId);
    String comment = MasqNames.iptablesComment(network, containerId);
    if (inProcess(IptablesNftBatch.exactTeardown(exec, chain, comment, ips))
        || inProcess(IptablesNftBatch.teardown(exec, chain, ips))) {
      return;
    }
    List<String> errors = new ArrayList<>();
    CniException first = null;
    for (IptablesFamily f : IptablesFamily.values()) {
      List<IpNet> mine = f.of(ips);
      if (mine.isEmpty()) {
        continue;
      }
      try {
        if (!applyIfUnchanged(f, exactTeardownLines(chain, comment, mine))) {
          apply(f, dump -> teardownScript(dump, chain));
        }
      } catch (CniException e) {
        errors.add(e.getMessage());
        first = first == null ? e : first;
      }
    }
    if (errors.size() == 1) {
      throw first;
    } else if (!errors.isEmpty()) {
      throw new CniException(first.code(), String.join("\n", errors));
    }
  }

  /**
   * Deletes every nat rule that jumps to the container's chain, then flushes and deletes the chain. Go deletes the
   * POSTROUTING jump by {@code -s ip} and by the legacy {@code -s ip/prefix}; every such rule jumps to the chain,
   * and so would any rule left by an address missing from prevResult, which would otherwise keep the chain busy.
   */
  static List<String> teardownScript(TableDump dump, String chain) {
    List<String> lines = new ArrayList<>();
    for (IptablesRule rule : dump.allRules()) {
      if (chain.equals(rule.target()) && !chain.equals(rule.chain())) {
        lines.add(rule.deleteLine());
      }
    }
    if (dump.hasChain(chain)) {
      lines.add("-F " + chain);
      lines.add("-X " + chain);
    }
    return lines;
  }

  @Override
  public void gc(String network, Collection<IpMasq.Attachment> keep) {
    // Like Go: iptables chains carry no network marker, so there is nothing to collect them by.
  }

  @Override
  public boolean isSupported() {
    try {
      exec.run(List.of(IptablesFamily.V4.iptables, "-w", "-t", "nat", "-S", "POSTROUTING"), null);
      return true;
    } catch (FirewallCommandException e) {
      return false;
    }
  }

  /** Builds restore lines from the current table. */
  @FunctionalInterface
  interface ScriptBuilder {
    List<String> build(TableDump dump);
  }

  /**
   * Applies {@code lines} as one transaction without reading the table first; false (nothing changed) when the
   * transaction is refused, e.g. because the state is not the one the lines expect.
   */
  private boolean applyIfUnchanged(IptablesFamily f, List<String> lines) throws CniException {
    if (exec.runsOnHost()) {
      // concurrent ADDs and DELs of this process share one restore (group commit), each within its own deadline
      return RestoreBatch.onHost(f.restore).apply(lines, exec.deadline());
    }
    try {
      exec.run(List.of(f.restore, "-w", "--noflush"), IptablesSyntax.restoreScript("nat", lines));
      return true;
    } catch (FirewallCommandException e) {
      if (e.isTimeout() || e.isCancelled()) {
        throw e;
      }
      return false;
    }
  }

  /** Reads the nat table, builds the change and applies it; rereads and retries once if the restore fails. */
  private void apply(IptablesFamily f, ScriptBuilder builder) throws CniException {
    for (int attempt = 1; ; attempt++) {
      TableDump dump = TableDump.parse(exec.run(List.of(f.save, "-t", "nat"), null), "nat");
      List<String> lines = builder.build(dump);
      if (lines.isEmpty()) {
        return;
      }
      try {
        exec.run(List.of(f.restore, "-w", "--noflush"), IptablesSyntax.restoreScript("nat", lines));
        return;
      } catch (FirewallCommandException e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
