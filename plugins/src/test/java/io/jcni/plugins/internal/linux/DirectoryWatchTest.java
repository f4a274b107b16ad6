package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a directory watch reports, checked against changes made by this JVM and by other processes (coreutils), and
 * where it refuses to watch.
 */
class DirectoryWatchTest {
  @TempDir Path dir;

  @Test
  void reportsEachChangedNameOnceAndNothingWhenQuiet() throws Exception {
    Files.writeString(dir.resolve("before"), "x");
    try (DirectoryWatch w = DirectoryWatch.open(dir).orElseThrow()) {
      assertEquals(Optional.of(Set.of()), w.drain());
      Files.writeString(dir.resolve("10.2.0.1"), "id\r\neth0");
      Files.writeString(dir.resolve("before"), "y");
      Files.move(dir.resolve("before"), dir.resolve("after"));
      assertEquals(Optional.of(Set.of("10.2.0.1", "before", "after")), w.drain());
      assertEquals(Optional.of(Set.of()), w.drain());
      Files.delete(dir.resolve("10.2.0.1"));
      assertEquals(Optional.of(Set.of("10.2.0.1")), w.drain());
    }
  }

  @Test
  void seesWhatOtherProcessesDo() throws Exception {
    try (DirectoryWatch w = DirectoryWatch.open(dir).orElseThrow()) {
      run("sh", "-c", "printf 'c1\\r\\neth0' > 10.2.0.5 && touch 10.2.0.6 && rm 10.2.0.6 && mv 10.2.0.5 10.2.0.7");
      assertEquals(Optional.of(Set.of("10.2.0.5", "10.2.0.6", "10.2.0.7")), w.drain());
      run("truncate", "-s", "0", "10.2.0.7");
      assertEquals(Optional.of(Set.of("10.2.0.7")), w.drain());
    }
  }

  @Test
  void losesTrackWhenTheDirectoryGoesAndWhenClosed() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("store"));
    DirectoryWatch w = DirectoryWatch.open(sub).orElseThrow();
    Files.delete(sub);
    assertEquals(Optional.empty(), w.drain());
    w.close();

    Path other = Files.createDirectory(dir.resolve("other"));
    DirectoryWatch v = DirectoryWatch.open(other).orElseThrow();
    v.close();
    Files.writeString(other.resolve("f"), "x");
    assertEquals(Optional.empty(), v.drain());
  }

  @Test
  void losesTrackWhenItsPathLeadsToAnotherDirectory() throws Exception {
    // a parent renamed away and made again, as when a filesystem is mounted over the path: the watched directory
    // itself sees no event
    Path sub = Files.createDirectories(dir.resolve("p").resolve("store"));
    try (DirectoryWatch w = DirectoryWatch.open(sub).orElseThrow()) {
      assertEquals(Optional.of(Set.of()), w.drain());
      Files.move(dir.resolve("p"), dir.resolve("p.old"));
      Files.createDirectories(sub);
      assertEquals(Optional.empty(), w.drain());
    }
  }

  @Test
  void losesTrackWhenTheKernelQueueOverflows() throws Exception {
    // Files.readString of a /proc file returns only its first byte on this JDK; read it by lines.
    int max = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0).trim());
    try (DirectoryWatch w = DirectoryWatch.open(dir).orElseThrow()) {
      // The kernel merges an event into an identical queued one, so each event needs its own name.
      for (int i = 0; i <= max; i++) {
        Files.createFile(dir.resolve("f" + i));
      }
      assertEquals(Optional.empty(), w.drain());
    }
  }

  @Test
  void refusesASecondWatchOfTheSameDirectoryAndNonLocalFilesystems() throws Exception {
    Path alias = Files.createSymbolicLink(dir.resolve("alias"), Files.createDirectory(dir.resolve("real")));
    try (DirectoryWatch w = DirectoryWatch.open(dir.resolve("real")).orElseThrow()) {
      assertFalse(DirectoryWatch.open(alias).isPresent());
      Files.writeString(alias.resolve("x"), "1");
      assertEquals(Optional.of(Set.of("x")), w.drain());
    }
    assertFalse(DirectoryWatch.open(Path.of("/proc/self")).isPresent());
  }

  @Test
  void keepsWatchesOfDifferentDirectoriesApart() throws Exception {
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    try (DirectoryWatch wa = DirectoryWatch.open(a).orElseThrow();
        DirectoryWatch wb = DirectoryWatch.open(b).orElseThrow()) {
      Files.writeString(a.resolve("1"), "x");
      Files.writeString(b.resolve("2"), "x");
      Set<String> seen = new HashSet<>(wb.drain().orElseThrow()); // drains the shared queue for both
      assertEquals(Set.of("2"), seen);
      assertEquals(Optional.of(Set.of("1")), wa.drain());
      assertTrue(wb.drain().orElseThrow().isEmpty());
    }
  }

  private void run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).inheritIO().start();
    assertEquals(0, p.waitFor());
  }
}
