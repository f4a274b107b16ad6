package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IptablesFamily;
import io.jcni.plugins.internal.netfilter.IptablesNat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The iptables backend: the rules of {@link HostPortChains} and {@link DnatChain}, each ADD and DEL of an address
 * family applied as one {@code iptables-restore --noflush} transaction computed from the nat table as read, with
 * the outcome of Go's sequence of single iptables commands.
 */
final class IptablesPortMapper implements PortMapper {
  private final FirewallExec exec;
  private final Deadline deadline;

  IptablesPortMapper(FirewallExec exec, Deadline deadline) {
    this.exec = exec;
    this.deadline = deadline;
  }

  @Override
  public void forward(PortMapConf conf, String containerId, IpNet container) throws CniException {
    IptablesNat nat = new IptablesNat(exec, IptablesFamily.of(container), deadline);
    DnatChain dn = DnatChain.of(conf, containerId, container);
    try {
      nat.apply(forwardLines(nat.read(), conf, dn));
    } catch (CniException e) {
      throw e.isTimeout() || e.isCancelled() ? e : e.withPrefix("unable to setup DNAT: ");
    }
  }

  /**
   * The restore lines of one family's setup: the shared chains and their entry rules where missing (masquerade
   * entry first in POSTROUTING), then the container's chain made afresh with its entry rules.
   */
  static List<String> forwardLines(IptablesNat.Snapshot table, PortMapConf conf, DnatChain dn) {
    List<String> lines = new ArrayList<>();
    if (conf.snat() && conf.externalSetMarkChain() == null) {
      ensureChain(table, HostPortChains.SETMARK, lines);
      appendUnique(table, HostPortChains.SETMARK, HostPortChains.setMarkRule(conf.markMasqBit()), lines);
      ensureChain(table, HostPortChains.MASQ, lines);
      appendUnique(table, HostPortChains.MASQ, HostPortChains.masqRule(conf.markMasqBit()), lines);
      if (!table.contains("POSTROUTING", HostPortChains.masqEntry())) {
        lines.add(IptablesNat.line("-I", "POSTROUTING", HostPortChains.masqEntry()));
      }
    }
    ensureChain(table, HostPortChains.DNAT, lines);
    for (String entry : HostPortChains.DNAT_ENTRY_CHAINS) {
      appendUnique(table, entry, HostPortChains.dnatEntry(), lines);
    }
    // Go adds what is missing to an existing chain; an ADD over an existing chain here replaces its rules, which
    // gives the same chain unless it held rules of an earlier, different configuration.
    if (table.hasChain(dn.name())) {
      for (List<String> jump : table.jumpsTo(HostPortChains.DNAT, dn.name())) {
        lines.add(IptablesNat.line("-D", HostPortChains.DNAT, jump));
      }
      lines.add("-F " + dn.name());
    } else {
      lines.add(":" + dn.name() + " - [0:0]");
    }
    Set<List<String>> seen = new HashSet<>();
    for (List<String> rule : dn.rules()) {
      if (seen.add(rule)) {
        lines.add(IptablesNat.line("-A", dn.name(), rule));
      }
    }
    seen.clear();
    for (List<String> rule : dn.entryRules()) {
      if (seen.add(rule)) {
        lines.add(IptablesNat.line("-A", HostPortChains.DNAT, dn.entryWithJump(rule)));
      }
    }
    return lines;
  }

  private static void ensureChain(IptablesNat.Snapshot table, String chain, List<String> lines) {
    // declaring an existing chain under --noflush would flush it
    if (!table.hasChain(chain)) {
      lines.add(":" + chain + " - [0:0]");
    }
  }

  private static void appendUnique(IptablesNat.Snapshot table, String chain, List<String> rule, List<String> lines) {
    if (!table.contains(chain, rule)) {
      lines.add(IptablesNat.line("-A", chain, rule));
    }
  }

  @Override
  public void check(PortMapConf conf, String containerId, IpNet container) throws CniException {
    IptablesFamily f = IptablesFamily.of(container);
    IptablesNat nat = new IptablesNat(exec, f, deadline);
    IptablesNat.Snapshot table;
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
    String dn = DnatChain.nameFor(conf.name(), containerId);
    String oldSnat = DnatChain.oldSnatNameFor(conf.name(), containerId);
    String[] unusable = new String[2];
    for (IptablesFamily f : IptablesFamily.values()) {
      IptablesNat nat = new IptablesNat(exec, f, deadline);
      IptablesNat.Snapshot table;
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
      try {
        nat.apply(teardownLines(table, HostPortChains.DNAT, dn));
      } catch (CniException e) {
        throw e.isTimeout() || e.isCancelled() ? e
            : e.withPrefix("could not teardown " + (f == IptablesFamily.V4 ? "ipv4" : "ipv6") + " dnat: ");
      }
      try {
        nat.apply(teardownLines(table, HostPortChains.OLD_SNAT, oldSnat));
      } catch (CniException e) {
        // Go ignores a failed teardown of the old chain
      }
    }
    if (unusable[0] != null && unusable[1] != null) {
      throw new CniException(ErrorCode.INTERNAL, "neither iptables nor ip6tables is usable, (iptables) "
          + unusable[0] + ", (ip6tables) " + unusable[1]);
    }
  }

  /** Deletes every jump from {@code entryChain} to {@code chain}, then flushes and deletes {@code chain}. */
  static List<String> teardownLines(IptablesNat.Snapshot table, String entryChain, String chain) {
    List<String> lines = new ArrayList<>();
    if (!table.hasChain(chain)) {
      return lines;
    }
    for (List<String> jump : table.jumpsTo(entryChain, chain)) {
      lines.add(IptablesNat.line("-D", entryChain, jump));
    }
    lines.add("-F " + chain);
    lines.add("-X " + chain);
    return lines;
  }
}
