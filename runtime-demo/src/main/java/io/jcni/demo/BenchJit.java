package io.jcni.demo;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * The JIT compiler as the bench sees it: a timed phase waits until the compiler has finished what the warm-up gave
 * it.
 *
 * <p>Why: the warm-up runs every step of an attachment, and the compiler then has a queue of methods to compile.
 * If that queue is still being worked off when the timed ADD phase starts, the compiler thread takes CPU from the
 * attachments (on a two-CPU node, up to a third of the phase), and the phase measures a runtime that is still
 * starting rather than one that has attached many pods. The JVM has no call that says "queue empty"; the total
 * compilation time standing still for a few polls is the sign used here.
 */
final class BenchJit {
  private static final long POLL_MILLIS = 10;
  private static final int QUIET_POLLS = 3;
  private static final long MAX_WAIT_NANOS = 2_000_000_000L;

  private BenchJit() {}

  /**
   * Waits until the JIT has compiled nothing for {@value #QUIET_POLLS} polls {@value #POLL_MILLIS} ms apart, or 2 s
   * have passed; returns how long it waited in nanoseconds (0 when the JVM does not report compilation time).
   */
  static long settle() throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return 0;
    }
    long start = System.nanoTime();
    long last = jit.getTotalCompilationTime();
    int quiet = 0;
    while (quiet < QUIET_POLLS && System.nanoTime() - start < MAX_WAIT_NANOS) {
      Thread.sleep(POLL_MILLIS);
      long now = jit.getTotalCompilationTime();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
    return System.nanoTime() - start;
  }
}
