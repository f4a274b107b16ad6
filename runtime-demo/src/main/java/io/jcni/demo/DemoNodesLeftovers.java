package io.jcni.demo;

import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a killed {@code jcni demo --nodes} left behind, removed before the next one starts: its BIRD daemons
 * (found by the pid files in its state directory, and only if the pid is still a {@code bird}), its namespaces
 * and the state directory itself.
 */
final class DemoNodesLeftovers {
  private DemoNodesLeftovers() {}

  /** Stops the daemons recorded under {@code state}, deletes the existing namespaces of {@code names}, and state. */
  static void tidy(Path state, List<String> names) throws IOException {
    if (Files.isDirectory(state)) {
      try (Stream<Path> files = Files.walk(state)) {
        for (Path pidFile : files.filter(f -> f.getFileName().toString().equals("bird.pid")).toList()) {
          stopIfBird(pidFile);
        }
      }
    }
    for (String n : names) {
      if (Files.exists(NetNs.pathOf(n))) {
        NetNs.delete(n);
      }
    }
    deleteTree(state);
  }

  private static void stopIfBird(Path pidFile) throws IOException {
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Path comm = Path.of("/proc", Long.toString(pid), "comm");
    if (!Files.exists(comm) || !Files.readString(comm, StandardCharsets.US_ASCII).trim().equals("bird")) {
      return; // gone, or the pid was reused by another program
    }
    ProcessHandle.of(pid).ifPresent(p -> {
      p.destroy();
      try {
        p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception notYet) {
        p.destroyForcibly();
      }
    });
  }

  /** Deletes {@code root} and everything under it; nothing if it does not exist. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
