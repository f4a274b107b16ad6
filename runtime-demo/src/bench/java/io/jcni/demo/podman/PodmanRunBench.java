package io.jcni.demo.podman;

import io.jcni.demo.serve.ServeFixture;
import io.jcni.libcni.testing.HostLocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures {@code podman run --rm <image> true} (Podman, CNI backend) with one plugin directory, or two against each
 * other. A test-scope main, not a test: {@code bench-podman-run.sh RUNS DIR_A [DIR_B]} as root.
 *
 * <p>A directory given as {@value #SHIMS} is made by the bench: {@code jcni install-plugins --socket} output with a
 * {@code jcni serve} daemon in that harness's host namespace (where the shims' requests must be served), started and
 * warmed by one VERSION call before the warm-up run.
 *
 * <p>Each directory gets its own {@link PodmanHarness} (same network shape, own namespace). After one warm-up run
 * each, the runs alternate A B A B … so a drift of the machine's speed hits both; it prints each directory's wall
 * time per run (min, median, mean, max, in ms) and, for two, the pairwise ratios A/B. It fails when a directory left
 * an address reserved, so a run whose teardown failed is not counted as a fast one.
 */
public final class PodmanRunBench {
  /** The argument naming jcni's shims with a daemon of the bench's own, instead of a plugin directory. */
  static final String SHIMS = "jcni-shims";

  private PodmanRunBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: PodmanRunBench RUNS PLUGIN_DIR_A|" + SHIMS + " [PLUGIN_DIR_B|" + SHIMS + "]");
      System.exit(2);
    }
    int runs = Integer.parseInt(args[0]);
    List<PodmanHarness> harnesses = new ArrayList<>();
    List<ServeFixture> daemons = new ArrayList<>();
    try {
      for (int i = 1; i < args.length; i++) {
        Path dir = Files.createTempDirectory("jt-podman-bench-");
        if (args[i].equals(SHIMS)) {
          Path serveDir = dir.resolve("serve");
          Path bin = Files.createDirectories(serveDir.resolve("bin"));
          PodmanHarness h = PodmanHarness.start(dir.resolve("podman"), bin);
          harnesses.add(h);
          daemons.add(new ServeFixture(serveDir, h.host()).start());
        } else {
          harnesses.add(PodmanHarness.start(dir, Path.of(args[i])));
        }
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
        System.out.printf("%-40s min %7.1f  median %7.1f  mean %7.1f  max %7.1f%n",
            harnesses.get(i).pluginDir(), min(s), median(s), mean(s), max(s));
      }
      if (harnesses.size() == 2) {
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
          ratios.add(ms.get(0).get(r) / ms.get(1).get(r));
        }
        System.out.printf("ratio A/B (pairwise)                     min %7.2f  median %7.2f  mean %7.2f  max %7.2f%n",
            min(ratios), median(ratios), mean(ratios), max(ratios));
      }
    } finally {
      // Podman first: removing its containers DELs through the shims, so the daemons must still answer.
      for (PodmanHarness h : harnesses) {
        h.close();
      }
      for (ServeFixture d : daemons) {
        d.close();
        deleteTree(d.shims().getParent().getParent());
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
    List<String> reserved = HostLocalStore.reserved(h.network().store());
    if (!reserved.isEmpty()) {
      throw new IllegalStateException("podman run --rm with " + h.pluginDir() + " left " + reserved + " reserved");
    }
    return ms;
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    try (var s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
