package io.jcni.demo.podman;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.RequiresExecutable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StaticElf} against binaries whose linkage file(1) confirms: busybox-static (static), ls (dynamic). */
class StaticElfTest {
  @Test
  @RequiresExecutable("/bin/busybox")
  void busyboxStaticIsStatic() throws Exception {
    assertTrue(StaticElf.isStatic(Path.of("/bin/busybox")));
  }

  @Test
  void aDynamicExecutableIsNot() throws Exception {
    assertFalse(StaticElf.isStatic(Path.of("/bin/ls")));
  }

  @Test
  void aScriptIsNot(@TempDir Path tmp) throws Exception {
    assertFalse(StaticElf.isStatic(Files.writeString(tmp.resolve("s"), "#!/bin/sh\n")));
  }
}
