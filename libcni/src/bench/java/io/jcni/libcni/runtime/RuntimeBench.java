package io.jcni.libcni.runtime;

import io.jcni.libcni.spi.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Prints what the façade costs; not a test (nothing is asserted). Run: {@code java -cp
 * libcni/target/test-classes:libcni/target/classes:<deps> io.jcni.libcni.runtime.RuntimeBench}.
 */
public final class RuntimeBench {
  private RuntimeBench() {}

  public static void main(String[] args) throws Exception {
    // args[0]: a parent directory, e.g. /dev/shm to take the cache's fsync cost out of the numbers
    Path tmp = args.length > 0 ? Files.createTempDirectory(Path.of(args[0]), "jt-runtimebench")
        : Files.createTempDirectory("jt-runtimebench");
    NoopNetworks nets = new NoopNetworks(tmp);
    for (int i = 0; i < 20; i++) {
      Files.writeString(nets.confDir.resolve(String.format("%02d-n%d.conflist", i, i)), """
          {"cniVersion":"1.1.0","name":"n%d","plugins":[{"type":"recorder","address":"10.205.%d.5/24"}]}
          """.formatted(i, i));
    }
    PluginRegistry registry = PluginRegistry.empty().register(new QuietPlugin());

    long t0 = System.nanoTime();
    int loads = 500;
    for (int i = 0; i < loads; i++) {
      NetworkSet.load(nets.confDir, i);
    }
    report("load a directory of 20 conflists", loads, t0);

    try (CniRuntime rt = nets.runtime().registry(registry).build()) {
      List<NetworkRequest> one = List.of(NetworkRequest.of("n0", "eth0"));
      for (int i = 0; i < 2_000; i++) { // warm-up
        rt.attach("w" + i, "/x", one);
        rt.detach("w" + i, "/x", one);
      }
      int n = 5_000;
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        rt.attach("c" + i, "/x", one);
        rt.detach("c" + i, "/x", one);
      }
      report("attach+detach, 1 in-process no-op network, one thread", n, t0);

      int threads = 8;
      int per = 1_000;
      t0 = System.nanoTime();
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread th = new Thread(() -> {
          try {
            for (int i = 0; i < per; i++) {
              rt.attach("t" + id + "-" + i, "/x", one);
              rt.detach("t" + id + "-" + i, "/x", one);
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        th.start();
        ts.add(th);
      }
      for (Thread th : ts) {
        th.join();
      }
      report("attach+detach, 8 threads, different containers", threads * per, t0);

      List<NetworkRequest> four = List.of(NetworkRequest.of("n1", "eth0"), NetworkRequest.of("n2", "eth1"),
          NetworkRequest.of("n3", "eth2"), NetworkRequest.of("n4", "eth3"));
      t0 = System.nanoTime();
      for (int i = 0; i < 1_000; i++) {
        rt.attachConcurrently("k" + i, "/x", four);
        rt.detach("k" + i, "/x", four);
      }
      report("attachConcurrently 4 in-process networks + detach", 1_000, t0);
    }

    // exec'd noop: what running the networks concurrently buys when each plugin is a process
    for (int i = 0; i < 4; i++) {
      nets.network(String.format("%02d-x%d.conflist", 30 + i, i), "x" + i, "1.1.0", "10.206." + i + ".5/24");
    }
    List<NetworkRequest> ex = List.of(NetworkRequest.of("x0", "eth0"), NetworkRequest.of("x1", "eth1"),
        NetworkRequest.of("x2", "eth2"), NetworkRequest.of("x3", "eth3"));
    try (CniRuntime rt = nets.runtime().build()) {
      int n = 10;
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        rt.attach("s" + i, "/x", ex);
      }
      report("attach 4 exec'd noop networks serially", n, t0);
      t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        rt.attachConcurrently("p" + i, "/x", ex);
      }
      report("attach 4 exec'd noop networks concurrently", n, t0);

      BlockingQueue<NetworkSet> loaded = new LinkedBlockingQueue<>();
      rt.onReload(loaded::add);
      rt.watch();
      loaded.clear();
      long total = 0;
      int changes = 10;
      for (int i = 0; i < changes; i++) {
        long s = System.nanoTime();
        nets.network("99-late.conflist", "late", "1.1.0", "10.207." + i + ".5/24");
        loaded.poll(10, TimeUnit.SECONDS);
        total += System.nanoTime() - s;
      }
      System.out.printf("%-60s %10.1f ms (debounce 250 ms)%n", "watch: file written -> reload published",
          total / 1e6 / changes);
    }
  }

  private static void report(String what, int n, long t0) {
    double us = (System.nanoTime() - t0) / 1e3 / n;
    System.out.printf("%-60s %10.1f us/op  (%d ops)%n", what, us, n);
  }

  /** An in-process plugin that does nothing but answer, to measure the façade and libcni around it. */
  static final class QuietPlugin implements io.jcni.libcni.spi.CniPlugin {
    @Override
    public String type() {
      return "recorder";
    }

    @Override
    public List<String> supportedVersions() {
      return List.of("1.1.0");
    }

    @Override
    public com.fasterxml.jackson.databind.node.ObjectNode addResult(io.jcni.libcni.spi.CmdArgs args,
        io.jcni.libcni.spi.PluginContext ctx) {
      com.fasterxml.jackson.databind.node.ObjectNode r = io.jcni.libcni.internal.json.GoJson.mapper().createObjectNode();
      r.put("cniVersion", "1.1.0").putArray("ips").addObject().put("address", "10.205.0.5/24");
      return r;
    }

    @Override
    public void check(io.jcni.libcni.spi.CmdArgs args, io.jcni.libcni.spi.PluginContext ctx) {}

    @Override
    public void del(io.jcni.libcni.spi.CmdArgs args, io.jcni.libcni.spi.PluginContext ctx) {}
  }
}
