package io.jcni.plugins.netfilter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.Privileged;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real Go bridge plugin (Debian 1.1.1), run inside a test namespace that plays the host. */
final class GoBridge {
  static final String BINARY = "/usr/lib/cni/bridge";
  private static final ObjectMapper JSON = new ObjectMapper();

  private GoBridge() {}

  static void require() {
    Privileged.requireExecutable(BINARY);
  }

  /**
   * Runs {@code command} with {@code conf} on stdin inside {@code hostNs}; returns the parsed stdout (null when
   * empty). Fails with the plugin's output on a non-zero exit.
   */
  static JsonNode run(String command, String hostNs, String containerNsPath, String containerId, String ifName,
      String conf) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", hostNs, BINARY);
    Map<String, String> env = pb.environment();
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", containerId);
    env.put("CNI_NETNS", containerNsPath);
    env.put("CNI_IFNAME", ifName);
    env.put("CNI_PATH", "/usr/lib/cni");
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(conf.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("Go bridge " + command + " failed: " + out + err);
    }
    return out.isBlank() ? null : JSON.readTree(out);
  }

  /** The {@code ips} of a result as address/prefix strings. */
  static List<String> ips(JsonNode result) {
    List<String> ips = new ArrayList<>();
    result.path("ips").forEach(ip -> ips.add(ip.path("address").asText()));
    return ips;
  }
}
