package io.jcni.libcni.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's {@code test-bin/} directory of test plugins (noop, the Go libcni driver, …), found from
 * {@code JCNI_REPO_ROOT}, else as the nearest ancestor of the working directory that holds it.
 */
public final class TestBin {
  private TestBin() {}

  /** The absolute path of {@code test-bin/}. */
  public static Path dir() {
    String root = System.getenv("JCNI_REPO_ROOT");
    if (root != null && Files.isDirectory(Path.of(root, "test-bin"))) {
      return Path.of(root, "test-bin").toAbsolutePath();
    }
    for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("test-bin"))) {
        return p.resolve("test-bin");
      }
    }
    throw new IllegalStateException("test-bin/ not found above " + System.getProperty("user.dir"));
  }

  /** The executable {@code name} in {@code test-bin/}. */
  public static Path plugin(String name) {
    return dir().resolve(name);
  }
}
