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
 */
record BenchStats(
    double addP50Ms, double addP99Ms, double delP50Ms, double delP99Ms, double wallMs, double podsPerS,
    int addsOk, int delsOk) {

  /** Figures from per-operation latencies (successful operations only) and the wall time, all in nanoseconds. */
  static BenchStats of(int pods, long[] addNanos, long[] delNanos, long wallNanos) {
    double wallMs = wallNanos / 1e6;
    return new BenchStats(
        percentileMs(addNanos, 50), percentileMs(addNanos, 99),
        percentileMs(delNanos, 50), percentileMs(delNanos, 99),
        wallMs, wallMs > 0 ? pods / (wallMs / 1000) : 0, addNanos.length, delNanos.length);
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
