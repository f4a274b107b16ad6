package io.jcni.plugins.internal.linux;

import com.google.common.net.InetAddresses;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.IpNet;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Measures the per-pod cost of wiring a namespace through this package, against {@code ip -batch} doing the same
 * kernel work. A test-scope main, not a test: {@code java -cp … io.jcni.plugins.internal.linux.PodBench [pods]} as root.
 *
 * <p>Scenarios, each on fresh namespaces (made beforehand, not timed):
 * <ul>
 *   <li>H: from the host socket only: veth with the peer created in the pod namespace, master, up, an address and
 *       a /32 route on the host end. The same lines fed to one {@code ip -batch} process are the kernel-bound floor.
 *   <li>P: the bridge plugin's pattern: open a socket in the pod namespace (one fresh thread), create the veth
 *       there with the peer in the host, master + up on the host, address + up + default route in the pod.
 *       Compared with {@code ip -batch} in the host plus one {@code ip -n pod -batch} per pod.
 * </ul>
 */
public final class PodBench {
  private PodBench() {}

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    String tag = "jt-pb" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 12));
    TestNetns host = TestNetns.create("pbhost");
    try (NetNs hostNs = NetNs.open(java.nio.file.Path.of(host.path())); RtNetlink hostRt = RtNetlink.open(hostNs)) {
      hostRt.createBridge(BridgeSpec.named("br0"));
      hostRt.setUp("br0");
      hostRt.addAddress("br0", IpNet.parse("10.250.0.1/16"), Set.of());
      int br = hostRt.link("br0").index();

      // warm-up (JIT, JNA) on throw-away namespaces
      for (int round = 0; round < 2; round++) {
        List<NetNs> w = createAll(tag + "w", 100);
        runP(hostRt, hostNs, br, w, "w");
        deleteAll(tag + "w", w);
      }

      System.out.println("load average at start: " + loadavg());
      long[] nsCreate = new long[pods];
      List<NetNs> nss = new ArrayList<>();
      for (int i = 0; i < pods; i++) {
        long t0 = System.nanoTime();
        nss.add(NetNs.create(tag + "a" + i));
        nsCreate[i] = System.nanoTime() - t0;
      }
      report("NetNs.create (per namespace)", nsCreate);
      deleteAll(tag + "a", nss);
      long t0 = System.nanoTime();
      for (int i = 0; i < pods; i++) {
        TestNetns.run("ip", "netns", "add", tag + "i" + i);
      }
      System.out.printf("%-52s mean %7.3f ms%n", "ip netns add, one process each", (System.nanoTime() - t0) / 1e6 / pods);
      for (int i = 0; i < pods; i++) {
        TestNetns.run("ip", "netns", "del", tag + "i" + i);
      }
      settle();

      long[] gets = new long[20000];
      for (int i = 0; i < gets.length; i++) {
        long s = System.nanoTime();
        hostRt.link("br0");
        gets[i] = System.nanoTime() - s;
      }
      report("one round trip: RtNetlink.link(name)", gets);
      long[] runs = new long[2000];
      for (int i = 0; i < runs.length; i++) {
        long s = System.nanoTime();
        hostNs.runIn(() -> null);
        runs[i] = System.nanoTime() - s;
      }
      report("NetNs.runIn(() -> null) (fresh thread, 2 setns)", runs);
      long[] opens = new long[1000];
      long[] writes = new long[1000];
      for (int i = 0; i < opens.length; i++) {
        long s = System.nanoTime();
        try (Sysctl sc = Sysctl.open(hostNs)) {
          long o = System.nanoTime();
          sc.write("net/ipv6/conf/br0/accept_ra", "0");
          writes[i] = System.nanoTime() - o;
        }
        opens[i] = System.nanoTime() - s - writes[i];
      }
      report("Sysctl.open(ns) + close", opens);
      report("Sysctl#write via openat (per key)", writes);

      // rounds alternate jcni and iproute2 so both see the same background load
      for (int round = 1; round <= 3; round++) {
        System.out.println("-- round " + round + ", load average " + loadavg());
        nss = createAll(tag + "h", pods);
        long[] h = new long[pods];
        long[] cpu0 = cpu();
        for (int i = 0; i < pods; i++) {
          long s = System.nanoTime();
          Link vh = hostRt.createVeth(VethSpec.of("vh" + i, "eth0").withPeerIn(nss.get(i)));
          hostRt.setMaster("vh" + i, br);
          hostRt.setUp("vh" + i);
          hostRt.addAddress(vh.index(), IpNet.parse("10.251." + (i / 250) + "." + (i % 250 + 2) + "/32"), Set.of());
          hostRt.addRoute(Route.of(IpNet.parse("10.253." + (i / 250) + "." + (i % 250 + 2) + "/32"), null,
              vh.index()));
          h[i] = System.nanoTime() - s;
        }
        long[] cpu1 = cpu();
        report("H jcni: veth(peer->ns)+master+up+addr+route", h);
        printCpu("H jcni CPU (this thread / whole JVM)", cpu0, cpu1, pods);
        deleteAll(tag + "h", nss);
        settle();

        nss = createAll(tag + "b", pods);
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < pods; i++) {
          String v = "vi" + i;
          batch.append("link add ").append(v).append(" type veth peer name eth0 netns ").append(tag).append('b')
              .append(i).append('\n').append("link set ").append(v).append(" master br0\n")
              .append("link set ").append(v).append(" up\n")
              .append("addr add 10.252.").append(i / 250).append('.').append(i % 250 + 2).append("/32 dev ")
              .append(v).append('\n')
              .append("route add 10.254.").append(i / 250).append('.').append(i % 250 + 2).append("/32 dev ")
              .append(v).append('\n');
        }
        long[] c0 = cpu();
        long ipH = ipBatch(host.name(), batch.toString());
        long[] c1 = cpu();
        System.out.printf("%-52s mean %7.3f ms%n", "H ip -batch (one process, same lines)", ipH / 1e6 / pods);
        System.out.printf("%-52s %7.3f ms/pod%n", "H ip CPU (child process user+sys)",
            (c1[3] - c0[3]) * 10.0 / pods);
        deleteAll(tag + "b", nss);
        settle();

        nss = createAll(tag + "c", pods);
        long[] p0 = cpu();
        long[][] p = runP(hostRt, hostNs, br, nss, "c");
        long[] p1 = cpu();
        printCpu("P jcni CPU (this thread / whole JVM)", p0, p1, pods);
        report("P jcni: whole pod incl. socket open in pod ns", p[0]);
        report("P jcni:   of which RtNetlink.open(podNs)", p[1]);
        report("P jcni:   of which netlink work", p[2]);
        deleteAll(tag + "c", nss);
        settle();

        nss = createAll(tag + "d", pods);
        StringBuilder hostLines = new StringBuilder();
        for (int i = 0; i < pods; i++) {
          String v = "vd" + i;
          hostLines.append("link add ").append(v).append(" type veth peer name eth0 netns ").append(tag).append('d')
              .append(i).append('\n').append("link set ").append(v).append(" master br0\n")
              .append("link set ").append(v).append(" up\n");
        }
        long[] d0 = cpu();
        long hostPart = ipBatch(host.name(), hostLines.toString());
        long podPart = 0;
        for (int i = 0; i < pods; i++) {
          podPart += ipBatch(tag + "d" + i, "addr add 10.250." + (i / 250 + 1) + "." + (i % 250 + 2)
              + "/16 dev eth0\nlink set eth0 up\nroute add default via 10.250.0.1\n");
        }
        System.out.printf("%-52s mean %7.3f ms%n", "P ip: host -batch + one ip -n pod -batch per pod",
            (hostPart + podPart) / 1e6 / pods);
        long[] d1 = cpu();
        System.out.printf("%-52s mean %7.3f ms%n", "P ip:   of which the host batch", hostPart / 1e6 / pods);
        System.out.printf("%-52s %7.3f ms/pod%n", "P ip CPU (child processes user+sys)", (d1[3] - d0[3]) * 10.0 / pods);
        deleteAll(tag + "d", nss);
        settle();
      }
      System.out.println("load average at end: " + loadavg());
    } finally {
      host.close();
    }
  }

  /**
   * CPU time so far: [this thread's ns, -, this JVM's user+sys ticks, reaped children's user+sys ticks]. Ticks
   * are 10 ms (USER_HZ 100). Netlink requests are executed by the kernel in the sender's context, so CPU time
   * measures the work itself and, unlike wall time, hardly depends on what else the machine is doing.
   */
  private static long[] cpu() throws IOException {
    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields after "(comm)": state=0 … utime=11 stime=12 cutime=13 cstime=14
    return new long[] {java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(), 0,
        Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
  }

  private static void printCpu(String what, long[] a, long[] b, int pods) {
    System.out.printf("%-52s %7.3f / %7.3f ms/pod%n", what, (b[0] - a[0]) / 1e6 / pods, (b[2] - a[2]) * 10.0 / pods);
  }

  private static String loadavg() throws IOException {
    return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
  }

  private static long[][] runP(RtNetlink hostRt, NetNs hostNs, int br, List<NetNs> nss, String tag)
      throws IOException, io.jcni.libcni.types.CniException {
    int n = nss.size();
    long[] whole = new long[n];
    long[] open = new long[n];
    long[] work = new long[n];
    for (int i = 0; i < n; i++) {
      String v = "v" + tag + i;
      long s = System.nanoTime();
      try (RtNetlink rt = RtNetlink.open(nss.get(i))) {
        long o = System.nanoTime();
        Link eth0 = rt.createVeth(VethSpec.of("eth0", v).withPeerIn(hostNs));
        hostRt.setMaster(v, br);
        hostRt.setUp(v);
        rt.addAddress(eth0.index(), IpNet.parse("10.250." + (i / 250 + 1) + "." + (i % 250 + 2) + "/16"), Set.of());
        rt.setUp("eth0");
        rt.addRoute(Route.of(Family.IPV4.wholeSpace(), InetAddresses.forString("10.250.0.1"), eth0.index()));
        long e = System.nanoTime();
        open[i] = o - s;
        work[i] = e - o;
        whole[i] = e - s;
      }
    }
    return new long[][] {whole, open, work};
  }

  private static List<NetNs> createAll(String prefix, int n) throws IOException {
    List<NetNs> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(NetNs.create(prefix + i));
    }
    return out;
  }

  private static void deleteAll(String prefix, List<NetNs> nss) throws IOException {
    for (int i = 0; i < nss.size(); i++) {
      nss.get(i).close();
      NetNs.delete(prefix + i);
    }
  }

  /** Lets the kernel finish tearing down deleted namespaces (cleanup_net runs asynchronously). */
  private static void settle() throws InterruptedException {
    Thread.sleep(3000);
  }

  private static long ipBatch(String ns, String lines) throws IOException, InterruptedException {
    long s = System.nanoTime();
    Process p = new ProcessBuilder("ip", "-n", ns, "-batch", "-").redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(lines.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("ip -batch failed: " + out);
    }
    return System.nanoTime() - s;
  }

  private static void report(String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    double mean = Arrays.stream(s).average().orElse(0) / 1e6;
    System.out.printf("%-52s mean %7.3f ms  p50 %7.3f  p90 %7.3f  max %7.3f%n", what, mean, s[s.length / 2] / 1e6,
        s[(int) (s.length * 0.9)] / 1e6, s[s.length - 1] / 1e6);
  }

}
