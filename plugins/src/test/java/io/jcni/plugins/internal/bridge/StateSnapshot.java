package io.jcni.plugins.internal.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything an attachment leaves in the kernel, the firewall and the IPAM store, read with iproute2,
 * iptables-save and the file system, with the random parts (host veth name, MACs, ifindexes) renamed, so that two
 * attachments made by different implementations can be compared with {@code assertEquals}.
 */
final class StateSnapshot {
  private StateSnapshot() {}

  /** Link fields that the plugin decides; MACs, ifindexes and counters are left out. */
  private static final List<String> LINK_FIELDS =
      List.of("ifname", "mtu", "operstate", "master", "promiscuity", "txqlen", "link_type");

  static ObjectNode of(BridgeEnv env, TestNetns container, String hostVeth, JsonNode result) throws IOException {
    Map<String, String> rename = Map.of(hostVeth, "HOSTVETH");
    ObjectNode s = BridgeEnv.JSON.createObjectNode();
    s.set("hostLinks", links(env.hostNs, rename));
    s.set("containerLinks", links(container, rename));
    ArrayNode brAddrs = s.putArray("bridgeAddresses");
    KernelState.cidrs(env.hostNs, env.bridge, true).forEach(brAddrs::add);
    ArrayNode contAddrs = s.putArray("containerAddresses");
    if (KernelState.link(container, "eth0").isPresent()) {
      KernelState.cidrs(container, "eth0", true).forEach(contAddrs::add);
    }
    s.set("hostRoutes", routes(env.hostNs, rename));
    s.set("containerRoutes", routes(container, rename));
    ObjectNode sys = s.putObject("sysctls");
    sys.put("host ip_forward", KernelState.sysctl(env.hostNs, "net/ipv4/ip_forward"));
    sys.put("host ipv6 forwarding", KernelState.sysctl(env.hostNs, "net/ipv6/conf/all/forwarding"));
    sys.put("bridge accept_ra", KernelState.sysctl(env.hostNs, "net/ipv6/conf/" + env.bridge + "/accept_ra"));
    sys.put("host veth accept_ra", sysctlOrGone(env.hostNs, "net/ipv6/conf/" + hostVeth + "/accept_ra"));
    sys.put("eth0 accept_dad", sysctlOrGone(container, "net/ipv6/conf/eth0/accept_dad"));
    sys.put("eth0 arp_notify", sysctlOrGone(container, "net/ipv4/conf/eth0/arp_notify"));
    sys.put("eth0 disable_ipv6", sysctlOrGone(container, "net/ipv6/conf/eth0/disable_ipv6"));
    sys.put("lo disable_ipv6", sysctlOrGone(container, "net/ipv6/conf/lo/disable_ipv6"));
    s.set("store", store(env.store()));
    s.put("iptables", natRules(env.hostNs, false, rename));
    s.put("ip6tables", natRules(env.hostNs, true, rename));
    if (result != null) {
      ObjectNode r = result.deepCopy();
      for (JsonNode i : r.path("interfaces")) {
        ObjectNode o = (ObjectNode) i;
        o.put("mac", o.path("mac").asText().length() == 17 ? "MAC" : "none");
        if (o.path("name").asText().equals(hostVeth)) {
          o.put("name", "HOSTVETH");
        }
      }
      // Current upstream prints a 1.x result through a map (sorted keys, an empty dns left out), as jcni does;
      // Debian's 1.1.1 (cni v1.0.1) prints struct order with "dns":{}. The values are what is compared here.
      if (r.path("dns").isObject() && r.path("dns").isEmpty()) {
        r.remove("dns");
      }
      s.set("result", io.jcni.libcni.internal.json.GoJson.sorted(r));
    }
    return s;
  }

  private static String sysctlOrGone(TestNetns ns, String key) {
    try {
      return KernelState.sysctl(ns, key);
    } catch (IOException e) {
      return "absent";
    }
  }

