package io.jcni.demo.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code jcni serve} process in a throw-away "host" namespace with the shims installed in a directory of the
 * test's own (with the daemon's socket recorded beside them, as {@code install-plugins --socket} does), and the
 * shims run as a runtime runs plugins. Closing kills the daemon and removes the namespace.
 */
public final class ServeFixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final Path socket;
  final Path shims;
  final TestNetns host;
  Process daemon;
  Path daemonLog;

  /** What one shim run printed and how it ended. */
  record Run(int exit, String stdout, String stderr, long millis) {
    JsonNode json() throws IOException {
      return JSON.readTree(stdout);
    }

    @Override
    public String toString() {
      return "exit " + exit + " after " + millis + " ms\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  private final boolean ownsHost;

  ServeFixture(Path dir) throws Exception {
    this(dir, null);
  }

  /**
   * Installs the shims under {@code dir}; the daemon will run in {@code host} (which stays the caller's), or in a
   * throw-away namespace of its own when null.
   */
  public ServeFixture(Path dir, TestNetns host) throws Exception {
    requireShim();
    this.dir = Files.createDirectories(dir);
    this.socket = dir.resolve("jcni.sock");
    this.shims = dir.resolve("bin");
    ShimInstaller.install(shims, PluginRegistry.discover().types(),
        new ShimDefaults(Optional.of(socket), Optional.empty()), new PrintStream(OutputStream.nullOutputStream()));
    this.ownsHost = host == null;
    this.host = host == null ? TestNetns.createWithLoopback("svhost") : host;
  }

  /** The directory holding a shim per in-process type. */
  public Path shims() {
    return shims;
  }

  /** The daemon's socket, recorded beside the shims. */
  public Path socket() {
    return socket;
  }

  /** Skips the test when the build had no gcc and libc6-dev to make the shim (run-tests installs them). */
  static void requireShim() {
    org.junit.jupiter.api.Assumptions.assumeTrue(ShimInstaller.class.getResource(ShimInstaller.RESOURCE) != null,
        "the jar has no shim: gcc or libc6-dev was missing at build time");
  }

  /** Starts the daemon in the host namespace and waits until it answers. */
  public ServeFixture start() throws Exception {
    daemonLog = Files.createTempFile(dir, "serve", ".log");
    daemon = new ProcessBuilder(serveCommand()).redirectErrorStream(true).redirectOutput(daemonLog.toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      if (Files.exists(socket) && shim("bridge", Map.of("CNI_COMMAND", "VERSION"), "").exit() == 0) {
        return this;
      }
      assertTrue(daemon.isAlive(), () -> "daemon ended: " + log());
      Thread.sleep(50);
    }
    throw new AssertionError("daemon did not answer within 30 s: " + log());
  }

  /** The command line of {@code jcni serve} on {@link #socket()}, run in the host namespace. */
  List<String> serveCommand() {
    return List.of("ip", "netns", "exec", host.name(),
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "io.jcni.demo.Main", "serve", "--socket", socket.toString());
  }

  String log() {
    try {
      return Files.readString(daemonLog);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Sends SIGTERM and returns the daemon's exit status. */
  int terminate() throws Exception {
    daemon.destroy();
    assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "daemon did not stop after SIGTERM");
    return daemon.exitValue();
  }

  /** Kills the daemon with SIGKILL, as a crash would. */
  void kill() throws Exception {
    daemon.destroyForcibly();
    assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
  }

  /**
   * Runs the shim installed as {@code type} with {@code cniEnv} and {@code stdin}; the shim finds the daemon through
   * the socket recorded beside it unless {@code cniEnv} sets {@code JCNI_SOCKET}.
   */
  Run shim(String type, Map<String, String> cniEnv, String stdin) throws Exception {
    return shim(List.of(shims.resolve(type).toString()), cniEnv, stdin);
  }

  /** Runs {@code argv} (ending in a shim) with {@code cniEnv} and {@code stdin}, as {@link #shim(String, Map, String)}. */
  Run shim(List<String> argv, Map<String, String> cniEnv, String stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().keySet().removeIf(k -> k.startsWith("CNI_") || k.startsWith("JCNI_"));
    pb.environment().putAll(cniEnv);
    long t0 = System.nanoTime();
    Process p = pb.start();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    });
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // The shim does not read stdin for VERSION.
    }
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "shim did not end");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8), ms);
  }

  /** The CNI environment of one call for container {@code id} in {@code ctr} (null for none). */
  static Map<String, String> env(String command, String id, TestNetns ctr) {
    return Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", id, "CNI_NETNS", ctr == null ? "" : ctr.path(),
        "CNI_IFNAME", "eth0", "CNI_PATH", "/nonexistent");
  }

  /** Asserts that {@code r} is the CNI error {@code code} with message {@code msg}, exit status 1. */
  static void assertError(Run r, int code, String msg) throws IOException {
    assertEquals(1, r.exit(), r.toString());
    assertEquals(code, r.json().path("code").asInt(), r.toString());
    assertEquals(msg, r.json().path("msg").asText(), r.toString());
  }

  @Override
  public void close() throws Exception {
    try {
      if (daemon != null && daemon.isAlive()) {
        kill();
      }
    } finally {
      if (ownsHost) {
        host.close();
      }
    }
  }
}
