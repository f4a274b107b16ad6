package io.jcni.plugins.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a real Go plugin from {@code /usr/lib/cni} as a CNI runtime would (env + stdin), optionally inside a named
 * network namespace through {@code ip netns exec}; a failure comes back as the {@link CniException} it printed.
 */
final class GoPlugin {
  static final String DIR = "/usr/lib/cni";
  private static final ObjectMapper JSON = new ObjectMapper();

  private GoPlugin() {}

  /** Runs {@code DIR/type} for {@code command} in netns {@code nsName} (null = this process's ns); returns stdout. */
  static byte[] run(String nsName, String type, Command command, CmdArgs args) throws CniException {
    List<String> argv = new ArrayList<>();
    if (nsName != null) {
      argv.addAll(List.of("ip", "netns", "exec", nsName));
    }
    argv.add(DIR + "/" + type);
    ProcessBuilder pb = new ProcessBuilder(argv);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CNI_"));
    env.putAll(args.toEnv(command));
    try {
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(args.stdinData());
      }
      byte[] err = p.getErrorStream().readAllBytes();
      byte[] out = p.getInputStream().readAllBytes();
      int rc = p.waitFor();
      if (rc != 0) {
        throw parseError(out, err);
      }
      return out;
    } catch (IOException e) {
      throw new CniException(999, "cannot run " + type + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CniException(999, "interrupted");
    }
  }

  private static CniException parseError(byte[] out, byte[] err) {
    try {
      JsonNode n = JSON.readTree(out);
      return new CniException(n.path("code").asInt(999), n.path("msg").asText(), n.path("details").asText(""));
    } catch (IOException | RuntimeException e) {
      return new CniException(
          999, "plugin failed: " + new String(out, StandardCharsets.UTF_8) + new String(err, StandardCharsets.UTF_8));
    }
  }
}
