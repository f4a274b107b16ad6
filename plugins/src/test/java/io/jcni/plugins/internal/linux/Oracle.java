package io.jcni.plugins.internal.linux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** iproute2 as the independent oracle: runs {@code ip}/{@code bridge} with {@code -j} and parses the JSON. */
final class Oracle {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Oracle() {}

  /** {@code ip -j [-n ns] args…} as a JSON array (empty output → empty array). */
  static JsonNode ip(String ns, String... args) throws IOException {
    return json("ip", ns, args);
  }

  /** {@code bridge -j [-n ns] args…}. */
  static JsonNode bridge(String ns, String... args) throws IOException {
    return json("bridge", ns, args);
  }

  private static JsonNode json(String tool, String ns, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(tool, "-j"));
    if (ns != null) {
      cmd.add("-n");
      cmd.add(ns);
    }
    cmd.addAll(List.of(args));
    String out = TestNetns.run(cmd.toArray(String[]::new)).trim();
    return out.isEmpty() ? JSON.createArrayNode() : JSON.readTree(out);
  }

  /** The link object {@code ip -j -d link show dev <name>} reports. */
  static JsonNode link(String ns, String name) throws IOException {
    return ip(ns, "-d", "link", "show", "dev", name).get(0);
  }

  /** Whether {@code ip -n ns link show} lists a link of that name. */
  static boolean hasLink(String ns, String name) throws IOException {
    for (JsonNode l : ip(ns, "link", "show")) {
      if (name.equals(l.path("ifname").asText())) {
        return true;
      }
    }
    return false;
  }

  /** Runs a command, stdout as text. */
  static String run(String... cmd) throws IOException {
    return TestNetns.run(cmd);
  }
}
