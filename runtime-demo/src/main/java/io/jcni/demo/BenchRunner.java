package io.jcni.demo;

import io.jcni.libcni.CniConfig;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.linux.NetNs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One measured pass of a bench mode: makes N namespaces, attaches them C at a time, then detaches them C at a
 * time, then deletes the namespaces. Only the ADD and DEL phases are timed.
 */
final class BenchRunner {
  private static final int MAX_ERRORS_KEPT = 5;

  private final BenchTeardown teardown;
  private final BenchProgress progress;
  private final int concurrency;
  private final BenchCapArgs capArgs;

  /** The outcome of one pass: its figures and the first few errors (with how many there were in all). */
  record Outcome(BenchStats stats, List<String> errors, int errorCount) {}

  BenchRunner(BenchTeardown teardown, BenchProgress progress, int concurrency, BenchCapArgs capArgs) {
    this.teardown = teardown;
    this.progress = progress;
    this.concurrency = concurrency;
    this.capArgs = capArgs;
  }

  /**
   * Attaches and detaches namespaces {@code <prefix>0 … <prefix><pods-1>} through {@code cni}, pod {@code i} with
   * conflist {@code i % lists.size()}.
   *
   * @param label names the pass in progress lines and errors, e.g. {@code "inline"}
   * @param timed whether this pass is measured: then its ADD phase waits for the JIT to finish what earlier passes
   *     gave it ({@link BenchJit}), as in a runtime that has attached many pods
   * @param onAttached called with the namespace names between the ADD and the DEL phase (tests look at the pods)
   */
  Outcome run(String label, CniConfig cni, List<NetworkConfigList> lists, String prefix, int pods, boolean timed,
      Consumer<List<String>> onAttached) throws InterruptedException {
    Errors errors = new Errors();
    List<String> names = new ArrayList<>(pods);
    for (int i = 0; i < pods; i++) {
      names.add(prefix + i);
    }
    boolean[] made = new boolean[pods];
    parallel(label + " namespaces", pods, i -> {
      NetNs.create(names.get(i)).close();
      teardown.namespaceCreated(names.get(i));
      made[i] = true;
    }, errors, "create namespace");

    long[] addNanos = new long[pods];
    long[] delNanos = new long[pods];
    Arrays.fill(addNanos, -1);
    Arrays.fill(delNanos, -1);
    RuntimeConf[] rts = new RuntimeConf[pods];
    long jitWait = timed ? BenchJit.settle() : 0;
    long wallStart = System.nanoTime();
    long addCpu = BenchCpu.nanos();
    parallel(label + " ADD", pods, i -> {
      if (!made[i]) {
        return;
      }
      String id = names.get(i);
      RuntimeConf rt = RuntimeConf.of(id, NetNs.pathOf(id).toString(), "eth0");
      if (!capArgs.isEmpty()) {
        rt = rt.withCapabilityArgs(capArgs.forPod(i));
      }
      NetworkConfigList list = lists.get(i % lists.size());
      long t0 = System.nanoTime();
      cni.addNetworkList(list, rt);
      addNanos[i] = System.nanoTime() - t0;
      rts[i] = rt;
      teardown.attached(id, new BenchTeardown.Attachment(cni, list, rt));
    }, errors, "ADD");
    long addPhaseEnd = System.nanoTime();
    addCpu = cpuSince(addCpu);

    List<String> up = new ArrayList<>();
    for (int i = 0; i < pods; i++) {
      if (rts[i] != null) {
        up.add(names.get(i));
      }
    }
    onAttached.accept(Collections.unmodifiableList(up));

    long delPhaseStart = System.nanoTime();
    long delCpu = BenchCpu.nanos();
    parallel(label + " DEL", pods, i -> {
      if (rts[i] == null) {
        return;
      }
      long t0 = System.nanoTime();
      cni.delNetworkList(lists.get(i % lists.size()), rts[i]);
      delNanos[i] = System.nanoTime() - t0;
      teardown.detached(names.get(i));
    }, errors, "DEL");
    long wallNanos = (addPhaseEnd - wallStart) + (System.nanoTime() - delPhaseStart);
    delCpu = cpuSince(delCpu);

    parallel(label + " cleanup", pods, i -> {
      // a pod whose DEL failed keeps its namespace: the teardown retries the DEL first
      if (made[i] && (rts[i] == null || delNanos[i] >= 0)) {
        NetNs.delete(names.get(i));
        teardown.namespaceDeleted(names.get(i));
      }
    }, errors, "delete namespace");
    progress.done();
    BenchStats stats =
        BenchStats.of(pods, successful(addNanos), successful(delNanos), wallNanos, addCpu, delCpu).withJitWait(jitWait);
    return new Outcome(stats, errors.kept(), errors.count());
  }

  private static long cpuSince(long start) {
    long now = BenchCpu.nanos();
    return start < 0 || now < 0 ? -1 : now - start;
  }

  private static long[] successful(long[] nanos) {
    return Arrays.stream(nanos).filter(n -> n >= 0).toArray();
  }

  /** One step of a phase, for pod {@code i}. */
  @FunctionalInterface
  private interface Step {
    void run(int i) throws CniException, IOException;
  }

  /**
   * Runs {@code step} for 0…n-1 on {@code concurrency} fresh platform threads (namespace work must not run on
   * virtual or pooled threads), joined before returning so none outlives the phase. Each step is registered with
   * the teardown, and none starts once the run is stopping.
   */
  private void parallel(String phase, int n, Step step, Errors errors, String what) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Runnable worker = () -> {
      for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
        if (!teardown.begin()) {
          return;
        }
        try {
          step.run(i);
        } catch (CniException | IOException | RuntimeException e) {
          errors.add(what + " #" + i + ": " + e.getMessage());
        } finally {
          teardown.end();
        }
        done.incrementAndGet();
      }
    };
    Thread[] threads = new Thread[Math.min(concurrency, n)];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(worker, "jcni-bench-" + t);
      threads[t].start();
    }
    for (Thread t : threads) {
      while (t.isAlive()) {
        t.join(100);
        progress.show(phase, done.get(), n);
      }
    }
    progress.show(phase, done.get(), n);
  }

  /** The first few errors of a pass and how many there were. */
  private static final class Errors {
    private final List<String> kept = new ArrayList<>();
    private int count;

    synchronized void add(String e) {
      count++;
      if (kept.size() < MAX_ERRORS_KEPT) {
        kept.add(e);
      }
    }

    synchronized List<String> kept() {
      return List.copyOf(kept);
    }

    synchronized int count() {
      return count;
    }
  }
}
