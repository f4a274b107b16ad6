package io.jcni.libcni.invoke;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's {@code test-bin/} plugins: {@code JCNI_REPO_ROOT}, else the nearest ancestor holding it. */
final class TestBin {
  private TestBin() {}

  static Path dir() {
    String root = System.getenv("JCNI_REPO_ROOT");
    if (root != null && Files.isDirectory(Path.of(root, "test-bin"))) {
      return Path.of(root, "test-bin");
    }
    for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("test-bin"))) {
        return p.resolve("test-bin");
      }
    }
    throw new IllegalStateException("test-bin/ not found above " + System.getProperty("user.dir"));
  }

  static Path plugin(String name) {
    return dir().resolve(name);
  }
}
