package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RequiresCapabilities
class SysctlTest {
  private TestNetns t;
  private NetNs ns;

  @BeforeEach
  void setUp() throws IOException {
    t = TestNetns.create("sysctl");
    ns = NetNs.open(Path.of(t.path()));
  }

  @AfterEach
  void tearDown() throws IOException {
    if (ns != null) {
      ns.close();
    }
    if (t != null) {
      t.close();
    }
  }

  /** The value as a process inside the namespace sees it (the oracle). */
  private String inside(String file) throws IOException {
    return Oracle.run("ip", "netns", "exec", t.name(), "cat", "/proc/sys/net/" + file).strip();
  }

  private static String host(String file) throws IOException {
    return Files.readAllLines(Path.of("/proc/sys/net/" + file)).get(0).strip(); // readString gives one byte of a sysctl
  }

  @Test
  void writesLandInTheNamespaceOnly() throws IOException {
    String hostBefore = host("ipv4/ip_forward");
    String target = hostBefore.equals("1") ? "0" : "1";
    Sysctl.write(ns, "net.ipv4.ip_forward", target);
    assertEquals(target, inside("ipv4/ip_forward"));
    assertEquals(target, Sysctl.read(ns, "net/ipv4/ip_forward"));
    assertEquals(hostBefore, host("ipv4/ip_forward"));
  }

  @Test
  void readsWhatAProcessInsideReads() throws IOException {
    t.ip("link", "set", "lo", "mtu", "1500"); // make the namespace differ from a fresh one a little
    try (Sysctl s = Sysctl.open(ns)) {
      for (String key : new String[] {"ipv4/ip_forward", "ipv6/conf/all/forwarding", "core/somaxconn",
          "ipv4/conf/lo/arp_notify", "ipv6/conf/default/accept_dad"}) {
        assertEquals(inside(key), s.read("net/" + key), key);
      }
    }
  }

