package io.jcni.plugins.internal.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The independent oracle: kernel and firewall state read through iproute2's JSON, iptables-save and nft. */
final class KernelState {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KernelState() {}

  static JsonNode json(String text) throws IOException {
    return text.isBlank() ? JSON.createArrayNode() : JSON.readTree(text);
  }

  /** {@code ip -d -j link show} in {@code ns}: every link with details. */
  static List<JsonNode> links(TestNetns ns) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    json(ns.ip("-d", "-j", "link", "show")).forEach(out::add);
    return out;
  }

  static Optional<JsonNode> link(TestNetns ns, String name) throws IOException {
    return links(ns).stream().filter(l -> name.equals(l.path("ifname").asText())).findFirst();
  }

  /** {@code ip -j addr show dev name}: the addr_info entries. */
  static List<JsonNode> addrs(TestNetns ns, String name) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    JsonNode a = json(ns.ip("-j", "addr", "show", "dev", name));
    for (JsonNode l : a) {
      l.path("addr_info").forEach(out::add);
    }
    return out;
  }

  /** Addresses of {@code name} as {@code ip/prefix} strings, optionally only global scope. */
  static List<String> cidrs(TestNetns ns, String name, boolean globalOnly) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode a : addrs(ns, name)) {
      if (!globalOnly || "global".equals(a.path("scope").asText())) {
        out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
      }
    }
    return out;
  }

  /** {@code ip -j -4|-6 route show} (main table). */
  static List<JsonNode> routes(TestNetns ns, int family) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    json(ns.ip("-j", "-" + family, "route", "show")).forEach(out::add);
    return out;
  }

  /** {@code bridge -j vlan show} in {@code ns}: one entry per port with its vlans. */
  static JsonNode vlans(TestNetns ns) throws IOException {
    return json(TestNetns.run("bridge", "-n", ns.name(), "-j", "vlan", "show"));
  }

  /** The vlans of one bridge port as {@code bridge -j vlan show} lists them. */
  static List<JsonNode> portVlans(TestNetns ns, String port) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : vlans(ns)) {
      if (port.equals(p.path("ifname").asText())) {
        p.path("vlans").forEach(out::add);
      }
    }
    return out;
  }

  /** {@code iptables-save -t nat} (or ip6tables) inside {@code ns}. */
  static String iptablesNat(TestNetns ns, boolean v6) throws IOException {
    return TestNetns.run("ip", "netns", "exec", ns.name(), v6 ? "ip6tables-save" : "iptables-save", "-t", "nat");
  }

  /** The nft ruleset of {@code ns} as {@code nft -j list ruleset}. */
  static JsonNode nft(TestNetns ns) throws IOException {
    return json(TestNetns.run("ip", "netns", "exec", ns.name(), "nft", "-j", "list", "ruleset"));
  }

  /** Reads a sysctl of {@code ns} through {@code ip netns exec cat}. */
  static String sysctl(TestNetns ns, String path) throws IOException {
    return TestNetns.run("ip", "netns", "exec", ns.name(), "cat", "/proc/sys/" + path).trim();
  }

  /** Names of the files in a host-local store directory, sorted. */
  static List<String> storeFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static ArrayNode array() {
    return JSON.createArrayNode();
  }
}
