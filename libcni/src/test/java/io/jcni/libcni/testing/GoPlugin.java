package io.jcni.libcni.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One of Debian's Go CNI plugins in {@code /usr/lib/cni} (the tests' oracle), run as a CNI runtime runs it: the CNI
 * environment plus the configuration on stdin, optionally inside a named network namespace ({@code ip netns
 * exec}).
 */
public record GoPlugin(String type, String netns) {
  /** Where Debian's containernetworking-plugins installs the binaries; also the CNI_PATH handed to them. */
  public static final String DIR = "/usr/lib/cni";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The plugin {@code type}, run in this process's network namespace. */
  public static GoPlugin of(String type) {
    return new GoPlugin(type, null);
  }

  /** The same plugin, run inside the namespace {@code /var/run/netns/<name>}. */
  public GoPlugin in(String netnsName) {
    return new GoPlugin(type, netnsName);
  }

  /** The binary's path. */
  public Path binary() {
    return Path.of(DIR, type);
  }

  /** Whether the binary is installed. */
  public boolean installed() {
    return Files.isExecutable(binary());
  }

  /** The CNI environment of one call; {@code CNI_PATH} is {@link #DIR}. */
  public static Map<String, String> env(Command command, String containerId, String netnsPath, String ifName,
      String cniArgs) {
    return Map.of("CNI_COMMAND", command.name(), "CNI_CONTAINERID", containerId, "CNI_NETNS", netnsPath,
        "CNI_IFNAME", ifName, "CNI_ARGS", cniArgs, "CNI_PATH", DIR);
  }

  /** What one run printed and how it ended. */
  public record Run(int exit, byte[] stdout, String stderr) {
    public boolean ok() {
      return exit == 0;
    }

    /** stdout as text. */
    public String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    /** stdout parsed as JSON; an empty object when the plugin printed nothing. */
    public JsonNode json() {
      try {
        return stdout.length == 0 || out().isBlank() ? JSON.createObjectNode() : JSON.readTree(stdout);
      } catch (IOException e) {
        throw new UncheckedIOException("plugin printed no JSON: " + out() + stderr, e);
      }
    }

    /** The CNI error a failed run printed (code 999 with the raw output when it printed none). */
    public CniException error() {
      if (ok()) {
        throw new IllegalStateException("the plugin succeeded: " + out());
      }
      try {
        JsonNode n = JSON.readTree(stdout);
        return new CniException(n.path("code").asInt(999), n.path("msg").asText(), n.path("details").asText(""));
      } catch (IOException | RuntimeException e) {
        return new CniException(999, "plugin failed (exit " + exit + "): " + out() + stderr);
      }
    }

    /** The JSON a successful run printed (an empty object for none); a failed run throws its CNI error. */
    public JsonNode result() throws CniException {
      orThrow();
      return json();
    }

    /** stdout of a successful run; a failed one throws the CNI error it printed. */
    public byte[] orThrow() throws CniException {
      if (!ok()) {
        throw error();
      }
      return stdout;
    }
  }

  /** Runs {@code command} with {@code args} (its env and stdin), as a runtime would. */
  public Run run(Command command, CmdArgs args) {
    return run(args.toEnv(command), args.stdinData());
  }

  /** Runs with this process's environment, less any {@code CNI_*} variable, plus {@code cniEnv}. */
  public Run run(Map<String, String> cniEnv, byte[] stdin) {
    return exec(cniEnv, stdin, false);
  }

  /** Runs with exactly {@code env} and nothing else, for tests of what a plugin does when variables are missing. */
  public Run runWithOnly(Map<String, String> env, byte[] stdin) {
    return exec(env, stdin, true);
  }

  /** {@link #run(Map, byte[])} with a text configuration. */
  public Run run(Map<String, String> cniEnv, String stdin) {
    return run(cniEnv, stdin.getBytes(StandardCharsets.UTF_8));
  }

  private static String drain(Process p) {
    try {
      return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private Run exec(Map<String, String> env, byte[] stdin, boolean only) {
    List<String> argv = new ArrayList<>();
    if (netns != null) {
      argv.addAll(List.of("ip", "netns", "exec", netns));
    }
    argv.add(binary().toString());
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (only) {
      pb.environment().clear();
    } else {
      pb.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
    }
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin);
      } catch (IOException ignored) {
        // A plugin may exit without reading stdin (VERSION, an early refusal).
      }
      // stderr drains on its own thread so a chatty plugin cannot block on a full pipe.
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p));
      byte[] out = p.getInputStream().readAllBytes();
      return new Run(p.waitFor(), out, err.join());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + binary(), e);
    }
  }
}
