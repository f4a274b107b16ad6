package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * One iptables table ({@code nat}, {@code filter}) of one address family, for plugins that compute their change
 * from the table as read and apply it as one transaction: read it, apply restore lines, check a rule. Changes to
 * several tables, both families' among them, go to the kernel together ({@link #commitTogether}).
 *
 * <p>Reads and writes are nf_tables messages from this process where iptables-nft's encoding covers them
 * ({@link IptablesNftScript}), else {@code iptables-save} and {@code iptables-restore --noflush}. Every program runs
 * through a {@link FirewallExec} within the operation's {@link Deadline}.
 */
public final class IptablesTable {
  private final FirewallExec exec;
  private final IptablesFamily family;
  private final String table;
  private final Deadline deadline;

  public IptablesTable(FirewallExec exec, IptablesFamily family, String table, Deadline deadline) {
    this.exec = exec;
    this.family = family;
    this.table = table;
    this.deadline = deadline;
  }

  public IptablesFamily family() {
    return family;
  }

  /** Lines (restore syntax, without the table header and COMMIT) to apply to one table. */
  public record Change(IptablesTable table, List<String> lines) {
    public Change {
      lines = List.copyOf(lines);
    }
  }

  /**
   * The table as {@code iptables-save -t TABLE} prints it: read from the kernel chain by chain where possible
   * ({@link FirewallExec#readTable}), else by iptables-save.
   */
  public TableDump read() throws FirewallCommandException {
    if (!deadline.isExpired()) {
      var dump = exec.readTable(family, table);
      if (dump.isPresent()) {
        return dump.get();
      }
    }
    return TableDump.parse(exec.run(List.of(family.save, "-t", table), null, deadline), table);
  }

  /** Applies {@code lines} as one transaction; nothing is done for none. */
  public void apply(List<String> lines) throws FirewallCommandException {
    if (lines.isEmpty() || commitTogether(List.of(new Change(this, lines)))) {
      return;
    }
    exec.run(List.of(family.restore, "-w", "--noflush"), IptablesSyntax.restoreScript(table, lines), deadline);
  }

  /**
   * Commits every change in one nf_tables transaction from this process; true when done (or when there is nothing
   * to do), false, with nothing applied, when a line is not covered, nf_tables cannot be written here, the kernel
   * refused the transaction or the deadline has passed. The caller then {@linkplain #apply applies} the changes one
   * by one, each of which may still go through nf_tables alone.
   */
  public static boolean commitTogether(List<Change> changes) {
    NfTablesBatch batch = new NfTablesBatch();
    FirewallExec exec = null;
    for (Change c : changes) {
      if (c.lines().isEmpty()) {
        continue;
      }
      IptablesTable t = c.table();
      if (exec != null && exec != t.exec || t.deadline.isExpired()
          || !IptablesNftScript.add(batch, t.family, t.table, c.lines(), t.exec::readChain)) {
        return false;
      }
      exec = t.exec;
    }
    return exec == null || exec.commit(batch);
  }

  /** Whether {@code chain} holds a rule matching {@code spec} as {@code iptables -C} decides. */
  public boolean exists(String chain, List<String> spec) throws CniException {
    List<String> argv = new ArrayList<>(List.of(family.iptables, "-w", "-t", table, "-C", chain));
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
}
