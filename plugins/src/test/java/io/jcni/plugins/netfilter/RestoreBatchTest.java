package io.jcni.plugins.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        answers[n] = batch.apply(lines);
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
  void aLoneTransactionIsOneLaunch() {
    SlowRestore exec = new SlowRestore();
    RestoreBatch batch = new RestoreBatch(exec, List.of("iptables-restore", "-w", "--noflush"));
    assertTrue(batch.apply(List.of("-N A", "-A A -j ACCEPT")));
    assertFalse(batch.apply(List.of("-N TAKEN")));
    assertEquals(2, exec.launches.get());
    assertEquals(List.of("-N A", "-A A -j ACCEPT"), exec.applied);
  }
}
