package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What libcni logs through {@code System.Logger} (java.util.logging here, no logging library on the class path)
 * reaches the CLI's stderr only with {@code -v}.
 */
class CliLoggingTest {
  private static final System.Logger LIBCNI = System.getLogger("io.jcni.libcni");

  @AfterEach
  void quiet() {
    CliLogging.configure(false, System.err);
  }

  private static String logged(boolean verbose) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CliLogging.configure(verbose, new PrintStream(buf, true, StandardCharsets.UTF_8));
    LIBCNI.log(System.Logger.Level.DEBUG, "ADD network=a took 1ms");
    LIBCNI.log(System.Logger.Level.WARNING, "ADD network=a failed after 1ms: nope");
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void silentByDefault() {
    assertEquals("", logged(false));
  }

  @Test
  void verboseShowsDebugAndWarningsOneLineEach() {
    String n = System.lineSeparator();
    assertEquals("jcni: DEBUG io.jcni.libcni: ADD network=a took 1ms" + n
        + "jcni: WARNING io.jcni.libcni: ADD network=a failed after 1ms: nope" + n, logged(true));
  }
}
