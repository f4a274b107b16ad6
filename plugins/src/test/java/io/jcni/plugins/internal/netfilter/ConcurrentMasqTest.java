package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.IpNet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Parallel ADDs and DELs of different containers, as a runtime starting many pods issues them. */
class ConcurrentMasqTest {
  private static final int CONTAINERS = 8;

  @Test
  @RequiresCapabilities
  void parallelSetupAndTeardown() throws Exception {
    try (TestNetns ns = TestNetns.create("fwcc")) {
      for (IpMasqBackend backend : IpMasqBackend.values()) {
        IpMasq masq = new IpMasq(backend, new NetnsExec(ns.name()));
        runAll(i -> masq.setup("cc", "c" + i, "eth0", ips(i)));
        String save = TestNetns.run("ip", "netns", "exec", ns.name(), "iptables-save", "-t", "nat");
        String nft = TestNetns.run("ip", "netns", "exec", ns.name(), "nft", "list", "ruleset");
        if (backend == IpMasqBackend.IPTABLES) {
          assertEquals(CONTAINERS, save.lines().filter(l -> l.startsWith("-A POSTROUTING")).count(), save);
          assertEquals(2 * CONTAINERS, save.lines().filter(l -> l.startsWith("-A CNI-")).count(), save);
        } else {
          assertEquals(CONTAINERS, nft.lines().filter(l -> l.contains(" masquerade comment ")).count(), nft);
          assertEquals(1, nft.lines().filter(l -> l.strip().equals("goto masq_checks")).count(), nft);
        }
        runAll(i -> masq.teardown("cc", "c" + i, "eth0", ips(i)));
        save = TestNetns.run("ip", "netns", "exec", ns.name(), "iptables-save", "-t", "nat");
        nft = TestNetns.run("ip", "netns", "exec", ns.name(), "nft", "list", "ruleset");
        assertEquals(0, save.lines().filter(l -> l.contains("CNI-")).count(), save);
        assertEquals(0, nft.lines().filter(l -> l.contains(" masquerade comment ")).count(), nft);
      }
    }
  }

  private static List<IpNet> ips(int i) {
    return List.of(Cidrs.one("10.250.13." + (i + 2) + "/24"));
  }

  @FunctionalInterface
  private interface Op {
    void run(int i) throws Exception;
  }

  private static void runAll(Op op) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CONTAINERS);
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (int i = 0; i < CONTAINERS; i++) {
        int n = i;
        Callable<Void> task = () -> {
          op.run(n);
          return null;
        };
        futures.add(pool.submit(task));
      }
      for (Future<Void> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
