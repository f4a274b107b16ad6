package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class BenchStatsTest {

  /** Nearest rank, straight from its definition: the smallest sample with at least p% of samples at or below it. */
  private static double oracle(long[] nanos, int pct) {
    for (long candidate : LongStream.of(nanos).sorted().toArray()) {
      long atOrBelow = LongStream.of(nanos).filter(n -> n <= candidate).count();
      if (atOrBelow * 100 >= (long) pct * nanos.length) {
        return candidate / 1e6;
      }
    }
    throw new AssertionError();
  }

  @Test
  void percentilesAreNearestRankInShuffledInput() {
    Random r = new Random(42);
    for (int n : new int[] {1, 2, 3, 7, 100, 101, 200, 999}) {
      long[] nanos = r.longs(n, 1, 50_000_000).toArray();
      for (int pct : new int[] {50, 99}) {
        assertEquals(oracle(nanos, pct), BenchStats.percentileMs(nanos, pct), "n=" + n + " p" + pct);
      }
    }
  }

  @Test
  void oneToHundredMillisecondsGiveFiftyAndNinetyNine() {
    List<Long> ms = new java.util.ArrayList<>(LongStream.rangeClosed(1, 100).boxed().toList());
    Collections.shuffle(ms, new Random(7));
    long[] nanos = ms.stream().mapToLong(m -> m * 1_000_000).toArray();
    BenchStats s = BenchStats.of(100, nanos, nanos, 2_000_000_000L, 300_000_000L, -1);
    assertEquals(50.0, s.addP50Ms());
    assertEquals(99.0, s.delP99Ms());
    assertEquals(50.0, s.podsPerS());
    assertEquals(100, s.addsOk());
    assertEquals(3.0, s.addCpuMs()); // 300 ms of CPU over 100 ADDs
    assertTrue(Double.isNaN(s.delCpuMs())); // CPU time unknown
  }

  @Test
  void noSamplesIsNotANumberNotZero() {
    assertTrue(Double.isNaN(BenchStats.percentileMs(new long[0], 50)));
    BenchStats s = BenchStats.of(3, new long[0], new long[0], 1_000_000L, 5_000_000L, 5_000_000L);
    assertTrue(Double.isNaN(s.addP50Ms()) && Double.isNaN(s.delP99Ms()));
    assertEquals(0, s.addsOk());
    assertTrue(Double.isNaN(s.addCpuMs()));
  }
}
