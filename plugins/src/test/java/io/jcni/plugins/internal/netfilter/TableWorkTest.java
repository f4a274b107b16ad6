package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.Deferred;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How a chain's {@link TableWork}s are completed together: planned in order into one batch and committed once,
 * planned again with shared state allowed where one needs it, and left each to its own (nothing committed) where
 * they plan from the same chain or a plan fails in any way. The executor here records plans and commits.
 */
class TableWorkTest {
  private final List<String> log = new ArrayList<>();

  /** An executor that commits every batch and logs it; it runs no program. */
  private final FirewallExec exec = new FirewallExec() {
    @Override
    public String run(List<String> argv, String stdin) {
      throw new AssertionError("no program runs: " + argv);
    }

    @Override
    public boolean commit(NfTablesBatch batch) {
      log.add("commit");
      return true;
    }
  };

  private TableWork work(String name, String chain, TableWork.Plan plan) {
    return new TableWork(exec, Deadline.none(), Set.of("nat"), Set.of(chain), plan,
        () -> log.add("alone " + name), () -> log.add("then " + name));
  }

  private TableWork.Plan planned(String name) {
    return (batch, shared) -> {
      log.add("plan " + name + (shared ? " shared" : ""));
      return TableWork.Planned.ADDED;
    };
  }

  @Test
  void theChainsChangesArePlannedInOrderAndCommittedOnce() {
    assertTrue(work("a", "A", planned("a")).completeWith(List.of(work("b", "B", planned("b")))));
    // what follows each is the runtime's to run (finish), once all of the chain's work is done
    assertEquals(List.of("plan a", "plan b", "commit"), log);
  }

  @Test
  void aChangeThatMakesSharedStateIsPlannedAgainWithItAllowed() {
    TableWork.Plan needsShared = (batch, shared) -> {
      log.add("plan b" + (shared ? " shared" : ""));
      return shared ? TableWork.Planned.ADDED : TableWork.Planned.NEEDS_SHARED;
    };
    assertTrue(work("a", "A", planned("a")).completeWith(List.of(work("b", "B", needsShared))));
    assertEquals(List.of("plan a", "plan b", "plan a shared", "plan b shared", "commit"), log);
  }

  @Test
  void changesPlannedFromTheSameChainAreNotCombined() {
    assertFalse(work("a", "A", planned("a")).completeWith(List.of(work("b", "A", planned("b")))));
    assertEquals(List.of(), log);
  }

  @Test
  void aFaultInALaterPlanCommitsNothingAndLeavesEachToItsOwn() {
    TableWork.Plan faulty = (batch, shared) -> {
      throw new IllegalStateException("a fault in b's plan");
    };
    assertFalse(work("a", "A", planned("a")).completeWith(List.of(work("b", "B", faulty))));
    assertEquals(List.of("plan a"), log);
  }

  @Test
  void workThatIsNotATableChangeIsNotCombined() {
    Deferred other = () -> log.add("other");
    assertFalse(work("a", "A", planned("a")).completeWith(List.of(other)));
    assertEquals(List.of(), log);
  }
}
