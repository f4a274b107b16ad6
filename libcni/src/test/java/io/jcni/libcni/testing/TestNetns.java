package io.jcni.libcni.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A throw-away network namespace made with iproute2 for tests (the oracle side: tests may run {@code ip}, main
 * code may not). Closing it deletes the namespace and everything in it.
 */
public final class TestNetns implements AutoCloseable {
  private final String name;

  private TestNetns(String name) {
    this.name = name;
  }

  /** Creates {@code /var/run/netns/jt-<prefix>-<random>}. */
  public static TestNetns create(String prefix) throws IOException {
    String n = "jt-" + prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
    run("ip", "netns", "add", n);
    return new TestNetns(n);
  }

  public String name() {
    return name;
  }

  /** The bind-mount path, as a CNI runtime passes it in {@code CNI_NETNS}. */
  public String path() {
    return "/var/run/netns/" + name;
  }

  /** Runs {@code ip -n <ns> <args…>} and returns stdout; fails on a non-zero exit. */
  public String ip(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new));
  }

  /** Runs a command inside the namespace ({@code ip netns exec <ns> args…}) and returns stdout. */
  public String exec(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new));
  }

  /** Creates a namespace like {@link #create} with its loopback up, for tests that talk over it. */
  public static TestNetns createWithLoopback(String prefix) throws IOException {
    TestNetns ns = create(prefix);
    ns.ip("link", "set", "lo", "up");
    return ns;
  }

  /** Runs a command (argument vector, no shell) and returns stdout; throws with stderr on a non-zero exit. */
  public static String run(String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
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
