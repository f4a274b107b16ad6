package io.jcni.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * What a leak would grow: the process's open file descriptors, the application's live threads and the resident
 * memory.
 *
 * <p>Threads are those of the application's thread group (where the bench and every thread it or the plugins start
 * live), so the JDK's own service threads in the system group — the process reaper pool that lingers a minute after
 * a fork, the common cleaner, the attach listener — are not counted; nor is JNA's cleaner, a library daemon that
 * starts on demand and ends when idle, whatever the code under test does.
 *
 * <p>Resident memory is reported, not waited for: the heap grows and shrinks with the collector, so only the
 * counts decide when a reading has settled.
 *
 * @param fds entries in {@code /proc/self/fd}
 * @param threads live application threads
 * @param rssKb the process's resident set ({@code VmRSS} of {@code /proc/self/status}) in KiB, -1 if unreadable
 */
record BenchGauges(int fds, int threads, long rssKb) {
  private static final Set<String> LIBRARY_DAEMONS = Set.of("JNA Cleaner");
  private static final long SETTLE_NANOS = 3_000_000_000L;

  /** Reads both gauges now, counting the threads of {@code group}. */
  static BenchGauges sample(ThreadGroup group) {
    String[] fds = new File("/proc/self/fd").list();
    return new BenchGauges(fds == null ? -1 : fds.length, threads(group), readRssKb());
  }

  /** Whether both readings count the same descriptors and threads. */
  boolean sameCounts(BenchGauges o) {
    return fds == o.fds && threads == o.threads;
  }

  /**
   * Reads both gauges once they have stopped moving: two readings 50 ms apart agree (or 3 s have passed), so
   * threads and descriptors of work that just finished are not counted.
   */
  static BenchGauges steady(ThreadGroup group) {
    long deadline = System.nanoTime() + SETTLE_NANOS;
    BenchGauges g = sample(group);
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      BenchGauges next = sample(group);
      if (next.sameCounts(g)) {
        break;
      }
      g = next;
    }
    return g;
  }

  /**
   * Reads both gauges once threads and descriptors that are already on their way out (a worker returning from its
   * last task, a pipe closed by an exiting process's pump) have gone: waits up to 3 s for the reading to reach
   * {@code target}, and otherwise returns the last reading, which then shows a leak.
   */
  static BenchGauges settle(ThreadGroup group, BenchGauges target) {
    long deadline = System.nanoTime() + SETTLE_NANOS;
    BenchGauges g = sample(group);
    while (!g.sameCounts(target) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      g = sample(group);
    }
    return g;
  }

  private static long readRssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // reported as unknown
    }
    return -1;
  }

  private static int threads(ThreadGroup group) {
    Thread[] all = new Thread[group.activeCount() + 32];
    int n = group.enumerate(all, true);
    int live = 0;
    for (int i = 0; i < n; i++) {
      Thread t = all[i];
      if (t.isAlive() && !(t.isDaemon() && LIBRARY_DAEMONS.contains(t.getName()))) {
        live++;
      }
    }
    return live;
  }
}
