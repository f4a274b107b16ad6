package io.jcni.demo;

import java.util.Arrays;

/**
 * The figures of one mode: ADD and DEL latency percentiles, wall time and throughput, and how many operations
 * succeeded.
 *
 * @param addP50Ms median ADD latency (whole chain plus cache write, as the runtime sees it)
 * @param addP99Ms 99th-percentile ADD latency
 * @param delP50Ms median DEL latency
 * @param delP99Ms 99th-percentile DEL latency
 * @param wallMs from the first ADD to the last DEL
 * @param podsPerS pods attached and detached per second of wall time
 * @param addsOk successful ADDs
 * @param delsOk successful DELs
 * @param addCpuMs CPU time of the ADD phase per successful ADD ({@link BenchCpu}: this process and the plugins it ran)
 * @param delCpuMs CPU time of the DEL phase per successful DEL
 * @param jitWaitMs how long the pass waited, before its ADD phase, for the JIT to finish compiling ({@link BenchJit})
 */
record BenchStats(
    double addP50Ms, double addP99Ms, double delP50Ms, double delP99Ms, double wallMs, double podsPerS,
    int addsOk, int delsOk, double addCpuMs, double delCpuMs, double jitWaitMs) {

  /**
   * Figures from per-operation latencies (successful operations only), the wall time and the CPU time of each
   * phase (-1 when unknown), all in nanoseconds.
   */
  static BenchStats of(int pods, long[] addNanos, long[] delNanos, long wallNanos, long addCpuNanos,
      long delCpuNanos) {
    double wallMs = wallNanos / 1e6;
    return new BenchStats(
        percentileMs(addNanos, 50), percentileMs(addNanos, 99),
        percentileMs(delNanos, 50), percentileMs(delNanos, 99),
        wallMs, wallMs > 0 ? pods / (wallMs / 1000) : 0, addNanos.length, delNanos.length,
        perOpMs(addCpuNanos, addNanos.length), perOpMs(delCpuNanos, delNanos.length), 0);
  }

  /** These figures with the pass's wait for the JIT, in nanoseconds. */
  BenchStats withJitWait(long nanos) {
    return new BenchStats(addP50Ms, addP99Ms, delP50Ms, delP99Ms, wallMs, podsPerS, addsOk, delsOk, addCpuMs,
        delCpuMs, nanos / 1e6);
  }

  private static double perOpMs(long nanos, int ops) {
    return nanos < 0 || ops == 0 ? Double.NaN : nanos / 1e6 / ops;
  }

  /** The nearest-rank percentile in milliseconds; NaN when there are no samples. */
  static double percentileMs(long[] nanos, int pct) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] s = nanos.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(pct / 100.0 * s.length);
    return s[Math.max(rank, 1) - 1] / 1e6;
  }
}
