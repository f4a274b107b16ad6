package io.jcni.demo;

import io.jcni.libcni.CniConfig;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NetNs;
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
   * conflist {@code i % lists.size()}: one {@link Pass} with all pods in one ADD and one DEL phase.
   *
   * @param label names the pass in progress lines and errors, e.g. {@code "inline"}
   * @param timed whether this pass is measured: then its ADD phase waits for the JIT to finish what earlier passes
   *     gave it ({@link BenchJit}), as in a runtime that has attached many pods
   * @param onAttached called with the namespace names between the ADD and the DEL phase (tests look at the pods)
   */
  Outcome run(String label, CniConfig cni, List<NetworkConfigList> lists, String prefix, int pods, boolean timed,
      Consumer<List<String>> onAttached) throws InterruptedException {
    Pass pass = pass(label, cni, lists, prefix, pods);
    pass.create();
    pass.add(0, pods, timed);
    onAttached.accept(pass.attached(0, pods));
    pass.del(0, pods);
    return pass.finish();
  }

  /** A pass over {@code pods} pods whose phases the caller runs, possibly in slices alternating with other passes. */
  Pass pass(String label, CniConfig cni, List<NetworkConfigList> lists, String prefix, int pods) {
    return new Pass(label, cni, lists, prefix, pods);
  }

  /**
   * One pass of a mode over one network: namespaces made ({@link #create}), slices of pods attached ({@link #add})
   * and detached ({@link #del}), each slice timed and its CPU counted, then the namespaces deleted and the figures
   * of all slices together ({@link #finish}).
   */
  final class Pass {
    private final String label;
    private final CniConfig cni;
    private final List<NetworkConfigList> lists;
    private final int pods;
    private final List<String> names;
    private final boolean[] made;
    private final long[] addNanos;
    private final long[] delNanos;
    private final RuntimeConf[] rts;
    private final Errors errors = new Errors();
    private long wallNanos;
    private long addCpu;
    private long delCpu;
    private long jitWait;

    private Pass(String label, CniConfig cni, List<NetworkConfigList> lists, String prefix, int pods) {
      this.label = label;
      this.cni = cni;
      this.lists = List.copyOf(lists);
      this.pods = pods;
      this.names = new ArrayList<>(pods);
      for (int i = 0; i < pods; i++) {
        names.add(prefix + i);
      }
      made = new boolean[pods];
      addNanos = new long[pods];
      delNanos = new long[pods];
      Arrays.fill(addNanos, -1);
      Arrays.fill(delNanos, -1);
      rts = new RuntimeConf[pods];
    }

    /** Makes every pod's namespace (not timed). */
    void create() throws InterruptedException {
      parallel(label + " namespaces", 0, pods, i -> {
        NetNs.create(names.get(i)).close();
        teardown.namespaceCreated(names.get(i));
        made[i] = true;
      }, errors, "create namespace");
    }

    /** The ADD phase of pods {@code from} to {@code to - 1}, after waiting for the JIT when {@code timed}. */
    void add(int from, int to, boolean timed) throws InterruptedException {
      jitWait += timed ? BenchJit.settle() : 0;
      long start = System.nanoTime();
      long cpu = BenchCpu.nanos();
      parallel(label + " ADD", from, to, i -> {
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
      wallNanos += System.nanoTime() - start;
      addCpu = sum(addCpu, cpuSince(cpu));
    }

    /** The namespaces of pods {@code from} to {@code to - 1} that are attached. */
    List<String> attached(int from, int to) {
      List<String> up = new ArrayList<>();
      for (int i = from; i < to; i++) {
        if (rts[i] != null) {
          up.add(names.get(i));
        }
      }
      return Collections.unmodifiableList(up);
    }

    /** The DEL phase of pods {@code from} to {@code to - 1}. */
    void del(int from, int to) throws InterruptedException {
      long start = System.nanoTime();
      long cpu = BenchCpu.nanos();
      parallel(label + " DEL", from, to, i -> {
        if (rts[i] == null) {
          return;
        }
        long t0 = System.nanoTime();
        cni.delNetworkList(lists.get(i % lists.size()), rts[i]);
        delNanos[i] = System.nanoTime() - t0;
        teardown.detached(names.get(i));
      }, errors, "DEL");
      wallNanos += System.nanoTime() - start;
      delCpu = sum(delCpu, cpuSince(cpu));
    }

    /** Deletes the namespaces (not timed) and returns the figures of every slice together. */
    Outcome finish() throws InterruptedException {
      parallel(label + " cleanup", 0, pods, i -> {
        // a pod whose DEL failed keeps its namespace: the teardown retries the DEL first
        if (made[i] && (rts[i] == null || delNanos[i] >= 0)) {
          NetNs.delete(names.get(i));
          teardown.namespaceDeleted(names.get(i));
        }
      }, errors, "delete namespace");
      progress.done();
      BenchStats stats = BenchStats.of(pods, successful(addNanos), successful(delNanos), wallNanos, addCpu, delCpu)
          .withJitWait(jitWait);
      return new Outcome(stats, errors.kept(), errors.count());
    }

    /** CPU nanoseconds summed over slices; -1 once any slice's is unknown. */
    private static long sum(long sum, long slice) {
      return sum < 0 || slice < 0 ? -1 : sum + slice;
    }
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
   * Runs {@code step} for from…to-1 on {@code concurrency} fresh platform threads (namespace work must not run on
   * virtual or pooled threads), joined before returning so none outlives the phase. Each step is registered with
   * the teardown, and none starts once the run is stopping.
   */
  private void parallel(String phase, int from, int to, Step step, Errors errors, String what)
      throws InterruptedException {
    int n = to - from;
    AtomicInteger next = new AtomicInteger(from);
    AtomicInteger done = new AtomicInteger();
    Runnable worker = () -> {
      for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
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

  /** The first few errors of a pass (or of the floor) and how many there were. */
  static final class Errors {
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
