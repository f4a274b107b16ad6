package io.jcni.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the jcni CLI as a separate JVM, exactly as a user would (same main class and classpath as the shaded jar),
 * optionally inside a network namespace through {@code ip netns exec}.
 */
final class Cli {
  /** What one run of the CLI printed and returned. */
  record Run(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  private final Map<String, String> env = new HashMap<>();
  private String netns;
  private List<String> runAs = List.of();
  private String classpath;

  /** A CLI whose environment has none of the CNI variables of this JVM. */
  Cli() {
    for (String k : List.of("NETCONFPATH", "CNI_PATH", "CNI_IFNAME", "CNI_ARGS", "CAP_ARGS", "CNI_CONTAINERID",
        "CNI_CACHE_DIR")) {
      env.put(k, "");
    }
  }

  Cli env(String key, String value) {
    env.put(key, value);
    return this;
  }

  /**
   * Runs the CLI through {@code wrapper} (e.g. {@code setpriv --reuid=65534 ...}) with {@code classpath}, which
   * that user must be able to read.
   */
  Cli as(List<String> wrapper, String classpath) {
    this.runAs = List.copyOf(wrapper);
    this.classpath = classpath;
    return this;
  }

  /** Runs the CLI inside {@code ip netns exec name}. */
  Cli inNetns(String name) {
    this.netns = name;
    return this;
  }

  Run run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
    }
    cmd.addAll(runAs);
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of("-cp", classpath == null ? classpath() : classpath, "io.jcni.demo.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    env.forEach((k, v) -> {
      if (v.isEmpty()) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    Path out = Files.createTempFile("jcni-cli", ".out");
    Path err = Files.createTempFile("jcni-cli", ".err");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("jcni " + String.join(" ", args) + " did not end within 120 s");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The test classpath (surefire puts the real one here when it boots through a manifest-only jar). */
  static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isEmpty() ? cp : System.getProperty("java.class.path");
  }
}
