package io.jcni.plugins.netfilter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The optimistic iptables-restore transactions of concurrent callers in one network namespace, committed together
 * (group commit): while one restore runs, the transactions that arrive queue up and then go as one, so eight ADDs
 * at a time cost about one process launch instead of eight. A combined transaction that is refused is retried one
 * caller at a time, so every caller gets the answer its own transaction would have got.
 *
 * <p>The callers' transactions must be independent of each other (each touches its own container's chain), which
 * the CNI rule of one operation per container at a time guarantees.
 */
final class RestoreBatch {
  private static final Map<String, RestoreBatch> BY_NETNS_AND_PROGRAM = new ConcurrentHashMap<>();

  private final FirewallExec exec;
  private final List<String> argv;
  private List<Pending> queue = new ArrayList<>(); // guarded by this
  private boolean committing; // guarded by this

  RestoreBatch(FirewallExec exec, List<String> argv) {
    this.exec = exec;
    this.argv = List.copyOf(argv);
  }

  /**
   * The batch of the calling thread's network namespace for {@code restore} run on this machine. Keyed by the
   * namespace because a program inherits the namespace of the thread that starts it, and the committing thread
   * runs everyone's transaction.
   */
  static RestoreBatch onHost(String restore) {
    String netns;
    try {
      netns = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    } catch (IOException | UnsupportedOperationException e) {
      // cannot tell the namespace: a batch of one, never shared
      return new RestoreBatch(FirewallExec.host(), List.of(restore, "-w", "--noflush"));
    }
    return BY_NETNS_AND_PROGRAM.computeIfAbsent(netns + " " + restore,
        k -> new RestoreBatch(FirewallExec.host(), List.of(restore, "-w", "--noflush")));
  }

  /** One caller's transaction and, once {@code done}, whether it was applied. */
  private static final class Pending {
    final List<String> lines;
    boolean done; // guarded by the batch
    boolean applied; // guarded by the batch

    Pending(List<String> lines) {
      this.lines = lines;
    }
  }

  /**
   * Applies the nat-table {@code lines} as one transaction (possibly together with other callers'); false, with
   * nothing of them applied, when the transaction is refused.
   */
  boolean apply(List<String> lines) {
    Pending me = new Pending(List.copyOf(lines));
    List<Pending> batch;
    synchronized (this) {
      queue.add(me);
      boolean interrupted = false;
      while (!me.done && committing) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true; // the transaction may be in flight: wait for its outcome
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (me.done) {
        return me.applied;
      }
      committing = true;
      batch = queue;
      queue = new ArrayList<>();
    }
    boolean[] outcome = new boolean[batch.size()];
    try {
      commit(batch, outcome);
    } finally {
      synchronized (this) {
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).applied = outcome[i];
          batch.get(i).done = true;
        }
        committing = false;
        notifyAll();
      }
    }
    return me.applied;
  }

  private void commit(List<Pending> batch, boolean[] outcome) {
    List<String> all = new ArrayList<>();
    batch.forEach(p -> all.addAll(p.lines));
    if (run(all)) {
      java.util.Arrays.fill(outcome, true);
      return;
    }
    if (batch.size() > 1) {
      for (int i = 0; i < batch.size(); i++) {
        outcome[i] = run(batch.get(i).lines);
      }
    }
  }

  private boolean run(List<String> lines) {
    try {
      exec.run(argv, IptablesSyntax.restoreScript("nat", lines));
      return true;
    } catch (FirewallCommandException e) {
      return false;
    }
  }
}
