package io.jcni.libcni.internal.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcni.libcni.types.CniException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream's FindInPath table (the Windows {@code .exe} case does not apply on Linux). */
class FindInPathTest {
  @TempDir Path tmp;

  @Test
  void findsInLaterPathAndPrefersEarlier() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    Path c = Files.createDirectories(tmp.resolve("c"));
    Files.writeString(b.resolve("plug"), "");
    Files.writeString(c.resolve("plug"), "");
    assertEquals(b.resolve("plug"), FindInPath.find("plug", List.of(a.toString(), b.toString(), c.toString())));
  }

  @Test
  void skipsDirectoriesOfThatName() throws Exception {
    Path a = Files.createDirectories(tmp.resolve("a/plug"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    Files.writeString(b.resolve("plug"), "");
    assertEquals(b.resolve("plug"), FindInPath.find("plug", List.of(a.getParent().toString(), b.toString())));
  }

  @Test
  void execBitIsNotRequired() throws Exception {
    Files.writeString(tmp.resolve("plain"), "");
    assertEquals(tmp.resolve("plain"), FindInPath.find("plain", List.of(tmp.toString())));
  }

  @Test
  void errorsUseUpstreamTexts() {
    assertEquals("no plugin name provided",
        assertThrows(CniException.class, () -> FindInPath.find("", List.of("/a"))).getMessage());
    assertEquals("invalid plugin name: ../x",
        assertThrows(CniException.class, () -> FindInPath.find("../x", List.of("/a"))).getMessage());
    assertEquals("no paths provided",
        assertThrows(CniException.class, () -> FindInPath.find("x", List.of())).getMessage());
    assertEquals("failed to find plugin \"does-not-exist\" in path [/a " + tmp + "]",
        assertThrows(CniException.class,
            () -> FindInPath.find("does-not-exist", List.of("/a", tmp.toString()))).getMessage());
  }
}
