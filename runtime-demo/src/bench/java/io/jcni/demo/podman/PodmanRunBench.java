package io.jcni.demo.podman;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures {@code podman run --rm <image> true} (Podman, CNI backend) with one plugin directory, or two against each
 * other. A test-scope main, not a test: {@code bench-podman-run.sh RUNS DIR_A [DIR_B]} as root.
 *
 * <p>Each directory gets its own {@link PodmanHarness} (same network shape, own namespace). After one warm-up run
 * each, the runs alternate A B A B … so a drift of the machine's speed hits both; it prints each directory's wall
 * time per run (min, median, max, in ms) and, for two, the median of the pairwise ratios A/B.
 */
public final class PodmanRunBench {
  private PodmanRunBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: PodmanRunBench RUNS PLUGIN_DIR_A [PLUGIN_DIR_B]");
      System.exit(2);
    }
    int runs = Integer.parseInt(args[0]);
    List<PodmanHarness> harnesses = new ArrayList<>();
    try {
      for (int i = 1; i < args.length; i++) {
        harnesses.add(PodmanHarness.start(Files.createTempDirectory("jt-podman-bench-"), Path.of(args[i])));
      }
      List<List<Double>> ms = new ArrayList<>();
      for (PodmanHarness h : harnesses) {
        runOnce(h);
        ms.add(new ArrayList<>());
      }
      for (int r = 0; r < runs; r++) {
        for (int i = 0; i < harnesses.size(); i++) {
          ms.get(i).add(runOnce(harnesses.get(i)));
        }
      }
      System.out.printf("podman run --rm %s true, %d runs each after 1 warm-up (wall ms)%n", PodmanHarness.IMAGE, runs);
      for (int i = 0; i < harnesses.size(); i++) {
        List<Double> s = ms.get(i);
        System.out.printf("%-40s min %7.1f  median %7.1f  max %7.1f%n",
            harnesses.get(i).pluginDir(), min(s), median(s), max(s));
      }
      if (harnesses.size() == 2) {
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
          ratios.add(ms.get(0).get(r) / ms.get(1).get(r));
        }
        System.out.printf("ratio A/B (pairwise)                     min %7.2f  median %7.2f  max %7.2f%n",
            min(ratios), median(ratios), max(ratios));
      }
    } finally {
      for (PodmanHarness h : harnesses) {
        h.close();
      }
    }
  }

  private static double runOnce(PodmanHarness h) throws Exception {
    long t0 = System.nanoTime();
    PodmanHarness.Outcome o = h.podmanOutcome("run", "--rm", PodmanHarness.IMAGE, "true");
    double ms = (System.nanoTime() - t0) / 1e6;
    if (o.exit() != 0) {
      throw new IllegalStateException("podman run with " + h.pluginDir() + " exited " + o.exit() + ": " + o.err());
    }
    return ms;
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
