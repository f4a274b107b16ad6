package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

@RequiresCapabilities
class NetNsTest {
  private final List<String> created = new ArrayList<>();

  @AfterEach
  void cleanUp() throws IOException {
    for (String n : created) {
      if (Files.exists(NetNs.pathOf(n))) {
        Oracle.run("ip", "netns", "del", n);
      }
    }
  }

  private String name(String what) {
    String n = "jt-" + what + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
    created.add(n);
    return n;
  }

  private static long statInode(String path) throws IOException {
    return Long.parseLong(Oracle.run("stat", "-L", "-c", "%i", path).trim());
  }

  private static boolean listed(String name) throws IOException {
    for (JsonNode n : Oracle.ip(null, "netns", "list")) {
      if (name.equals(n.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  @Test
  void createIsVisibleToIpNetnsAndDeleteRemovesIt() throws Exception {
    String n = name("ns");
    try (NetNs ns = NetNs.create(n)) {
      assertTrue(listed(n));
      assertEquals(Path.of("/var/run/netns", n), ns.path());
      assertEquals(statInode(ns.path().toString()), ns.inode());
      assertNotEquals(statInode("/proc/self/ns/net"), ns.inode());
      // iproute2 can use it: a link made there is seen through our handle's namespace
      Oracle.run("ip", "-n", n, "link", "add", "jt-d0", "type", "bridge");
      assertTrue(ns.runIn(() -> Oracle.run("ip", "-j", "link", "show")).contains("jt-d0"));
    }
    NetNs.delete(n);
    assertFalse(listed(n));
    assertFalse(Files.exists(NetNs.pathOf(n)));
    // /var/run/netns is a shared mount point, as iproute2 leaves it
    String opts = Oracle.run("findmnt", "-n", "-o", "PROPAGATION", "--target", NetNs.RUN_DIR.toString());
    assertTrue(opts.contains("shared"), opts);
  }

  @Test
  void createExistingNameFailsWithExistsAndLeavesTheOtherAlone() throws Exception {
    try (TestNetns t = TestNetns.create("dup")) {
      long before = statInode(t.path());
      ErrnoException e = assertThrows(ErrnoException.class, () -> NetNs.create(t.name()));
      assertEquals(ErrnoException.Kind.EXISTS, e.kind());
      assertEquals("EEXIST", e.errnoName());
      assertTrue(e.getMessage().contains(t.path()), e.getMessage());
      assertEquals(before, statInode(t.path()));
    }
  }

  @Test
  void deleteMissingIsNotFound() {
    ErrnoException e = assertThrows(ErrnoException.class, () -> NetNs.delete("jt-missing-ns-x"));
    assertEquals(ErrnoException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("/var/run/netns/jt-missing-ns-x"), e.getMessage());
  }

  @Test
  void openMissingPathNamesIt() {
    ErrnoException e = assertThrows(ErrnoException.class, () -> NetNs.open(Path.of("/var/run/netns/jt-nope")));
    assertEquals(ErrnoException.Kind.NOT_FOUND, e.kind());
    assertEquals("open netns /var/run/netns/jt-nope: no such file or directory", e.getMessage());
  }

  @Test
  void openRejectsWhatIsNotANetworkNamespace() throws IOException {
    Path regular = Files.createTempFile("jt-", ".ns");
    try {
      ErrnoException e = assertThrows(ErrnoException.class, () -> NetNs.open(regular));
      assertEquals("EINVAL", e.errnoName());
      assertTrue(e.getMessage().contains(regular.toString()) && e.getMessage().contains("not a network namespace"),
          e.getMessage());
    } finally {
      Files.delete(regular);
    }
    ErrnoException mnt = assertThrows(ErrnoException.class, () -> NetNs.open(Path.of("/proc/self/ns/mnt")));
    assertTrue(mnt.getMessage().contains("not a network namespace"), mnt.getMessage());
  }

  @Test
  void openAnIproute2NamespaceAndRunInIt() throws Exception {
    try (TestNetns t = TestNetns.create("open"); NetNs ns = NetNs.open(Path.of(t.path()))) {
      assertEquals(statInode(t.path()), ns.inode());
      long callerBefore = statInode("/proc/thread-self/ns/net");
      long inside = ns.runIn(() -> statInode("/proc/thread-self/ns/net"));
      assertEquals(statInode(t.path()), inside);
      assertEquals(callerBefore, statInode("/proc/thread-self/ns/net"));
      // a process started inside runs inside: it creates a link that iproute2 sees in that namespace only
      ns.runIn(() -> Oracle.run("ip", "link", "add", "jt-in", "type", "bridge"));
      assertTrue(Oracle.hasLink(t.name(), "jt-in"));
      assertFalse(Oracle.hasLink(null, "jt-in"));
    }
  }

  @Test
  void runInRethrowsTheBodysExceptionUnchanged() throws Exception {
    try (NetNs ns = NetNs.current()) {
      class Custom extends Exception {
        private static final long serialVersionUID = 1L;
      }
      Custom c = new Custom();
      Custom thrown = assertThrows(Custom.class, () -> ns.runIn(() -> {
        throw c;
      }));
      assertTrue(thrown == c);
      assertThrows(IllegalArgumentException.class, () -> ns.runIn(() -> {
        throw new IllegalArgumentException("x");
      }));
      // an Error too (a test's failed assertion in the body), not turned into another throwable
      AssertionError e = new AssertionError("y");
      assertTrue(assertThrows(AssertionError.class, () -> ns.runIn(() -> {
        throw e;
      })) == e);
    }
  }

  @Test
  void currentIsTheCallersNamespaceAndItsPathReopens() throws Exception {
    try (NetNs cur = NetNs.current(); NetNs again = NetNs.open(cur.path())) {
      assertEquals(statInode("/proc/thread-self/ns/net"), cur.inode());
      assertEquals(cur.inode(), again.inode());
    }
  }

  @Test
  void startInRunsInsideOnItsOwnThreadAndJoinReturnsOrRethrows() throws Exception {
    try (TestNetns t = TestNetns.create("start"); NetNs ns = NetNs.open(Path.of(t.path()))) {
      long callerBefore = statInode("/proc/thread-self/ns/net");
      NetNs.Pending<Object[], IOException> p =
          ns.startIn(() -> new Object[] {statInode("/proc/thread-self/ns/net"), Thread.currentThread()});
      assertEquals(callerBefore, statInode("/proc/thread-self/ns/net"));
      Object[] r = p.join();
      assertEquals(statInode(t.path()), (long) (Long) r[0]);
      Thread worker = (Thread) r[1];
      assertTrue(worker != Thread.currentThread());
      worker.join(10_000);
      assertFalse(worker.isAlive(), "namespace threads must end, never be reused");
      assertTrue(p.join() == r, "join again returns the same result");
      IOException thrown = new IOException("jt-boom");
      NetNs.Pending<Object, IOException> failing = ns.startIn(() -> {
        throw thrown;
      });
      assertTrue(assertThrows(IOException.class, failing::join) == thrown);
    }
  }

  @Test
  void eachRunInGetsAFreshPlatformThreadThatEndsAfterwards() throws Exception {
    try (TestNetns t = TestNetns.create("fresh"); NetNs ns = NetNs.open(Path.of(t.path()))) {
      Thread first = ns.runIn(Thread::currentThread);
      Thread second = ns.runIn(Thread::currentThread);
      assertTrue(first != second && first != Thread.currentThread());
      first.join(10_000);
      second.join(10_000);
      assertFalse(first.isAlive() || second.isAlive(), "namespace threads must end, never be reused");
      // a thread started inside stays inside (the documented pitfall), one started outside does not
      long[] child = new long[1];
      ns.runIn(() -> {
        Thread c = new Thread(() -> {
          try {
            child[0] = statInode("/proc/thread-self/ns/net");
          } catch (IOException e) {
            child[0] = -1;
          }
        });
        c.start();
        c.join();
        return null;
      });
      assertEquals(statInode(t.path()), child[0]);
    }
  }

  /** How many of this process's descriptors refer to the namespace file of {@code name}. */
  private static int fdsOn(String name) throws IOException {
    int n = 0;
    try (var fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().endsWith("/netns/" + name)) {
            n++;
          }
        } catch (IOException gone) {
          // closed meanwhile
        }
      }
    }
    return n;
  }

  @Test
  void closingWhileInUseReleasesTheDescriptorWhenTheWorkEnds() throws Exception {
    try (TestNetns t = TestNetns.create("close")) {
      NetNs ns = NetNs.open(Path.of(t.path()));
      assertEquals(1, fdsOn(t.name()));
      int during = ns.runIn(() -> {
        ns.close();
        return fdsOn(t.name());
      });
      assertEquals(1, during, "closed under the feet of the work using it");
      assertEquals(0, fdsOn(t.name()));
      assertThrows(IllegalStateException.class, () -> ns.runIn(() -> 1));
    }
  }

  @Test
  void closedHandleIsRefused() throws Exception {
    NetNs ns = NetNs.current();
    ns.close();
    ns.close();
    assertThrows(IllegalStateException.class, () -> ns.runIn(() -> 1));
  }

  @Test
  void runInFromAVirtualThreadIsRefused() throws Exception {
    String java = javaWithVirtualThreads();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        VirtualThreadProbe.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.startsWith("REFUSED ") && out.contains("virtual thread"), out);
  }

  /** A {@code java} launcher of version 21 or later: this one, or one installed under /usr/lib/jvm. */
  private static String javaWithVirtualThreads() throws IOException {
    if (Runtime.version().feature() >= 21) {
      return ProcessHandle.current().info().command().orElseThrow();
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (var dirs = Files.list(jvms)) {
        for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
          Path release = d.resolve("release");
          Path java = d.resolve("bin/java");
          if (Files.isRegularFile(release) && Files.isExecutable(java)) {
            for (String line : Files.readAllLines(release)) {
              if (line.startsWith("JAVA_VERSION=")) {
                String v = line.substring(14).replace("\"", "");
                int feature = Integer.parseInt(v.split("[.+-]")[0]);
                if (feature >= 21) {
                  return java.toString();
                }
              }
            }
          }
        }
      }
    }
    Assumptions.abort("no Java 21+ runtime to start a virtual thread on");
    return null;
  }
}
