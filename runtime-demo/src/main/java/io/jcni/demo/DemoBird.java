package io.jcni.demo;

import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One BIRD 2 routing daemon of the multi-node demo, running in the foreground inside a node's network namespace
 * with its configuration, control socket, pid file and log in a directory of its own.
 *
 * <p>The daemon is started from a thread that has entered the node's namespace, so the child process lives in
 * that namespace for its whole life; {@link #close} stops it (SIGTERM, then SIGKILL) and waits for it to exit.
 */
public final class DemoBird implements AutoCloseable {
  /** Where Debian's bird2 package installs the daemon and its client. */
  public static final Path BIRD = Path.of("/usr/sbin/bird");
  public static final Path BIRDC = Path.of("/usr/sbin/birdc");

  private final Process process;
  private final Path dir;

  private DemoBird(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /** Whether the daemon and its client are installed. */
  public static boolean installed() {
    return Files.isExecutable(BIRD) && Files.isExecutable(BIRDC);
  }

  /** Writes {@code config} to {@code dir} and starts the daemon inside {@code node}. */
  public static DemoBird start(NetNs node, DemoBirdConfig config, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path conf = dir.resolve("bird.conf");
    Files.writeString(conf, config.render(dir.resolve("bird.log")), StandardCharsets.UTF_8);
    ProcessBuilder pb = new ProcessBuilder(BIRD.toString(), "-f", "-c", conf.toString(),
        "-s", dir.resolve("bird.ctl").toString(), "-P", dir.resolve("bird.pid").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("bird.out").toFile());
    Process p = node.runIn(pb::start);
    return new DemoBird(p, dir);
  }

  /** The daemon's process id. */
  public long pid() {
    return process.pid();
  }

  /** The daemon's directory (configuration, socket, pid file, log). */
  public Path dir() {
    return dir;
  }

  /** The state of each protocol ("up", "start", …) and its info column ("Established", "Active", …). */
  public Map<String, String> protocols() throws IOException {
    Map<String, String> states = new LinkedHashMap<>();
    for (String line : birdc("show", "protocols").split("\n")) {
      String[] f = line.trim().split("\\s+");
      // Name Proto Table State Since(1-2 columns) Info
      if (f.length >= 5 && !f[0].equals("Name") && !f[0].equals("BIRD")) {
        states.put(f[0], f[3] + (f[1].equals("BGP") ? " " + f[f.length - 1] : ""));
      }
    }
    return states;
  }

  /**
   * Waits until every protocol in {@code sessions} is up and Established, for at most {@code limit}; throws
   * naming the sessions that are not, with their state.
   */
  public void awaitEstablished(List<String> sessions, Duration limit) throws IOException {
    long end = System.nanoTime() + limit.toNanos();
    Map<String, String> states = Map.of();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("bird in " + dir + " exited with status " + process.exitValue() + ": " + log());
      }
      try {
        states = protocols();
      } catch (IOException notYetListening) {
        states = Map.of();
      }
      List<String> waiting = new ArrayList<>();
      for (String s : sessions) {
        if (!"up Established".equals(states.get(s))) {
          waiting.add(s + "=" + states.getOrDefault(s, "absent"));
        }
      }
      if (waiting.isEmpty()) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new IOException("BGP sessions of bird in " + dir + " not established after " + limit.toSeconds()
            + " s: " + String.join(", ", waiting));
      }
      sleep(100);
    }
  }

  /** Runs {@code birdc} against this daemon's control socket and returns what it printed. */
  public String birdc(String... command) throws IOException {
    List<String> argv = new ArrayList<>(List.of(BIRDC.toString(), "-s", dir.resolve("bird.ctl").toString()));
    argv.addAll(List.of(command));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("birdc " + String.join(" ", command) + " failed: " + out.trim());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running birdc", e);
    }
  }

  /** The last lines of the daemon's own output and log, for error messages. */
  String log() {
    StringBuilder b = new StringBuilder();
    for (String f : List.of("bird.out", "bird.log")) {
      try {
        List<String> lines = Files.readAllLines(dir.resolve(f), StandardCharsets.UTF_8);
        b.append(String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()))).append(' ');
      } catch (IOException absent) {
        // nothing written yet
      }
    }
    return b.toString().trim();
  }

  /** Whether the daemon is still running. */
  public boolean alive() {
    return process.isAlive();
  }

  /** Stops the daemon and waits for it to exit (at most about ten seconds). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
