package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RestoreBatchTest {

  /**
   * A restore that takes a while, refuses any transaction holding a "-N TAKEN" line (as iptables refuses -N of an
   * existing chain) and otherwise records the lines it applied.
   */
  private static final class SlowRestore implements FirewallExec {
    final List<String> applied = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger launches = new AtomicInteger();

    @Override
    public String run(List<String> argv, String stdin) throws FirewallCommandException {
      launches.incrementAndGet();
      try {
        Thread.sleep(30);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<String> lines = stdin.lines().filter(l -> !l.equals("*nat") && !l.equals("COMMIT")).toList();
      if (lines.contains("-N TAKEN")) {
        throw new FirewallCommandException(argv, 1, "Chain already exists", stdin, null);
      }
      applied.addAll(lines);
      return "";
    }
  }

  @Test
  void concurrentTransactionsGetTheirOwnAnswerAndAreAppliedOnce() throws Exception {
    SlowRestore exec = new SlowRestore();
    RestoreBatch batch = new RestoreBatch(exec, List.of("iptables-restore", "-w", "--noflush"));
    int callers = 8;
    boolean[] answers = new boolean[callers];
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      int n = i;
      // caller 3 asks for a chain that exists: only its transaction must be refused
      List<String> lines = List.of(n == 3 ? "-N TAKEN" : "-N C" + n, "-A C" + n + " -j ACCEPT");
      Thread t = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        try {
          answers[n] = batch.apply(lines, Deadline.none());
        } catch (CniException e) {
          throw new AssertionError(e);
        }
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    for (int i = 0; i < callers; i++) {
      assertEquals(i != 3, answers[i], "caller " + i);
    }
    for (int i = 0; i < callers; i++) {
      int times = Collections.frequency(exec.applied, "-N C" + i);
      assertEquals(i == 3 ? 0 : 1, times, "C" + i + " applied " + times + " times");
    }
    assertFalse(exec.applied.contains("-A C3 -j ACCEPT"), "refused transaction applied");
    assertTrue(exec.launches.get() >= 1);
  }

  @Test
  void aLoneTransactionIsOneLaunch() throws CniException {
    SlowRestore exec = new SlowRestore();
    RestoreBatch batch = new RestoreBatch(exec, List.of("iptables-restore", "-w", "--noflush"));
    assertTrue(batch.apply(List.of("-N A", "-A A -j ACCEPT"), Deadline.none()));
    assertFalse(batch.apply(List.of("-N TAKEN"), Deadline.none()));
    assertEquals(2, exec.launches.get());
    assertEquals(List.of("-N A", "-A A -j ACCEPT"), exec.applied);
  }

  /**
   * A restore that blocks while {@code gate} is closed, takes {@code slow} for a transaction holding a line with
   * "SLOW", and is killed like the real runner when the caller's deadline passes first (nothing applied).
   */
  private static final class GatedRestore implements FirewallExec {
    final List<String> applied = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public String run(List<String> argv, String stdin) throws FirewallCommandException {
      return run(argv, stdin, Deadline.none());
    }

    @Override
    public String run(List<String> argv, String stdin, Deadline deadline) throws FirewallCommandException {
      started.countDown();
      long until = System.nanoTime() + (stdin.contains("SLOW") ? Duration.ofSeconds(2).toNanos() : 0);
      while (gate.getCount() > 0 || System.nanoTime() < until) {
        if (deadline.isExpired()) {
          throw FirewallCommandException.stopped(argv, FirewallCommandException.Stop.TIMED_OUT, deadline.budget(),
              null, stdin);
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          throw FirewallCommandException.stopped(argv, FirewallCommandException.Stop.CANCELLED, null, null, stdin);
        }
      }
      applied.addAll(stdin.lines().filter(l -> !l.equals("*nat") && !l.equals("COMMIT")).toList());
      return "";
    }
  }

  private static Thread start(Runnable r) {
    Thread t = new Thread(r);
    t.start();
    return t;
  }

  @Test
  void aQueuedCallerLeavesWithATimeoutWhenItsDeadlinePassesAndNothingOfItIsApplied() throws Exception {
    GatedRestore exec = new GatedRestore();
    RestoreBatch batch = new RestoreBatch(exec, List.of("iptables-restore", "-w", "--noflush"));
    boolean[] first = new boolean[1];
    Thread a = start(() -> {
      try {
        first[0] = batch.apply(List.of("-N A"), Deadline.none());
      } catch (CniException e) {
        throw new AssertionError(e);
      }
    });
    exec.started.await();
    CniException e = assertThrows(CniException.class,
        () -> batch.apply(List.of("-N B"), Deadline.after(Duration.ofMillis(100))));
    assertTrue(e.isTimeout(), e.getMessage());
    assertEquals(11, e.code());
    assertTrue(e.getMessage().contains("timed out after 100ms waiting for the firewall transaction (iptables-restore"),
        e.getMessage());
    exec.gate.countDown();
    a.join();
    assertTrue(first[0]);
    assertEquals(List.of("-N A"), exec.applied);
  }

  @Test
  void aCombinedRestoreStopsAtTheEarliestDeadlineAndTheOthersAreRetriedAlone() throws Exception {
    GatedRestore exec = new GatedRestore();
    RestoreBatch batch = new RestoreBatch(exec, List.of("iptables-restore", "-w", "--noflush"));
    Thread blocker = start(() -> {
      try {
        batch.apply(List.of("-N X"), Deadline.none());
      } catch (CniException e) {
        throw new AssertionError(e);
      }
    });
    exec.started.await();
    CniException[] slowError = new CniException[1];
    boolean[] fastApplied = new boolean[1];
    Thread slow = start(() -> {
      try {
        batch.apply(List.of("-N SLOW"), Deadline.after(Duration.ofMillis(400)));
      } catch (CniException e) {
        slowError[0] = e;
      }
    });
    Thread fast = start(() -> {
      try {
        fastApplied[0] = batch.apply(List.of("-N FAST"), Deadline.none());
      } catch (CniException e) {
        throw new AssertionError(e);
      }
    });
    Thread.sleep(100); // both queued behind the blocker
    exec.gate.countDown();
    blocker.join();
    slow.join();
    fast.join();
    assertTrue(slowError[0] != null && slowError[0].isTimeout(), String.valueOf(slowError[0]));
    assertTrue(fastApplied[0], "the caller with time left was retried alone and applied");
    assertEquals(List.of("-N X", "-N FAST"), exec.applied);
  }

  @Test
  void anInterruptedQueuedCallerLeavesCancelledWithNothingApplied() throws Exception {
    GatedRestore exec = new GatedRestore();
    RestoreBatch batch = new RestoreBatch(exec, List.of("iptables-restore", "-w", "--noflush"));
    Thread blocker = start(() -> {
      try {
        batch.apply(List.of("-N X"), Deadline.none());
      } catch (CniException e) {
        throw new AssertionError(e);
      }
    });
    exec.started.await();
    CniException[] error = new CniException[1];
    boolean[] stillInterrupted = new boolean[1];
    Thread waiter = start(() -> {
      try {
        batch.apply(List.of("-N W"), Deadline.none());
      } catch (CniException e) {
        error[0] = e;
        stillInterrupted[0] = Thread.currentThread().isInterrupted();
      }
    });
    Thread.sleep(100);
    waiter.interrupt();
    waiter.join(5000);
    assertFalse(waiter.isAlive(), "an interrupted caller still waits for another's restore");
    assertTrue(error[0] != null && error[0].isCancelled(), String.valueOf(error[0]));
    assertTrue(stillInterrupted[0], "the interrupt flag is kept");
    exec.gate.countDown();
    blocker.join();
    assertEquals(List.of("-N X"), exec.applied);
  }
}
