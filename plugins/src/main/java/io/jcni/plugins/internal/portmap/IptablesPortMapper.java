package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.netfilter.FirewallCommandException;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IptablesFamily;
import io.jcni.plugins.internal.netfilter.IptablesRule;
import io.jcni.plugins.internal.netfilter.IptablesTable;
import io.jcni.plugins.internal.netfilter.TableDump;
import io.jcni.plugins.internal.netfilter.TableWork;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The iptables backend: the rules of {@link HostPortChains} and {@link DnatChain}, computed from the nat tables as
 * read, with the outcome of Go's sequence of single iptables commands. An ADD's or DEL's changes to both address
 * families go to the kernel as one transaction where {@link IptablesTable#commitTogether} covers them, else one
 * {@code iptables-restore --noflush} per family.
 */
final class IptablesPortMapper implements PortMapper {
  private static final int ATTEMPTS = 2;

  private final FirewallExec exec;
  private final Deadline deadline;

  IptablesPortMapper(FirewallExec exec, Deadline deadline) {
    this.exec = exec;
    this.deadline = deadline;
  }

  @Override
  public void forward(PortMapConf conf, String containerId, List<IpNet> containers) throws CniException {
    String dn = DnatChain.nameFor(conf.name(), containerId);
    try {
      IptablesTable.locked("nat", deadline, () -> {
        forwardLocked(conf, containerId, containers, dn);
        return null;
      });
    } catch (CniException e) {
      throw e.isTimeout() || e.isCancelled() ? e : e.withPrefix("unable to setup DNAT: ");
    }
  }

  /**
   * {@link #forward}, handed to {@code ctx} to be committed with the chain's other rule changes ({@link TableWork});
   * {@code then} follows when the ADD has nothing else left that can fail.
   */
  @Override
  public void forward(PortMapConf conf, String containerId, List<IpNet> containers, TableWork.Step then,
      PluginContext ctx) throws CniException {
    String dn = DnatChain.nameFor(conf.name(), containerId);
    new TableWork(exec, deadline, Set.of("nat"),
        Set.of(HostPortChains.SETMARK, HostPortChains.MASQ, HostPortChains.DNAT, dn),
        (batch, shared) -> plan(conf, containerId, containers, shared, new ArrayList<>())
            .map(changes -> TableWork.Planned.covered(IptablesTable.addAll(batch, changes)))
            .orElse(TableWork.Planned.NEEDS_SHARED),
        () -> forward(conf, containerId, containers), then).hand(ctx);
  }

  /**
   * Each family's setup as planned from its nat table read now, or empty when {@code shared} is false and the
   * shared chains or entry rules are not all there; the families without the container's chain go to
   * {@code created}.
   */
  private Optional<List<IptablesTable.Change>> plan(PortMapConf conf, String containerId, List<IpNet> containers,
      boolean shared, List<IptablesFamily> created) throws CniException {
    List<IptablesTable.Change> changes = new ArrayList<>();
    for (IpNet container : containers) {
      IptablesTable nat = nat(IptablesFamily.of(container));
      TableDump table = nat.read();
      DnatChain dn = DnatChain.of(conf, containerId, container);
      List<String> lines = sharedLines(table, conf);
      if (!shared && !lines.isEmpty()) {
        return Optional.empty();
      }
      if (!table.hasChain(dn.name())) {
        created.add(nat.family());
      }
      lines.addAll(containerLines(table, dn));
      changes.add(new IptablesTable.Change(nat, lines));
    }
    return Optional.of(changes);
  }

  private void forwardLocked(PortMapConf conf, String containerId, List<IpNet> containers, String dn)
      throws CniException {
    for (int attempt = 1; ; attempt++) {
      List<IptablesFamily> created = new ArrayList<>();
      List<IptablesTable.Change> changes = plan(conf, containerId, containers, true, created).orElseThrow();
      // Go sets up one family after the other; both in one transaction leave nothing when the second fails
      if (IptablesTable.commitTogether(changes)) {
        return;
      }
      try {
        applyInTurn(changes, dn, created);
        return;
      } catch (FirewallCommandException e) {
        // the table changed since it was read (another process; this one's changes wait for the lock): read again
        if (attempt >= ATTEMPTS || e.isTimeout() || e.isCancelled()) {
          throw e;
        }
      }
    }
  }

  /**
   * Applies one family's setup after the other; when one fails, the container's chain goes again from the families
   * already set up where this ADD {@code created} it, so a failed ADD leaves no forwarding of its own behind and
   * keeps what existed before it (the shared chains stay, as they would in Go).
   */
  private void applyInTurn(List<IptablesTable.Change> changes, String dn, List<IptablesFamily> created)
      throws CniException {
    for (int i = 0; i < changes.size(); i++) {
      try {
        changes.get(i).table().apply(changes.get(i).lines());
      } catch (CniException e) {
        for (IptablesTable.Change done : changes.subList(0, i)) {
          if (!created.contains(done.table().family())) {
            continue;
          }
          IptablesTable nat = new IptablesTable(exec, done.table().family(), "nat", deadline.forUndo());
          try {
            nat.apply(teardownLines(nat.read(), HostPortChains.DNAT, dn));
          } catch (CniException | RuntimeException u) {
            e.addSuppressed(u);
          }
        }
        throw e;
      }
    }
  }

  /** The shared chains and their entry rules where missing, masquerade entry first in POSTROUTING. */
  static List<String> sharedLines(TableDump table, PortMapConf conf) {
    List<String> lines = new ArrayList<>();
    if (conf.snat() && conf.externalSetMarkChain() == null) {
      ensureChain(table, HostPortChains.SETMARK, lines);
      appendUnique(table, HostPortChains.SETMARK, HostPortChains.setMarkRule(conf.markMasqBit()), lines);
      ensureChain(table, HostPortChains.MASQ, lines);
      appendUnique(table, HostPortChains.MASQ, HostPortChains.masqRule(conf.markMasqBit()), lines);
      if (!table.contains(new IptablesRule("POSTROUTING", HostPortChains.masqEntry()))) {
        lines.add(IptablesTable.line("-I", "POSTROUTING", HostPortChains.masqEntry()));
      }
    }
    ensureChain(table, HostPortChains.DNAT, lines);
    for (String entry : HostPortChains.DNAT_ENTRY_CHAINS) {
      appendUnique(table, entry, HostPortChains.dnatEntry(), lines);
    }
    return lines;
  }

  /** The container's chain made afresh, with its entry rules. */
  static List<String> containerLines(TableDump table, DnatChain dn) {
    List<String> lines = new ArrayList<>();
    // Go adds what is missing to an existing chain; an ADD over an existing chain here replaces its rules, which
    // gives the same chain unless it held rules of an earlier, different configuration.
    if (table.hasChain(dn.name())) {
      for (List<String> jump : table.jumpsTo(HostPortChains.DNAT, dn.name())) {
        lines.add(IptablesTable.line("-D", HostPortChains.DNAT, jump));
      }
      lines.add("-F " + dn.name());
    } else {
      lines.add("-N " + dn.name());
    }
    Set<List<String>> seen = new HashSet<>();
    for (List<String> rule : dn.rules()) {
      if (seen.add(rule)) {
        lines.add(IptablesTable.line("-A", dn.name(), rule));
      }
    }
    seen.clear();
    for (List<String> rule : dn.entryRules()) {
      if (seen.add(rule)) {
        lines.add(IptablesTable.line("-A", HostPortChains.DNAT, dn.entryWithJump(rule)));
      }
    }
    return lines;
  }

  private static void ensureChain(TableDump table, String chain, List<String> lines) {
    // -N, not ":chain": should another ADD make the chain meanwhile, the transaction fails instead of flushing it
    if (!table.hasChain(chain)) {
      lines.add("-N " + chain);
    }
  }

  private static void appendUnique(TableDump table, String chain, List<String> rule, List<String> lines) {
    if (!table.contains(new IptablesRule(chain, rule))) {
      lines.add(IptablesTable.line("-A", chain, rule));
    }
  }

  @Override
  public void check(PortMapConf conf, String containerId, IpNet container) throws CniException {
    IptablesFamily f = IptablesFamily.of(container);
    IptablesTable nat = nat(f);
    TableDump table;
    try {
      table = nat.read();
    } catch (CniException e) {
      String e4 = f == IptablesFamily.V4 ? e.getMessage() : "<nil>";
      String e6 = f == IptablesFamily.V6 ? e.getMessage() : "<nil>";
      throw new CniException(ErrorCode.INTERNAL,
          "neither iptables nor ip6tables is usable, (iptables) " + e4 + ", (ip6tables) " + e6);
    }
    DnatChain dn = DnatChain.of(conf, containerId, container);
    String prefix = "could not check " + (f == IptablesFamily.V4 ? "ipv4" : "ipv6") + " dnat: ";
    if (!table.hasChain(dn.name())) {
      throw new CniException(ErrorCode.INTERNAL, prefix + "chain " + dn.name() + " not found in iptables table nat");
    }
    // Go checks with iptables -C, last rule first
    for (int i = dn.rules().size() - 1; i >= 0; i--) {
      if (!nat.exists(dn.name(), dn.rules().get(i))) {
        throw new CniException(ErrorCode.INTERNAL, prefix + "rule " + DnatChain.goFormat(dn.rules()) + " in chain "
            + dn.name() + " not found in table nat");
      }
    }
    for (int i = dn.entryRules().size() - 1; i >= 0; i--) {
      if (!nat.exists(HostPortChains.DNAT, dn.entryWithJump(dn.entryRules().get(i)))) {
        throw new CniException(ErrorCode.INTERNAL, prefix + "rule " + DnatChain.goFormat(dn.entryRules())
            + " in chain " + HostPortChains.DNAT + " not found in table nat");
      }
    }
  }

  @Override
  public void unforward(PortMapConf conf, String containerId) throws CniException {
    IptablesTable.locked("nat", deadline, () -> {
      unforwardLocked(conf, containerId);
      return null;
    });
  }

  /**
   * {@link #unforward(PortMapConf, String)} as {@link TableWork}: together with the chain's other rule changes, the
   * container's chains and the jumps to them as the nat tables read show them, in the families of the addresses of
   * the prevResult, those ADD used. Without a prevResult, or where a table cannot be read from the kernel, the
   * removal is made on its own, in both families.
   */
  @Override
  public void unforward(PortMapConf conf, String containerId, PluginContext ctx) throws CniException {
    String dn = DnatChain.nameFor(conf.name(), containerId);
    String oldSnat = DnatChain.oldSnatNameFor(conf.name(), containerId);
    List<IptablesFamily> families = new ArrayList<>();
    if (conf.containerV4() != null) {
      families.add(IptablesFamily.V4);
    }
    if (conf.containerV6() != null) {
      families.add(IptablesFamily.V6);
    }
    new TableWork(exec, deadline, Set.of("nat"), Set.of(dn, oldSnat), (batch, shared) -> {
      if (families.isEmpty()) {
        return TableWork.Planned.NOT_COVERED;
      }
      List<IptablesTable.Change> changes = new ArrayList<>();
      for (IptablesFamily f : families) {
        IptablesTable nat = nat(f);
        java.util.Optional<TableDump> table = exec.readTable(f, "nat");
        if (table.isEmpty()) {
          return TableWork.Planned.NOT_COVERED;
        }
        List<String> lines = teardownLines(table.get(), HostPortChains.DNAT, dn);
        lines.addAll(teardownLines(table.get(), HostPortChains.OLD_SNAT, oldSnat));
        changes.add(new IptablesTable.Change(nat, lines));
      }
      return TableWork.Planned.covered(IptablesTable.addAll(batch, changes));
    }, () -> unforward(conf, containerId), () -> {}).hand(ctx);
  }

  private void unforwardLocked(PortMapConf conf, String containerId) throws CniException {
    String dn = DnatChain.nameFor(conf.name(), containerId);
    String oldSnat = DnatChain.oldSnatNameFor(conf.name(), containerId);
    String[] unusable = new String[2];
    List<IptablesTable.Change> dnat = new ArrayList<>();
    List<IptablesTable.Change> snat = new ArrayList<>();
    for (IptablesFamily f : IptablesFamily.values()) {
      IptablesTable nat = nat(f);
      TableDump table;
      try {
        table = nat.read();
      } catch (CniException e) {
        if (e.isTimeout() || e.isCancelled()) {
          throw e;
        }
        // a family without iptables support is skipped, as in Go: ADD cannot have used it
        unusable[f.ordinal()] = e.getMessage();
        continue;
      }
      dnat.add(new IptablesTable.Change(nat, teardownLines(table, HostPortChains.DNAT, dn)));
      snat.add(new IptablesTable.Change(nat, teardownLines(table, HostPortChains.OLD_SNAT, oldSnat)));
    }
    if (!IptablesTable.commitTogether(dnat)) {
      for (IptablesTable.Change c : dnat) {
        try {
          c.table().apply(c.lines());
        } catch (CniException e) {
          throw e.isTimeout() || e.isCancelled() ? e
              : e.withPrefix("could not teardown " + (c.table().family() == IptablesFamily.V4 ? "ipv4" : "ipv6")
                  + " dnat: ");
        }
      }
    }
    for (IptablesTable.Change c : snat) {
      try {
        c.table().apply(c.lines());
      } catch (CniException e) {
        // Go ignores a failed teardown of the old chain
      }
    }
    if (unusable[0] != null && unusable[1] != null) {
      throw new CniException(ErrorCode.INTERNAL, "neither iptables nor ip6tables is usable, (iptables) "
          + unusable[0] + ", (ip6tables) " + unusable[1]);
    }
  }

  private IptablesTable nat(IptablesFamily f) {
    return new IptablesTable(exec, f, "nat", deadline);
  }

  /** Deletes every jump from {@code entryChain} to {@code chain}, then flushes and deletes {@code chain}. */
  static List<String> teardownLines(TableDump table, String entryChain, String chain) {
    List<String> lines = new ArrayList<>();
    if (!table.hasChain(chain)) {
      return lines;
    }
    for (List<String> jump : table.jumpsTo(entryChain, chain)) {
      lines.add(IptablesTable.line("-D", entryChain, jump));
    }
    lines.add("-F " + chain);
    lines.add("-X " + chain);
    return lines;
  }
}
