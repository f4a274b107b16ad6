package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.Deferred;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One plugin call's change to iptables tables, as work a chain's plugins defer ({@link PluginContext#defer}) so
 * that the bridge's masquerade, portmap's forwarding and firewall's rules of one ADD reach the kernel as one
 * nf_tables transaction.
 *
 * <p>Together, the changes are planned from the tables as read when the chain completes them and committed at
 * once; where one would make shared state (a chain or entry rule other pods' changes use too), they are planned
 * again holding this process's locks of those tables ({@link IptablesTable#locked}), so that concurrent ADDs make
 * it once. A plan that another's could change is never combined with it: changes that plan from the same chain
 * ({@link #chains}) go on their own.
 * On its own ({@link #complete}), each does what the plugin does without a chain, with its fallbacks to programs.
 *
 * @param exec where the tables are; changes combine only within one {@link FirewallExec#target()}
 * @param deadline the operation's
 * @param tables the tables the change plans from and writes ({@code nat}, {@code filter})
 * @param chains the chains whose existence and rules, and the rules that jump to them, the plan depends on
 * @param plan plans the change from the tables as read now and adds it to a batch
 * @param alone the change as the plugin makes it without a chain
 * @param then what follows the change once the operation has nothing else left that can fail ({@link #finish}):
 *     what must not outlive a failed operation
 * @param nft whether the change is to nft's own tables rather than to iptables'
 */
public record TableWork(FirewallExec exec, Deadline deadline, Set<String> tables, Set<String> chains, Plan plan,
    Step alone, Step then, boolean nft) implements Deferred {

  /**
   * Plans a change from the tables as read now and adds it to {@code batch} ({@link Planned#ADDED}), unless the
   * encoding does not cover it, or it would make or change what other pods' changes plan from too (a shared chain,
   * an entry rule) and {@code shared} is false.
   */
  @FunctionalInterface
  public interface Plan {
    Planned addTo(NfTablesBatch batch, boolean shared) throws CniException;
  }

  /** What {@link Plan#addTo} did. */
  public enum Planned {
    ADDED,
    NOT_COVERED,
    /** Nothing: the change needs to make shared state, and may only under the tables' locks. */
    NEEDS_SHARED;

    /** {@link #ADDED} when {@code covered}, else {@link #NOT_COVERED}. */
    public static Planned covered(boolean covered) {
      return covered ? ADDED : NOT_COVERED;
    }
  }

  /** A step of the work that may fail: the change made on its own, or what follows it. */
  @FunctionalInterface
  public interface Step {
    void run() throws CniException;
  }

  public TableWork {
    tables = Set.copyOf(tables);
    chains = Set.copyOf(chains);
  }

  /** A change to iptables tables (iptables-nft's encoding). */
  public TableWork(FirewallExec exec, Deadline deadline, Set<String> tables, Set<String> chains, Plan plan,
      Step alone, Step then) {
    this(exec, deadline, tables, chains, plan, alone, then, false);
  }

  /**
   * A change to nft's own tables (the nftables backends'): no iptables table to lock, and its plan never makes
   * shared state a concurrent ADD could make too (nft's table and chain creation is idempotent). {@code owner}
   * names what the plan depends on, as {@link #chains} does.
   */
  public static TableWork nft(FirewallExec exec, Deadline deadline, String owner, Plan plan, Step alone,
      Step then) {
    return new TableWork(exec, deadline, Set.of(), Set.of("nft " + owner), plan, alone, then, true);
  }

  /** Hands this change to {@code ctx} to complete with the chain's other changes, or makes it now. */
  public void hand(PluginContext ctx) throws CniException {
    if (!ctx.defer(this)) {
      complete();
      finish();
    }
  }

  @Override
  public void complete() throws CniException {
    alone.run();
  }

  @Override
  public void finish() throws CniException {
    then.run();
  }

  @Override
  public boolean completeWith(List<Deferred> later) {
    List<TableWork> all = new ArrayList<>(List.of(this));
    Set<String> planned = new HashSet<>(chains);
    Set<String> locks = new TreeSet<>(tables); // always taken in the same order
    for (Deferred d : later) {
      if (!(d instanceof TableWork w) || !w.exec.target().equals(exec.target())
          || w.chains.stream().anyMatch(c -> !planned.add(c))) {
        return false;
      }
      all.add(w);
      locks.addAll(w.tables);
    }
    try {
      // Changes of a pod's own chains and rules cannot collide with other pods' changes, so they are planned and
      // committed without the locks, which only serialise the making of shared chains and entry rules.
      Planned own = together(all, false);
      return own == Planned.ADDED
          || own == Planned.NEEDS_SHARED && lockedAll(new ArrayList<>(locks), () -> together(all, true) == Planned.ADDED);
    } catch (CniException e) {
      return false; // nothing was committed; on its own, each meets the failure again and reports it
    }
  }

  /** Plans every change and commits them as one transaction: ADDED when committed. */
  private Planned together(List<TableWork> all, boolean shared) throws CniException {
    NfTablesBatch batch = new NfTablesBatch();
    for (TableWork w : all) {
      if (w.deadline.isExpired()) {
        return Planned.NOT_COVERED;
      }
      Planned p;
      try {
        p = w.plan.addTo(batch, shared);
      } catch (RuntimeException e) {
        // a fault of one plugin's plan: on its own, that plugin's change meets it again, under the plugin's name
        return Planned.NOT_COVERED;
      }
      if (p != Planned.ADDED) {
        return p;
      }
    }
    // iptables-nft's encoding needs the checked iptables-nft (commit); nft's own tables alone do not (commitNft)
    return Planned.covered(all.stream().allMatch(TableWork::nft) ? exec.commitNft(batch) : exec.commit(batch));
  }

  private boolean lockedAll(List<String> locks, IptablesTable.Work<Boolean> work) throws CniException {
    if (locks.isEmpty()) {
      return work.run();
    }
    return IptablesTable.locked(locks.get(0), deadline, () -> lockedAll(locks.subList(1, locks.size()), work));
  }
}
