package io.jcni.plugins.internal.firewall;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.netfilter.FirewallCommandException;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IptablesFamily;
import io.jcni.plugins.internal.netfilter.IptablesNftScript;
import io.jcni.plugins.internal.netfilter.IptablesSyntax;
import io.jcni.plugins.internal.netfilter.TableDump;
import java.util.List;

/**
 * The filter table of one address family, changed by reading it ({@code iptables-save -t filter}), planning the
 * change ({@link FilterPlan}) and applying it as one transaction (nf_tables from this process where covered, else
 * {@code iptables-restore --noflush}). A restore
 * refused because the table changed under it is planned and tried once more on a fresh read.
 */
final class FilterTable {
  /** Plans a change on a fresh read of the table; may throw, e.g. when CHECK finds a rule missing. */
  @FunctionalInterface
  interface Planner {
    void plan(FilterPlan plan) throws CniException;
  }

  private static final int ATTEMPTS = 2;

  private final FirewallExec exec;
  private final IptablesFamily family;
  private final Deadline deadline;

  FilterTable(FirewallExec exec, IptablesFamily family, Deadline deadline) {
    this.exec = exec;
    this.family = family;
    this.deadline = deadline;
  }

  /** Reads the table, plans with {@code planner}, applies the plan; returns the applied plan. */
  FilterPlan change(Planner planner) throws CniException {
    for (int attempt = 1; ; attempt++) {
      FilterPlan plan = new FilterPlan(read());
      planner.plan(plan);
      try {
        restore(plan.lines());
        return plan;
      } catch (FirewallCommandException e) {
        if (attempt >= ATTEMPTS || e.isTimeout() || e.isCancelled()) {
          throw e;
        }
      }
    }
  }

  /**
   * Applies {@code lines} as one transaction: from this process where iptables-nft's encoding covers them
   * ({@link IptablesNftScript}), else by iptables-restore; nothing is done for none.
   */
  void restore(List<String> lines) throws FirewallCommandException {
    if (lines.isEmpty()) {
      return;
    }
    if (!deadline.isExpired() && IptablesNftScript.commit(exec, family, "filter", lines)) {
      return;
    }
    exec.run(List.of(family.restore(), "-w", "--noflush"), IptablesSyntax.restoreScript("filter", lines), deadline);
  }

  /** The table from the kernel chain by chain where possible ({@link FirewallExec#readTable}), else iptables-save. */
  private TableDump read() throws FirewallCommandException {
    if (!deadline.isExpired()) {
      var dump = exec.readTable(family, "filter");
      if (dump.isPresent()) {
        return dump.get();
      }
    }
    return TableDump.parse(exec.run(List.of(family.save(), "-t", "filter"), null, deadline), "filter");
  }
}
