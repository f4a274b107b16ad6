package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

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
  /** This process's lock of each table, both families (see {@link #locked}). */
  private static final Map<String, ReentrantLock> LOCKS =
      Map.of("nat", new ReentrantLock(), "filter", new ReentrantLock());

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

  /** Work on tables that is planned from a read and then applied. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws CniException;
  }

  /**
   * Runs {@code work} holding this process's lock of the iptables table {@code table} (both families), so that a
   * change planned from a read is applied before another operation of this process reads: concurrent ADDs then
   * make a missing shared chain or entry rule once, not once each. The wait is bounded by {@code deadline} and
   * ends when the thread is interrupted (code 11 either way; the interrupt flag stays set).
   */
  public static <T> T locked(String table, Deadline deadline, Work<T> work) throws CniException {
    ReentrantLock lock = LOCKS.get(table);
    String what = "other changes to the iptables " + table + " table to finish";
    try {
      Duration left = deadline.remaining();
      if (left == null) {
        lock.lockInterruptibly();
      } else if (!lock.tryLock(left.toNanos(), TimeUnit.NANOSECONDS)) {
        throw deadline.exceeded(what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Deadline.cancelled(what);
    }
    try {
      return work.run();
    } finally {
      lock.unlock();
    }
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

  /**
   * Applies {@code lines} as one transaction; nothing is done for none. Through iptables-restore, the chains the
   * lines make ({@code -N}) are made first, one by one, a chain that exists by then counting as made: concurrent
   * ADDs on a host without the shared chains all make them, and in one restore every one but the first would
   * fail. A chain is never declared to iptables-restore ({@code :CHAIN}), which would flush it if it existed.
   */
  public void apply(List<String> lines) throws FirewallCommandException {
    if (lines.isEmpty() || commitTogether(List.of(new Change(this, lines)))) {
      return;
    }
    List<String> rules = new ArrayList<>();
    for (String line : lines) {
      List<String> w = IptablesSyntax.split(line);
      if (w.size() == 2 && w.get(0).equals("-N")) {
        ensureChain(w.get(1));
      } else {
        rules.add(line);
      }
    }
    if (!rules.isEmpty()) {
      exec.run(List.of(family.restore, "-w", "--noflush"), IptablesSyntax.restoreScript(table, rules), deadline);
    }
  }

  /** Go's {@code EnsureChain}: makes {@code chain}, content that another process made it first. */
  private void ensureChain(String chain) throws FirewallCommandException {
    try {
      exec.run(List.of(family.iptables, "-w", "-t", table, "-N", chain), null, deadline);
    } catch (FirewallCommandException e) {
      if (e.isTimeout() || e.isCancelled() || e.exitStatus() != 1 || !e.stderr().contains("already exists")) {
        throw e;
      }
    }
  }

  /**
   * Commits every change in one nf_tables transaction from this process; true when done (or when there is nothing
   * to do), false, with nothing applied, when a line is not covered, nf_tables cannot be written here, the kernel
   * refused the transaction or the deadline has passed. The caller then {@linkplain #apply applies} the changes one
   * by one, each of which may still go through nf_tables alone.
   */
  public static boolean commitTogether(List<Change> changes) {
    NfTablesBatch batch = new NfTablesBatch();
    return addAll(batch, changes) && (batch.isEmpty() || changes.get(0).table().exec.commit(batch));
  }

  /**
   * Adds every change to {@code batch}: true when all are covered (or there is none), false when a line is not
   * covered, the changes are for different executors or the deadline has passed. Also for a transaction of
   * several plugins' changes ({@link TableWork}).
   */
  public static boolean addAll(NfTablesBatch batch, List<Change> changes) {
    for (Change c : changes) {
      IptablesTable t = c.table();
      if (c.lines().isEmpty()) {
        continue;
      }
      if (t.exec != changes.get(0).table().exec || t.deadline.isExpired()
          || !IptablesNftScript.add(batch, t.family, t.table, c.lines(), t.exec::readChain)) {
        return false;
      }
    }
    return true;
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
