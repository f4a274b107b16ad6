package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 *
 * <p>Every caller brings its operation's deadline. A caller still queued when its deadline passes leaves the queue
 * with nothing applied. A combined restore runs within the earliest deadline of its callers, so no caller waits
 * past its own; when that stops it, nothing of it was applied (a restore commits its table at once or not at all),
 * and the callers whose deadlines have not passed are retried one at a time within their own.
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

  /** What became of one caller's transaction. */
  private enum Outcome { APPLIED, REFUSED, TIMED_OUT }

  /** One caller's transaction and, once {@code outcome} is set, what became of it. */
  private static final class Pending {
    final List<String> lines;
    final Deadline deadline;
    Outcome outcome; // guarded by the batch

    Pending(List<String> lines, Deadline deadline) {
      this.lines = lines;
      this.deadline = deadline;
    }
  }

  /**
   * Applies the nat-table {@code lines} as one transaction (possibly together with other callers') within
   * {@code deadline}; false, with nothing of them applied, when the transaction is refused.
   *
   * @throws CniException a timeout when the deadline passed first, a cancellation when the thread was interrupted
   *     while its transaction was still queued; nothing of it was applied in either case
   */
  boolean apply(List<String> lines, Deadline deadline) throws CniException {
    Pending me = new Pending(List.copyOf(lines), deadline);
    List<Pending> batch;
    synchronized (this) {
      queue.add(me);
      boolean interrupted = false;
      while (me.outcome == null && committing) {
        if (queue.contains(me) && (interrupted || deadline.isExpired())) {
          queue.remove(me); // not taken by a committer yet: leave with nothing applied
          if (interrupted) {
            Thread.currentThread().interrupt();
            throw Deadline.cancelled(waitingFor());
          }
          throw deadline.exceeded(waitingFor());
        }
        try {
          Duration left = deadline.remaining();
          // in flight, the commit is bound by this caller's deadline too, so an untimed wait ends in time
          wait(left == null || !queue.contains(me) ? 0 : Math.max(1, left.toMillis()));
        } catch (InterruptedException e) {
          interrupted = true; // if in flight, wait for the outcome; if queued, leave
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (me.outcome == null) {
        committing = true;
        batch = queue;
        queue = new ArrayList<>();
      } else {
        batch = null;
      }
    }
    if (batch != null) {
      commitAndPublish(batch);
    }
    if (me.outcome == Outcome.TIMED_OUT) {
      throw deadline.exceeded(waitingFor());
    }
    return me.outcome == Outcome.APPLIED;
  }

  private String waitingFor() {
    return "the firewall transaction (" + String.join(" ", argv) + ")";
  }

  private void commitAndPublish(List<Pending> batch) {
    // The batch holds other callers' transactions: this thread's interrupt must not stop theirs. It is restored
    // afterwards, so this caller still learns of its cancellation at its next check.
    boolean interrupted = Thread.interrupted();
    Outcome[] outcome = new Outcome[batch.size()];
    try {
      commit(batch, outcome);
    } finally {
      synchronized (this) {
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).outcome = outcome[i] == null ? Outcome.REFUSED : outcome[i];
        }
        committing = false;
        notifyAll();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void commit(List<Pending> batch, Outcome[] outcome) {
    List<String> all = new ArrayList<>();
    batch.forEach(p -> all.addAll(p.lines));
    Outcome together = run(all, earliest(batch));
    if (together == Outcome.APPLIED || batch.size() == 1) {
      java.util.Arrays.fill(outcome, together);
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      outcome[i] = p.deadline.isExpired() ? Outcome.TIMED_OUT : run(p.lines, p.deadline);
    }
  }

  private static Deadline earliest(List<Pending> batch) {
    Deadline first = batch.get(0).deadline;
    for (Pending p : batch) {
      Duration left = p.deadline.remaining();
      if (left != null && (first.remaining() == null || left.compareTo(first.remaining()) < 0)) {
        first = p.deadline;
      }
    }
    return first;
  }

  private Outcome run(List<String> lines, Deadline deadline) {
    try {
      exec.run(argv, IptablesSyntax.restoreScript("nat", lines), deadline);
      return Outcome.APPLIED;
    } catch (FirewallCommandException e) {
      return e.isTimeout() ? Outcome.TIMED_OUT : Outcome.REFUSED;
    }
  }
}
