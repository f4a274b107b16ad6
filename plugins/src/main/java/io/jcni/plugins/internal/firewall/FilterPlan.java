package io.jcni.plugins.internal.firewall;

import io.jcni.plugins.internal.netfilter.IptablesRule;
import io.jcni.plugins.internal.netfilter.TableDump;
import java.util.ArrayList;
import java.util.List;

/**
 * A change to one family's filter table, planned against what iptables-save showed and applied later as one
 * iptables-restore transaction: Go's sequence of single iptables commands (ensure chain, insert-unique,
 * append-unique, delete) with the same end state. It also knows how to undo itself, for an ADD that fails in the
 * other family.
 */
final class FilterPlan {
  private final TableDump table;
  private final List<String> lines = new ArrayList<>();
  private final List<String> undoRules = new ArrayList<>();
  private final List<String> undoChains = new ArrayList<>();
  private boolean changesShared;

  FilterPlan(TableDump table) {
    this.table = table;
  }

  /** The table as it will be once the plan is applied. */
  TableDump table() {
    return table;
  }

  /** Go's {@code EnsureChain}: creates the chain if it is missing. */
  void ensureChain(String chain) {
    if (!table.hasChain(chain)) {
      // -N, not ":chain": should another ADD make the chain meanwhile, the transaction fails instead of flushing
      // it, and the change is planned again on a fresh read.
      lines.add("-N " + chain);
      table.addChain(chain);
      undoChains.add(0, "-X " + chain);
      changesShared = true;
    }
  }

  /** {@link #insertUnique}, last in its chain, of a rule of the container's own (its address is in it). */
  void appendOwn(IptablesRule rule) {
    boolean shared = changesShared;
    insertUnique(rule, false);
    changesShared = shared;
  }

  /**
   * Whether the plan makes or changes what other containers' plans depend on too: a chain, or a rule other than
   * the container's own ({@link #appendOwn}).
   */
  boolean changesShared() {
    return changesShared;
  }

  /** Go's {@code InsertUnique}: the rule, first or last in its chain, unless it is there already. */
  void insertUnique(IptablesRule rule, boolean first) {
    if (table.contains(rule)) {
      return;
    }
    if (first) {
      lines.add(rule.insertFirstLine());
      table.insertFirst(rule);
    } else {
      lines.add(rule.appendLine());
      table.append(rule);
    }
    undoRules.add(0, rule.deleteLine());
    changesShared = true;
  }

  /** Go's {@code Delete} with its error ignored: the first match of the rule goes, if there is one. */
  void delete(IptablesRule rule) {
    if (table.delete(rule)) {
      lines.add(rule.deleteLine());
    }
  }

  /** The restore lines of the plan (without the table header and COMMIT); empty when nothing changes. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  /** The restore lines that remove exactly what this plan added: its rules, then its chains. */
  List<String> undoLines() {
    List<String> undo = new ArrayList<>(undoRules);
    undo.addAll(undoChains);
    return undo;
  }
}