  private static ArrayNode links(TestNetns ns, Map<String, String> rename) throws IOException {
    ArrayNode out = BridgeEnv.JSON.createArrayNode();
    List<JsonNode> links = new ArrayList<>(KernelState.links(ns));
    links.sort((a, b) -> name(a, rename).compareTo(name(b, rename)));
    for (JsonNode l : links) {
      ObjectNode o = out.addObject();
      for (String f : LINK_FIELDS) {
        if (l.has(f)) {
          o.set(f, l.get(f));
        }
      }
      o.put("ifname", name(l, rename));
      // Debian's Go 1.1.1 creates veths with txqueuelen 0 (fixed upstream in v1.6, which jcni follows)
      if ("veth".equals(l.path("linkinfo").path("info_kind").asText())) {
        o.remove("txqlen");
      }
      ArrayNode flags = o.putArray("flags");
      l.path("flags").forEach(flags::add);
      JsonNode info = l.path("linkinfo");
      if ("bridge".equals(info.path("info_kind").asText())) {
        // a bridge's carrier follows its ports with a kernel delay (linkwatch), so it is not part of the state
        o.remove("operstate");
        ArrayNode settled = o.putArray("flags");
        l.path("flags").forEach(f -> {
          if (!f.asText().equals("LOWER_UP") && !f.asText().equals("NO-CARRIER")) {
            settled.add(f);
          }
        });
      }
      o.put("kind", info.path("info_kind").asText());
      if (info.path("info_data").has("vlan_filtering")) {
        o.put("vlan_filtering", info.path("info_data").path("vlan_filtering").asInt());
      }
      JsonNode port = info.path("info_slave_data");
      if (!port.isMissingNode()) {
        o.put("port hairpin", port.path("hairpin").asBoolean());
        o.put("port isolated", port.path("isolated").asBoolean());
        o.put("port state", port.path("state").asText());
        o.put("port learning", port.path("learning").asBoolean());
      }
    }
    return out;
  }

  private static String name(JsonNode l, Map<String, String> rename) {
    String n = l.path("ifname").asText();
    return rename.getOrDefault(n, n);
  }

  private static ArrayNode routes(TestNetns ns, Map<String, String> rename) throws IOException {
    ArrayNode out = BridgeEnv.JSON.createArrayNode();
    for (int fam : new int[] {4, 6}) {
      List<String> lines = new ArrayList<>();
      for (JsonNode r : KernelState.routes(ns, fam)) {
        ObjectNode o = r.deepCopy();
        o.remove("pref");
        String dev = o.path("dev").asText();
        o.put("dev", rename.getOrDefault(dev, dev));
        if (o.path("dst").asText().startsWith("fe80::")) {
          continue;
        }
        lines.add(o.toString());
      }
      lines.stream().sorted().forEach(out::add);
    }
    return out;
  }

  /** Store file name → content, lock and last_reserved_ip included. */
  private static ObjectNode store(Path dir) throws IOException {
    ObjectNode o = BridgeEnv.JSON.createObjectNode();
    Map<String, String> files = new TreeMap<>();
    for (String f : KernelState.storeFiles(dir)) {
      files.put(f, new String(Files.readAllBytes(dir.resolve(f)), StandardCharsets.UTF_8));
    }
    files.forEach(o::put);
    return o;
  }

  /** The nat table without comments, counters and chains nobody added to. */
  private static String natRules(TestNetns ns, boolean v6, Map<String, String> rename) throws IOException {
    StringBuilder b = new StringBuilder();
    for (String line : KernelState.iptablesNat(ns, v6).split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      String l = line.replaceAll("\\[\\d+:\\d+\\]", "[]");
      for (Map.Entry<String, String> e : rename.entrySet()) {
        l = l.replace(e.getKey(), e.getValue());
      }
      b.append(l).append('\n');
    }
    return b.toString();
  }
}