  @Test
  void interfacesCreatedAfterOpenAreReachableFromAnyThread() throws Exception {
    try (Sysctl s = Sysctl.open(ns)) {
      t.ip("link", "add", "jt-a.5", "type", "veth", "peer", "name", "jt-b");
      // written from this (host) thread and from another thread: both must land inside
      s.write("net.ipv4.conf.jt-a/5.arp_notify", "1");
      Thread other = new Thread(() -> {
        try {
          s.write("net/ipv6/conf/jt-b/accept_ra", "0");
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      other.start();
      other.join();
      assertEquals("1", inside("ipv4/conf/jt-a.5/arp_notify"));
      assertEquals("0", inside("ipv6/conf/jt-b/accept_ra"));
      assertFalse(Files.exists(Path.of("/proc/sys/net/ipv4/conf/jt-a.5")));
      assertTrue(s.ensure("net/ipv6/conf/jt-b/accept_ra", "2"));
      assertFalse(s.ensure("net/ipv6/conf/jt-b/accept_ra", "2"));
      assertEquals("2", inside("ipv6/conf/jt-b/accept_ra"));
    }
  }

  @Test
  void aSubsetReachesOnlyItsSubtreesInsideTheNamespace() throws IOException {
    String hostBefore = host("ipv4/conf/lo/arp_notify");
    String target = hostBefore.equals("1") ? "0" : "1";
    // "nf_conntrack_max" is a file, not a subtree, and "jt-none" does not exist: both are left out, not errors
    try (Sysctl s = Sysctl.open(ns, java.util.Set.of("ipv4", "nf_conntrack_max", "jt-none"))) {
      s.write("net/ipv4/conf/lo/arp_notify", target);
      assertEquals(target, inside("ipv4/conf/lo/arp_notify"));
      assertEquals(hostBefore, host("ipv4/conf/lo/arp_notify"));
      ErrnoException e = assertThrows(ErrnoException.class, () -> s.read("net/ipv6/conf/all/forwarding"));
      assertEquals(ErrnoException.Kind.NOT_FOUND, e.kind());
      assertEquals("open /proc/sys/net/ipv6/conf/all/forwarding: no such file or directory", e.getMessage());
      assertEquals(ErrnoException.Kind.NOT_FOUND,
          assertThrows(ErrnoException.class, () -> s.read("net/jt-none/x")).kind());
    }
    String inside = ns.runIn(() -> {
      try (Sysctl s = Sysctl.openHere(ns, java.util.Set.of("ipv6"))) {
        return s.read("net/ipv6/conf/default/accept_dad");
      }
    });
    assertEquals(inside("ipv6/conf/default/accept_dad"), inside);
    assertThrows(IllegalArgumentException.class, () -> Sysctl.openHere(ns, java.util.Set.of("..")));
  }

  /**
   * A procfs instance of our own, looked up from a thread inside the namespace, reaches that namespace's sysctls
   * (as a process inside reads them through {@code /proc}), not the host's, and is not the {@code /proc} mount; a
   * lookup from a host thread then reaches the host's.
   */
  @Test
  void aPrivateProcInstanceReachesTheNamespaceOfTheOpeningThread() throws IOException {
    String hostForward = host("ipv4/ip_forward");
    String target = hostForward.equals("1") ? "0" : "1";
    t.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=" + target);
    t.ip("link", "add", "jt-priv", "type", "veth", "peer", "name", "jt-priv-p"); // keys only the namespace has
    String[] seen = ns.runIn(() -> {
      int net = PrivateProc.openSysNet();
      assertTrue(net >= 0, "the kernel refused a proc instance");
      try {
        int procSysNet = LibC.openDirectory(Path.of("/proc/sys/net"));
        try {
          return new String[] {read(net, "ipv4/ip_forward"), read(net, "ipv4/conf/jt-priv/arp_notify"),
              mountId(net), mountId(procSysNet)};
        } finally {
          NetNs.closeQuietly(procSysNet);
        }
      } finally {
        NetNs.closeQuietly(net);
      }
    });
    // the next lookup, likely through the same instance, from a host thread: the host's value
    int hostNet = PrivateProc.openSysNet();
    try {
      assertEquals(hostForward, read(hostNet, "ipv4/ip_forward"));
      assertFalse(mountId(hostNet).equals(seen[3]), "sys/net came from the /proc mount");
    } finally {
      NetNs.closeQuietly(hostNet);
    }
    assertEquals(target, seen[0]);
    assertEquals(inside("ipv4/ip_forward"), seen[0]);
    assertEquals(inside("ipv4/conf/jt-priv/arp_notify"), seen[1]);
    assertEquals(hostForward, host("ipv4/ip_forward"));
    assertFalse(Files.exists(Path.of("/proc/sys/net/ipv4/conf/jt-priv")));
    assertFalse(seen[2].equals(seen[3]), "sys/net came from the /proc mount (" + seen[2] + ")");
  }

  private static String read(int dir, String rel) throws IOException {
    int fd = LibC.openat(dir, rel, Kernel.O_RDONLY | Kernel.O_CLOEXEC, 0);
    try (com.sun.jna.Memory buf = new com.sun.jna.Memory(64)) {
      long n = LibC.read(fd, buf, buf.size());
      return new String(buf.getByteArray(0, (int) n), java.nio.charset.StandardCharsets.UTF_8).strip();
    } finally {
      NetNs.closeQuietly(fd);
    }
  }

  /** The mount a descriptor is on, as {@code /proc/self/fdinfo} reports it. */
  private static String mountId(int fd) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
      if (line.startsWith("mnt_id:")) {
        return line.substring("mnt_id:".length()).strip();
      }
    }
    throw new IOException("no mnt_id in /proc/self/fdinfo/" + fd);
  }

  @Test
  void missingKeyIsNotFoundWithGosMessage() throws IOException {
    try (Sysctl s = Sysctl.open(ns)) {
      ErrnoException e = assertThrows(ErrnoException.class, () -> s.read("net/ipv6/conf/jt-nope/accept_ra"));
      assertEquals(ErrnoException.Kind.NOT_FOUND, e.kind());
      assertEquals("open /proc/sys/net/ipv6/conf/jt-nope/accept_ra: no such file or directory", e.getMessage());
      assertEquals(ErrnoException.Kind.NOT_FOUND,
          assertThrows(ErrnoException.class, () -> s.write("net/nosuchtree/x", "1")).kind());
    }
  }

  @Test
  void keysOutsideNetAreRefused() throws IOException {
    try (Sysctl s = Sysctl.open(ns)) {
      assertThrows(IllegalArgumentException.class, () -> s.read("kernel.hostname"));
      assertThrows(IllegalArgumentException.class, () -> s.read("net/ipv4/../../kernel/hostname"));
      assertThrows(IllegalArgumentException.class, () -> s.read("net//ipv4"));
    }
    assertEquals("ipv4/conf/br0.100/forwarding", Sysctl.relative("net.ipv4.conf.br0/100.forwarding"));
    assertEquals("ipv4/conf/br0.100/forwarding", Sysctl.relative("net/ipv4/conf/br0.100/forwarding"));
  }
}
