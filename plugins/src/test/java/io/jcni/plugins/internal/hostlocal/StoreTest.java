package io.jcni.plugins.internal.hostlocal;

import static io.jcni.plugins.internal.hostlocal.Nets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.Privileged;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.linux.Flock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's file formats and its lock (upstream lock_test.go: a directory is locked through its lock file). */
class StoreTest {
  @TempDir Path dataDir;

  @Test
  void locksTheDirectoryThroughItsLockFile() throws Exception {
    Store s = Store.open(dataDir, "net", Duration.ofMillis(200));
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(s.dir())));
    try (Store.Lock lock = s.lock()) {
      assertTrue(Files.isRegularFile(s.dir().resolve("lock")));
      // Another process (or a Go host-local) is shut out while we hold it.
      if (Privileged.isRoot() || Files.isExecutable(Path.of("/usr/bin/flock"))) {
        Process p = new ProcessBuilder("flock", "-n", "-E", "1", s.dir().resolve("lock").toString(), "true").start();
        assertEquals(1, p.waitFor());
      }
    }
    try (Flock f = Flock.acquire(s.dir().resolve("lock"), Duration.ofMillis(200))) {
      assertEquals(s.dir().resolve("lock"), f.file());
    }
  }

  @Test
  void lockTimesOutWithTryAgainLater() throws Exception {
    Store s = Store.open(dataDir, "net", Duration.ofMillis(100));
    try (Flock held = Flock.acquire(s.dir().resolve("lock"), null)) {
      CniException e = assertThrows(CniException.class, s::lock);
      assertEquals(ErrorCode.TRY_AGAIN_LATER, e.errorCode());
    }
  }

  @Test
  void reserveWritesGoFormat() throws Exception {
    Store s = Store.open(dataDir, "net", null);
    try (Store.Lock l = s.lock()) {
      assertTrue(s.reserve(" id\n", "eth0", ip("2001:DB8:0:0:1::2"), 3));
      assertFalse(s.reserve("other", "eth0", ip("2001:db8::1:0:0:2"), 3));
    }
    Path f = s.dir().resolve("2001:db8::1:0:0:2");
    assertEquals("id\r\neth0", Files.readString(f));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertEquals("2001:db8::1:0:0:2", Files.readString(s.dir().resolve("last_reserved_ip.3")));
    assertEquals(Optional.of(ip("2001:db8::1:0:0:2")), s.lastReservedIp(3));
    assertEquals(List.of(ip("2001:db8::1:0:0:2")), s.getById("id", "eth0"));
  }

  @Test
  void lastReservedIsRewrittenExactlyWhenItShrinks() throws Exception {
    Store s = Store.open(dataDir, "net", null);
    try (Store.Lock l = s.lock()) {
      assertTrue(s.reserve("a", "eth0", ip("2001:db8:1::1234:5678"), 0));
      assertTrue(s.reserve("b", "eth0", ip("10.1.2.2"), 0));
    }
    assertEquals("10.1.2.2", Files.readString(s.dir().resolve("last_reserved_ip.0")));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(s.dir().resolve("last_reserved_ip.0"))));
  }

  @Test
  void lastReservedWithATrailingNewlineIsIgnoredLikeGo() throws Exception {
    Store s = Store.open(dataDir, "net", null);
    Files.writeString(s.dir().resolve("last_reserved_ip.0"), "10.1.2.3\n");
    assertEquals(Optional.empty(), s.lastReservedIp(0));
    assertEquals(Optional.empty(), s.lastReservedIp(1));
  }

  @Test
  void releaseByIdPrefersOwnerThenLegacy() throws Exception {
    Store s = Store.open(dataDir, "net", null);
    Files.writeString(s.dir().resolve("10.0.0.2"), "c1\r\neth0");
    Files.writeString(s.dir().resolve("10.0.0.3"), "c1");
    s.releaseById("c1", "eth0");
    assertFalse(Files.exists(s.dir().resolve("10.0.0.2")));
    assertTrue(Files.exists(s.dir().resolve("10.0.0.3")), "legacy files go only when no owner file matched");
    s.releaseById("c1", "eth0");
    assertFalse(Files.exists(s.dir().resolve("10.0.0.3")));
  }

  @Test
  void goTrimSpaceStripsNoBreakSpaceToo() {
    assertEquals("a b", Store.goTrimSpace("\u00a0\t a b\r\n\u2003"));
  }
}
