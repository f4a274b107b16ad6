package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import java.util.ArrayList;
import java.util.List;

/**
 * The iptables nat table of one address family, for plugins that compute their change from the current table and
 * apply it as one transaction (nf_tables from this process where covered, else {@code iptables-restore
 * --noflush}): read it, apply restore lines, check a rule.
 * Every program runs through a {@link FirewallExec} within the operation's {@link Deadline}.
 */
public final class IptablesNat {
  private final FirewallExec exec;
  private final IptablesFamily family;
  private final Deadline deadline;

  public IptablesNat(FirewallExec exec, IptablesFamily family, Deadline deadline) {
    this.exec = exec;
    this.family = family;
    this.deadline = deadline;
  }

  /**
   * The nat table's chains and rules as {@code iptables-save -t nat} prints them: read from the kernel chain by
   * chain where possible ({@link FirewallExec#readTable}), else by iptables-save.
   */
  public Snapshot read() throws CniException {
    if (!deadline.isExpired()) {
      var dump = exec.readTable(family, "nat");
      if (dump.isPresent()) {
        return new Snapshot(dump.get());
      }
    }
    return new Snapshot(TableDump.parse(exec.run(List.of(family.save, "-t", "nat"), null, deadline), "nat"));
  }

  /**
   * Applies {@code lines} (restore syntax, e.g. {@code -A CHAIN ...}) to the nat table as one transaction: from
   * this process where iptables-nft's encoding covers them ({@link IptablesNftScript}), else by iptables-restore.
   */
  public void apply(List<String> lines) throws CniException {
    if (lines.isEmpty()) {
      return;
    }
    if (!deadline.isExpired() && IptablesNftScript.commit(exec, family, "nat", lines)) {
      return;
    }
    exec.run(List.of(family.restore, "-w", "--noflush"), IptablesSyntax.restoreScript("nat", lines), deadline);
  }

  /** Whether {@code chain} holds a rule matching {@code spec} as {@code iptables -C} decides. */
  public boolean exists(String chain, List<String> spec) throws CniException {
    List<String> argv = new ArrayList<>(List.of(family.iptables, "-w", "-t", "nat", "-C", chain));
    argv.addAll(spec);
    try {
      exec.run(argv, null, deadline);
      return true;
    } catch (FirewallCommandException e) {
      if (e.isTimeout() || e.isCancelled() || e.exitStatus() == FirewallCommandException.NOT_STARTED) {
        throw e;
      }
      return false;
    }
  }

  /** A restore line: {@code op} ({@code -A}, {@code -D}, {@code -I}) on {@code chain} with {@code spec}. */
  public static String line(String op, String chain, List<String> spec) {
    return new IptablesRule(chain, spec).line(op, List.of());
  }

  /** The nat table as read: chain names and each chain's rules in iptables-save's canonical words. */
  public static final class Snapshot {
    private final TableDump dump;

    private Snapshot(TableDump dump) {
      this.dump = dump;
    }

    public boolean hasChain(String chain) {
      return dump.hasChain(chain);
    }

    /** Whether {@code chain} holds a rule whose canonical words are {@code spec}. */
    public boolean contains(String chain, List<String> spec) {
      return dump.contains(new IptablesRule(chain, spec));
    }

    /** The rules of {@code chain} that jump to {@code target}, as their canonical words. */
    public List<List<String>> jumpsTo(String chain, String target) {
      List<List<String>> out = new ArrayList<>();
      for (IptablesRule r : dump.rules(chain)) {
        if (target.equals(r.target())) {
          out.add(r.spec());
        }
      }
      return out;
    }
  }
}
