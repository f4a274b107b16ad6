package io.jcni.plugins.internal.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store index stays equal to a fresh read of the directory (the oracle: java.nio, file by file) while other
 * processes change the store between looks — the case of a Go host-local sharing the store.
 */
class StoreIndexTest {
  @TempDir Path dataDir;

  @Test
  void followsChangesMadeByOtherProcesses() throws Exception {
    Path dir = Files.createDirectory(dataDir.resolve("net"));
    StoreIndex index = new StoreIndex(dir);
    assertEquals(Map.of(), index.current());

    List<String> steps = List.of(
        "printf 'c1\\r\\neth0' > 10.2.0.2 && printf '10.2.0.2' > last_reserved_ip.0 && : > lock",
        "printf 'c2\\r\\neth0\\n' > 10.2.0.3 && printf '10.2.0.3' > last_reserved_ip.0",
        // released and handed to another owner between two looks
        "rm 10.2.0.2 && printf 'c3\\r\\neth1' > 10.2.0.2",
        // a legacy file (id only), a symlink, a directory and a file that is not UTF-8: only the first counts
        "printf ' legacy ' > 2001:db8::5 && ln -s 10.2.0.3 10.2.0.9 && mkdir sub && printf '\\377\\376' > bad",
        "mv 10.2.0.3 10.2.0.4 && rm 2001:db8::5",
        // the same content written again, and a file cut to nothing
        "printf 'c3\\r\\neth1' > 10.2.0.2 && : > 10.2.0.4");
    for (String step : steps) {
      sh(dir, step);
      assertEquals(fresh(dir), index.current(), step);
      assertOwnersAsRead(index, fresh(dir), step);
    }
  }

  /** The index's names by text (how an owner's files are found) match the directory as read. */
  private static void assertOwnersAsRead(StoreIndex index, Map<String, String> read, String step) {
    Map<String, java.util.SortedSet<String>> expected = new TreeMap<>();
    read.forEach((name, text) -> expected.computeIfAbsent(text, t -> new java.util.TreeSet<>()).add(name));
    expected.forEach((text, names) -> assertEquals(names, index.namesWith(text), step + ": " + text));
    assertEquals(java.util.Set.of(), index.namesWith("c-nobody\r\neth0"), step);
  }

  @Test
  void readsEverythingAgainWhenTheDirectoryIsReplaced() throws Exception {
    Path dir = Files.createDirectory(dataDir.resolve("net"));
    StoreIndex index = new StoreIndex(dir);
    sh(dir, "printf 'c1\\r\\neth0' > 10.2.0.2");
    assertEquals(fresh(dir), index.current());
    sh(dataDir, "rm -r net && mkdir net && printf 'c9\\r\\neth0' > net/10.2.0.7");
    assertEquals(Map.of("10.2.0.7", "c9\r\neth0"), index.current());
    assertOwnersAsRead(index, fresh(dir), "replaced");
    assertEquals(java.util.Set.of(), index.namesWith("c1\r\neth0"));
    sh(dir, "printf 'c1\\r\\neth0' > 10.2.0.2");
    assertEquals(fresh(dir), index.current());
  }

  @Test
  void readsEverythingAgainWhenThePathLeadsToAnotherDirectory() throws Exception {
    // a parent renamed away and made again, as when a filesystem is mounted over the path: the watched directory
    // itself sees no event
    Path dir = Files.createDirectories(dataDir.resolve("p").resolve("net"));
    StoreIndex index = new StoreIndex(dir);
    sh(dir, "printf 'c1\\r\\neth0' > 10.2.0.2");
    assertEquals(fresh(dir), index.current());
    sh(dataDir, "mv p p.old && mkdir -p p/net && printf 'c9\\r\\neth0' > p/net/10.2.0.7");
    assertEquals(Map.of("10.2.0.7", "c9\r\neth0"), index.current());
    assertOwnersAsRead(index, fresh(dir), "another directory");
  }

  @Test
  void seesTheChangesOfTheStoreItServes() throws Exception {
    Store store = Store.open(dataDir, "net", null);
    StoreIndex index = new StoreIndex(store.dir());
    try (Store.Lock lock = store.lock()) {
      index.current();
      store.reserve("c1", "eth0", Nets.ip("10.2.0.2"), 0);
      assertEquals(fresh(store.dir()), index.current());
      store.releaseById("c1", "eth0");
      assertEquals(fresh(store.dir()), index.current());
    }
  }

  /** The oracle: every regular file (symlinks not followed) whose bytes are UTF-8, trimmed as Go trims. */
  private static Map<String, String> fresh(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          try {
            String text = StandardCharsets.UTF_8.newDecoder()
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(p))).toString();
            out.put(p.getFileName().toString(), Store.goTrimSpace(text));
          } catch (CharacterCodingException notText) {
            // skipped, as Go's walk skips it
          }
        }
      }
    }
    return out;
  }

  private static void sh(Path cwd, String script) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", script).directory(cwd.toFile()).inheritIO().start();
    assertEquals(0, p.waitFor(), script);
  }
}
