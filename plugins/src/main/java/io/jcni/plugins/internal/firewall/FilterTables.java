package io.jcni.plugins.internal.firewall;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.netfilter.FirewallCommandException;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IptablesFamily;
import io.jcni.plugins.internal.netfilter.IptablesTable;
import io.jcni.plugins.internal.netfilter.TableWork;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filter tables of the address families one call touches, changed by reading each, planning the change
 * ({@link FilterPlan}) and applying the plans in one nf_tables transaction from this process where covered
 * ({@link IptablesTable#commitTogether}), else one {@code iptables-restore --noflush} per family. A restore refused
 * because the table changed under it is planned and tried once more on a fresh read.
 */
final class FilterTables {
  /** Plans one family's change on a fresh read of its table; may throw, e.g. when CHECK finds a rule missing. */
  @FunctionalInterface
  interface Planner {
    void plan(IptablesFamily family, FilterPlan plan) throws CniException;
  }

  private static final int ATTEMPTS = 2;

  private final FirewallExec exec;
  private final Deadline deadline;

  FilterTables(FirewallExec exec, Deadline deadline) {
    this.exec = exec;
    this.deadline = deadline;
  }

  /**
   * Plans and applies the change in each of {@code families}, in order; the plans applied go into {@code applied},
   * also those of the families done before one failed, so that the caller can undo them.
   */
  void change(List<IptablesFamily> families, Planner planner, Map<IptablesFamily, FilterPlan> applied)
      throws CniException {
    IptablesTable.locked("filter", deadline, () -> {
      changeLocked(families, planner, applied);
      return null;
    });
  }

  private void changeLocked(List<IptablesFamily> families, Planner planner, Map<IptablesFamily, FilterPlan> applied)
      throws CniException {
    Map<IptablesFamily, FilterPlan> plans = new EnumMap<>(IptablesFamily.class);
    List<IptablesTable.Change> changes = new ArrayList<>();
    for (IptablesFamily f : families) {
      FilterPlan plan = plan(f, planner);
      plans.put(f, plan);
      changes.add(new IptablesTable.Change(table(f, deadline), plan.lines()));
    }
    if (IptablesTable.commitTogether(changes)) {
      applied.putAll(plans);
      return;
    }
    for (IptablesFamily f : families) {
      FilterPlan plan = plans.get(f);
      for (int attempt = 1; ; attempt++) {
        try {
          table(f, deadline).apply(plan.lines());
          applied.put(f, plan);
          break;
        } catch (FirewallCommandException e) {
          if (attempt >= ATTEMPTS || e.isTimeout() || e.isCancelled()) {
            throw e;
          }
          plan = plan(f, planner);
        }
      }
    }
  }

  /**
   * The change of {@link #change} as work a chain may complete together with its other rule changes
   * ({@link TableWork}): planned from {@code chains} by {@code planner}, made by {@code alone} on its own.
   */
  TableWork work(List<IptablesFamily> families, Planner planner, Set<String> chains, TableWork.Step alone) {
    return new TableWork(exec, deadline, Set.of("filter"), chains, (batch, shared) -> {
      List<IptablesTable.Change> changes = new ArrayList<>();
      for (IptablesFamily f : families) {
        FilterPlan plan = plan(f, planner);
        if (!shared && plan.changesShared()) {
          return TableWork.Planned.NEEDS_SHARED;
        }
        changes.add(new IptablesTable.Change(table(f, deadline), plan.lines()));
      }
      return TableWork.Planned.covered(IptablesTable.addAll(batch, changes));
    }, alone, () -> {});
  }

  /** Removes what {@code applied} added, within {@code undo}'s budget; failures are attached to {@code failure}. */
  void undo(Map<IptablesFamily, FilterPlan> applied, Deadline undo, Exception failure) {
    try {
      IptablesTable.locked("filter", undo, () -> {
        applied.forEach((f, plan) -> {
          try {
            table(f, undo).apply(plan.undoLines());
          } catch (CniException | RuntimeException e) {
            failure.addSuppressed(e);
          }
        });
        return null;
      });
    } catch (CniException e) {
      failure.addSuppressed(e);
    }
  }

  private FilterPlan plan(IptablesFamily f, Planner planner) throws CniException {
    FilterPlan plan = new FilterPlan(table(f, deadline).read());
    planner.plan(f, plan);
    return plan;
  }

  private IptablesTable table(IptablesFamily f, Deadline d) {
    return new IptablesTable(exec, f, "filter", d);
  }
}
