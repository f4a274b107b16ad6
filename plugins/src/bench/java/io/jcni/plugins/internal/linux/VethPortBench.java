package io.jcni.plugins.internal.linux;

import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures the bridge plugin's veth step alone, the two ways it can be made: "steps" (the veth created on the pod's
 * socket with its peer in the host, read back, then host GETLINK + up + master: 5 requests) and "one"
 * ({@link RtNetlink#createVeth} with a master on the host socket plus the pod end read back: 2 requests). A test-scope main,
 * not a test: {@code java -cp … io.jcni.plugins.internal.linux.VethPortBench [pods] [concurrency] [rounds]} as root. Rounds
 * alternate the two ways on fresh namespaces (made and opened beforehand, not timed) so that a noisy machine
 * affects both alike; every worker has its own host socket, as every ADD has.
 */
public final class VethPortBench {
  private VethPortBench() {}

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int conc = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String tag = "jt-vb" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 12));
    TestNetns host = TestNetns.create("vbhost");
    ExecutorService pool = Executors.newFixedThreadPool(conc);
    try (NetNs hostNs = NetNs.open(Path.of(host.path())); RtNetlink hostRt = RtNetlink.open(hostNs)) {
      hostRt.createBridge(BridgeSpec.named("br0"));
      hostRt.setUp("br0");
      int br = hostRt.link("br0").index();
      run(hostNs, br, pool, conc, tag + "w", 50, true);
      run(hostNs, br, pool, conc, tag + "w", 50, false);
      System.out.println("pods " + pods + ", concurrency " + conc + ", load average at start: " + loadavg());
      List<long[]> steps = new ArrayList<>();
      List<long[]> one = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        steps.add(run(hostNs, br, pool, conc, tag + "s", pods, false));
        one.add(run(hostNs, br, pool, conc, tag + "o", pods, true));
      }
      report("steps (5 requests)", steps);
      report("one request + pod read-back (2 requests)", one);
      System.out.println("load average at end: " + loadavg());
    } finally {
      pool.shutdownNow();
      host.close();
    }
  }

  /** One round on {@code pods} fresh namespaces; returns per-pod nanoseconds of the veth step. */
  private static long[] run(NetNs hostNs, int br, ExecutorService pool, int conc, String prefix, int pods,
      boolean oneRequest) throws Exception {
    List<NetNs> nss = new ArrayList<>();
    List<RtNetlink> rts = new ArrayList<>();
    try {
      for (int i = 0; i < pods; i++) {
        nss.add(NetNs.create(prefix + i));
        rts.add(RtNetlink.open(nss.get(i)));
      }
      long[] out = new long[pods];
      AtomicInteger next = new AtomicInteger();
      List<Future<Void>> fs = new ArrayList<>();
      for (int w = 0; w < conc; w++) {
        fs.add(pool.submit(() -> {
          try (RtNetlink h = RtNetlink.open(hostNs)) {
            for (int i; (i = next.getAndIncrement()) < pods; ) {
              String v = "veth" + String.format("%08x", ThreadLocalRandom.current().nextInt());
              RtNetlink c = rts.get(i);
              long s = System.nanoTime();
              if (oneRequest) {
                Link l = h.createVeth(VethSpec.of(v, "eth0").withMaster(br).withPeerIn(nss.get(i)));
                c.link(l.peerIndex());
              } else {
                c.createVeth(VethSpec.of("eth0", v).withPeerIn(hostNs));
                h.link(v);
                h.setUp(v);
                h.setMaster(v, br);
              }
              out[i] = System.nanoTime() - s;
              h.delete(v);
            }
          }
          return null;
        }));
      }
      for (Future<Void> f : fs) {
        f.get();
      }
      return out;
    } finally {
      for (RtNetlink r : rts) {
        r.close();
      }
      for (int i = 0; i < nss.size(); i++) {
        nss.get(i).close();
        NetNs.delete(prefix + i);
      }
    }
  }

  private static void report(String what, List<long[]> rounds) {
    StringBuilder p50s = new StringBuilder();
    for (long[] r : rounds) {
      long[] s = r.clone();
      Arrays.sort(s);
      p50s.append(String.format(" %7.3f", s[s.length / 2] / 1e6));
    }
    long[] all = rounds.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    System.out.printf("%-42s p50 %7.3f ms  p90 %7.3f  mean %7.3f  (p50 per round:%s)%n", what,
        all[all.length / 2] / 1e6, all[(int) (all.length * 0.9)] / 1e6,
        Arrays.stream(all).average().orElse(0) / 1e6, p50s);
  }

  private static String loadavg() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).strip();
  }
}
