package io.jcni.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time this process has used, its own threads (JIT and GC included) plus every descendant it has reaped:
 * for an exec'd plugin that is the plugin and whatever it exec'd in turn, so one figure compares both modes. Kernel
 * work done for either side by kernel threads (deferred IPv6 address and multicast work, namespace cleanup) is not
 * in it.
 */
final class BenchCpu {
  /** Linux reports these in USER_HZ ticks, which is 100 per second on every architecture. */
  private static final long NANOS_PER_TICK = 10_000_000L;
  private static final Path STAT = Path.of("/proc/self/stat");

  private BenchCpu() {}

  /** utime + stime + cutime + cstime of {@code /proc/self/stat}, in nanoseconds; -1 when it cannot be read. */
  static long nanos() {
    try {
      // by lines: Files.readAllBytes trusts the size a /proc file reports (zero), which does not hold for all of them
      String stat = Files.readAllLines(STAT).get(0);
      // The command name in parentheses may hold spaces; the fields after it are fixed: utime is the 14th field.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = 0;
      for (int i = 11; i <= 14; i++) {
        ticks += Long.parseLong(f[i]);
      }
      return ticks * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
