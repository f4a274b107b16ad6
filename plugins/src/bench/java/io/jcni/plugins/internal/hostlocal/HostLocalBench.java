package io.jcni.plugins.internal.hostlocal;

import io.jcni.libcni.spi.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Measures host-local allocation+release pairs per second: jcni in process (1 and 8 threads) against Go's binary
 * exec'd in a loop (1 and 8 concurrent loops), all on the same store layout (one /16 range set, ADD then DEL).
 *
 * <p>Not a test: run it as a main (see the report for the command). Prints one line per configuration.
 */
public final class HostLocalBench {
  private HostLocalBench() {}

  public static void main(String[] args) throws Exception {
    int jcniPairs = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
    int goPairs = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    Path root = Files.createTempDirectory("jcni-hostlocal-bench");
    try {
      System.out.printf("%-34s %8s %10s %12s%n", "runner", "threads", "pairs", "pairs/s");
      run("jcni in-process (warm-up)", HostLocalRunner.JCNI, 1, Math.min(jcniPairs, 5000), root);
      run("jcni in-process", HostLocalRunner.JCNI, 1, jcniPairs, root);
      run("jcni in-process", HostLocalRunner.JCNI, 8, jcniPairs, root);
      run("Go /usr/lib/cni/host-local exec", HostLocalRunner.GO, 1, goPairs, root);
      run("Go /usr/lib/cni/host-local exec", HostLocalRunner.GO, 8, goPairs, root);
    } finally {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(String name, HostLocalRunner runner, int threads, int pairs, Path root)
      throws Exception {
    Path dataDir = Files.createDirectories(root.resolve(name.replaceAll("\\W", "") + threads));
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"bench\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\""
        + dataDir + "\",\"ranges\":[[{\"subnet\":\"10.200.0.0/16\"}]]}}";
    int perThread = pairs / threads;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    try {
      List<Future<?>> f = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        f.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String id = "bench-" + thread + "-" + i;
            check(runner.run(Command.ADD, id, "eth0", "", conf), id);
            check(runner.run(Command.DEL, id, "eth0", "", conf), id);
          }
          return null;
        }));
      }
      for (Future<?> x : f) {
        x.get();
      }
    } finally {
      pool.shutdown();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    int done = perThread * threads;
    System.out.printf("%-34s %8d %10d %12.0f%n", name, threads, done, done / secs);
  }

  private static void check(HostLocalRunner.Outcome o, String id) throws IOException {
    if (!o.ok()) {
      throw new IOException(id + ": " + o);
    }
  }
}
