package io.jcni.plugins.netfilter;

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
  /** The program set of one address family. */
  public enum Family {
    V4("iptables", "iptables-save", "iptables-restore"),
    V6("ip6tables", "ip6tables-save", "ip6tables-restore");

    final String iptables;
    final String save;
    final String restore;

    Family(String iptables, String save, String restore) {
      this.iptables = iptables;
      this.save = save;
      this.restore = restore;
    }

    /** The program name of this family ({@code iptables}, {@code ip6tables}), as errors name it. */
    public String program() {
      return iptables;
    }
  }

  private final FirewallExec exec;
  private final Family family;
  private final Deadline deadline;

  public IptablesNat(FirewallExec exec, Family family, Deadline deadline) {
    this.exec = exec;
    this.family = family;
    this.deadline = deadline;
  }

  /** The nat table's chains and rules as {@code iptables-save -t nat} prints them. */
  public Snapshot read() throws CniException {
    return new Snapshot(NatTableDump.parse(exec.run(List.of(family.save, "-t", "nat"), null, deadline)));
  }

  /**
   * Applies {@code lines} (restore syntax, e.g. {@code -A CHAIN ...}) to the nat table as one transaction: from
   * this process where iptables-nft's encoding covers them ({@link IptablesNftScript}), else by iptables-restore.
   */
  public void apply(List<String> lines) throws CniException {
    if (lines.isEmpty()) {
      return;
    }
    if (family == Family.V4 && !deadline.isExpired() && IptablesNftScript.commit(exec, "nat", lines)) {
      return;
    }
    StringBuilder script = new StringBuilder("*nat\n");
    lines.forEach(l -> script.append(l).append('\n'));
    script.append("COMMIT\n");
    exec.run(List.of(family.restore, "-w", "--noflush"), script.toString(), deadline);
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
    List<String> words = new ArrayList<>(spec.size() + 2);
    words.add(op);
    words.add(chain);
    words.addAll(spec);
    return IptablesSyntax.join(words);
  }

  /** The nat table as read: chain names and each chain's rules in iptables-save's canonical words. */
  public static final class Snapshot {
    private final NatTableDump dump;

    private Snapshot(NatTableDump dump) {
      this.dump = dump;
    }

    public boolean hasChain(String chain) {
      return dump.hasChain(chain);
    }

    /** Whether {@code chain} holds a rule whose canonical words are {@code spec}. */
    public boolean contains(String chain, List<String> spec) {
      return dump.contains(new NatRule(chain, spec));
    }

    /** The rules of {@code chain} that jump to {@code target}, as their canonical words. */
    public List<List<String>> jumpsTo(String chain, String target) {
      List<List<String>> out = new ArrayList<>();
      for (NatRule r : dump.rules()) {
        if (r.chain().equals(chain) && target.equals(r.target())) {
          out.add(r.spec());
        }
      }
      return out;
    }
  }
}
