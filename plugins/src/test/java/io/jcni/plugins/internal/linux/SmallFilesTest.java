package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallFilesTest {
  @TempDir Path dir;

  @Test
  void readsFilesWholeAndLeavesOutSymlinksAndDirectories() throws IOException {
    Files.writeString(dir.resolve("10.1.0.2"), "abc\r\neth0");
    Files.write(dir.resolve("empty"), new byte[0]);
    byte[] big = new byte[10_000];
    new Random(1).nextBytes(big);
    Files.write(dir.resolve("big"), big);
    Files.createDirectory(dir.resolve("sub"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("10.1.0.2"));

    Map<String, byte[]> all = SmallFiles.readAll(dir);

    assertEquals(Set.of("10.1.0.2", "empty", "big"), all.keySet());
    assertEquals("abc\r\neth0", new String(all.get("10.1.0.2"), StandardCharsets.UTF_8));
    assertEquals(0, all.get("empty").length);
    assertArrayEquals(big, all.get("big"));
  }

  @Test
  void aMissingDirectoryIsAnError() {
    ErrnoException e = assertThrows(ErrnoException.class, () -> SmallFiles.readAll(dir.resolve("nope")));
    assertEquals(ErrnoException.Kind.NOT_FOUND, e.kind());
  }
}
