package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI run by an unprivileged user (nobody, through {@code setpriv}): every command that needs privileges fails
 * with exactly one line on stderr and a non-zero exit, and no command prints logging, JNA warnings or stack traces.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/bin/setpriv", "/usr/lib/cni/bridge"})
class CliNonRootTest {
  static final List<String> NOBODY =
      List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");
  static final Pattern NOISE = Pattern.compile("WARNING|SLF4J|\\tat |Exception|java\\.|jna|^[A-Z][a-z]{2} \\d",
      Pattern.MULTILINE);

  @TempDir Path tmp;
  TestNetns ctr;
  Path confDir;
  String classpath;

  @BeforeEach
  void setUp() throws Exception {
    ctr = TestNetns.createWithLoopback("nonroot");
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    confDir = Files.createDirectories(tmp.resolve("net.d"));
    Files.writeString(confDir.resolve("10-nr.conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\"jtnr\",\"plugins\":["
        + "{\"type\":\"bridge\",\"bridge\":\"jtbrnr\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\""
        + tmp.resolve("ipam") + "\",\"ranges\":[[{\"subnet\":\"10.231.19.0/24\"}]]}}]}");
    classpath = readableClasspath(Files.createDirectories(tmp.resolve("cp")));
  }

  @AfterEach
  void tearDown() throws IOException {
    if (ctr != null) {
      ctr.close();
    }
  }

  /** The test classpath copied where nobody can read it (the local Maven repository is root's). */
  static String readableClasspath(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    int i = 0;
    for (String entry : Cli.classpath().split(File.pathSeparator)) {
      Path src = Path.of(entry);
      if (!Files.exists(src)) {
        continue;
      }
      Path dst = dir.resolve(i++ + "-" + src.getFileName());
      if (Files.isDirectory(src)) {
        try (Stream<Path> s = Files.walk(src)) {
          for (Path p : (Iterable<Path>) s::iterator) {
            Path q = dst.resolve(src.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(q);
            } else {
              Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
            }
          }
        }
      } else {
        Files.copy(src, dst);
      }
      out.add(dst.toString());
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
            : "rw-r--r--"));
      }
    }
    return String.join(File.pathSeparator, out);
  }

  Cli.Run nobody(String... args) throws Exception {
    return new Cli().as(NOBODY, classpath).env("NETCONFPATH", confDir.toString())
        .env("CNI_PATH", "/usr/lib/cni").env("CNI_CACHE_DIR", tmp.resolve("cache").toString())
        .env("HOME", "/nonexistent").run(args);
  }

  static void assertOneCleanLine(Cli.Run run, String prefix) {
    assertNotEquals(0, run.exit(), run.toString());
    assertEquals(1, run.stderr().lines().count(), run.toString());
    assertTrue(run.stderr().startsWith(prefix), run.toString());
    assertFalse(NOISE.matcher(run.stderr()).find(), run.toString());
  }

  @Test
  void privilegedCommandsFailWithOneLine() throws Exception {
    for (String mode : new String[] {"--exec", "--inline"}) {
      for (String cmd : new String[] {"add", "check", "del"}) {
        assertOneCleanLine(nobody(mode, cmd, "jtnr", ctr.path()), "jcni: ");
      }
    }
    assertOneCleanLine(nobody("demo"), "jcni demo: ");
    assertFalse(Files.exists(tmp.resolve("cache/results")), "nothing cached");
  }

  @Test
  void unprivilegedCommandsPrintNoNoise() throws Exception {
    for (String[] args : new String[][] {{"status", "jtnr"}, {"gc", "jtnr"}, {"validate", "jtnr"}, {"list"}}) {
      Cli.Run run = nobody(args);
      assertFalse(NOISE.matcher(run.stderr()).find(), run.toString());
      assertTrue(run.exit() == 0 ? run.stderr().isEmpty() : run.stderr().lines().count() == 1, run.toString());
    }
  }
}
