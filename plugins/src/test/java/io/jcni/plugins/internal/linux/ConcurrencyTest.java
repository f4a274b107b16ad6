package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.IpNet;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * 16 threads at once each create a namespace and wire it up like the bridge plugin does (veth with the peer in a
 * shared host namespace, master to a shared bridge, address, route, sysctl, plus a bridge of its own). Afterwards
 * every result is checked with iproute2, no JVM thread may be left in a foreign namespace, and no descriptor may
 * have leaked.
 */
class ConcurrencyTest {
  private static final int N = 16;

  @Test
  @RequiresCapabilities
  void sixteenNamespacesAtOnce() throws Exception {
    String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      names.add("jt-cc" + tag + "-" + i);
    }
    TestNetns host = TestNetns.create("cchost");
    try {
      // warm up class loading and JNA so the descriptor baseline is stable
      try (NetNs warm = NetNs.create(names.get(0)); RtNetlink r = RtNetlink.open(warm); Sysctl s = Sysctl.open(warm)) {
        r.links();
        s.read("net/ipv4/ip_forward");
      }
      NetNs.delete(names.get(0));
      long hostInode = inode("/proc/thread-self/ns/net");
      int fdsBefore = countFds();
      // JDK threads an earlier test left in a namespace of its own (the process reaper, which a program launched in
      // a namespace starts there and which lingers a minute) are not this test's
      Set<String> foreignBefore = foreignThreads(hostInode);

      Map<String, String> hostSide = new HashMap<>();
      try (NetNs hostNs = NetNs.open(Path.of(host.path())); RtNetlink hostRt = RtNetlink.open(hostNs)) {
        Link br = hostRt.createBridge(BridgeSpec.named("jt-br"));
        hostRt.setUp("jt-br");
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(N);
        try {
          List<Future<?>> done = new ArrayList<>();
          for (int i = 0; i < N; i++) {
            int n = i;
            String hostVeth = "jt-h" + n;
            hostSide.put(names.get(n), hostVeth);
            done.add(pool.submit(() -> {
              start.await();
              try (NetNs ns = NetNs.create(names.get(n)); RtNetlink rt = RtNetlink.open(ns);
                  Sysctl sysctl = Sysctl.open(ns)) {
                rt.createBridge(BridgeSpec.named("jt-inner").withMtu(1400));
                Link eth0 = rt.createVeth(VethSpec.of("eth0", hostVeth).withMtu(1400).withPeerIn(hostNs));
                hostRt.setMaster(hostVeth, br.index());
                hostRt.setUp(hostVeth);
                rt.addAddress(eth0.index(), IpNet.parse("10.241.0." + (n + 2) + "/24"), Set.of());
                rt.setUp("eth0");
                rt.setUp("lo");
                rt.addRoute(Route.of(Family.IPV4.wholeSpace(), InetAddresses.forString("10.241.0.1"), eth0.index()));
                sysctl.write("net/ipv4/conf/eth0/arp_notify", "1");
                long inside = ns.runIn(() -> inode("/proc/thread-self/ns/net"));
                if (inside != ns.inode()) {
                  throw new AssertionError("runIn ran in " + inside + ", not " + ns.inode());
                }
              }
              return null;
            }));
          }
          start.countDown();
          for (Future<?> f : done) {
            f.get();
          }
        } finally {
          pool.shutdown();
        }
        for (Link l : hostRt.links()) {
          if (l.name().startsWith("jt-h")) {
            assertEquals(br.index(), l.masterIndex(), l.name());
          }
        }
      }
      // every thread of this JVM is back in (or never left) the host namespace
      Set<String> foreign = foreignThreads(hostInode);
      foreign.removeAll(foreignBefore);
      assertEquals(Set.of(), foreign, "threads in a foreign network namespace");
      assertEquals(fdsBefore, countFds(), "descriptors leaked");

      // iproute2 sees each namespace wired up
      for (int i = 0; i < N; i++) {
        String ns = names.get(i);
        JsonNode eth0 = Oracle.link(ns, "eth0");
        assertEquals(1400, eth0.path("mtu").asInt());
        assertTrue(Oracle.ip(ns, "addr", "show", "dev", "eth0").toString().contains("\"10.241.0." + (i + 2) + "\""));
        assertTrue(Oracle.ip(ns, "route", "show", "default").toString().contains("\"gateway\":\"10.241.0.1\""));
        assertTrue(Oracle.hasLink(ns, "jt-inner"));
        assertEquals("1", Oracle.run("ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv4/conf/eth0/arp_notify")
            .strip());
        assertEquals("jt-br", Oracle.link(host.name(), hostSide.get(ns)).path("master").asText());
      }
    } finally {
      for (String n : names) {
        if (Files.exists(NetNs.pathOf(n))) {
          NetNs.delete(n);
        }
      }
      host.close();
    }
  }

  private static long inode(String path) throws IOException {
    return ((Number) Files.getAttribute(Path.of(path), "unix:ino")).longValue();
  }

  /** The threads of this JVM outside the host namespace, each as "tid comm net:[inode]". */
  private static Set<String> foreignThreads(long hostInode) throws IOException {
    Set<String> foreign = new java.util.TreeSet<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          long ino = inode(task.resolve("ns/net").toString());
          if (ino != hostInode) {
            foreign.add(task.getFileName() + " " + Files.readString(task.resolve("comm")).strip() + " net:[" + ino
                + "]");
          }
        } catch (NoSuchFileException ended) {
          // the thread ended meanwhile
        }
      }
    }
    return foreign;
  }

  /**
   * Open descriptors of the kinds this package opens: sockets, namespace files and /proc files. Other kinds are
   * left out because the JDK closes them asynchronously (a finished child's pipes, streams other tests dropped and
   * a cleaner closes after a GC), which would make the count move for reasons unrelated to this package.
   */
  private static int countFds() throws IOException {
    int n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:") || target.startsWith("net:") || target.startsWith("/proc/")
              || target.startsWith("/run/netns/") || target.startsWith("/var/run/netns/")) {
            n++;
          }
        } catch (NoSuchFileException closed) {
          // closed meanwhile (or the directory stream's own descriptor)
        }
      }
    }
    return n;
  }
}
