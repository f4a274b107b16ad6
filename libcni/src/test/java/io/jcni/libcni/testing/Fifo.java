package io.jcni.libcni.testing;

import java.io.IOException;
import java.nio.file.Path;

/** Named pipes for tests of code that must never block on one. */
public final class Fifo {
  private Fifo() {}

  /** Makes a FIFO at {@code p} with mkfifo(1) (Java has no call for it) and returns {@code p}. */
  public static Path make(Path p) throws IOException, InterruptedException {
    Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    if (mk.waitFor() != 0) {
      throw new IOException("mkfifo " + p + " exited with " + mk.exitValue());
    }
    return p;
  }
}
