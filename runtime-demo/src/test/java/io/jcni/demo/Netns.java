package io.jcni.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A throw-away network namespace ({@code jt-…}) made with iproute2, so a test never touches the real host; also
 * runs the oracle commands ({@code ip -j}, {@code iptables-save}) inside it.
 */
final class Netns implements AutoCloseable {
  private final String name;

  private Netns(String name) {
    this.name = name;
  }

  static Netns create(String prefix) throws IOException {
    String n = "jt-" + prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
    run("ip", "netns", "add", n);
    Netns ns = new Netns(n);
    ns.ip("link", "set", "lo", "up");
    return ns;
  }

  String name() {
    return name;
  }

  String path() {
    return "/var/run/netns/" + name;
  }

  /** {@code ip -n <ns> args…}. */
  String ip(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new));
  }

  /** Any command inside the namespace. */
  String exec(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new));
  }

  static String run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).start();
    try {
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IOException(String.join(" ", cmd) + " exited " + rc + ": " + new String(err, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    run("ip", "netns", "del", name);
  }
}
