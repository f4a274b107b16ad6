package io.jcni.plugins.internal.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs the Go plugins of {@code /usr/lib/cni} (Debian 1.1.1) and jcni's firewall inside throw-away "host"
 * namespaces, and reads the filter table with iptables-save as the oracle.
 */
final class FirewallRig {
  static final String GO_DIR = GoPlugin.DIR;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CID = "fwtest-1";
  /** Plugins here never call back into the runtime. */
  static final PluginContext NO_DELEGATION = (command, type, args) -> {
    throw new CniException(999, "unexpected delegation to " + type);
  };

  private FirewallRig() {}

  /** Runs Go plugin {@code type} inside {@code hostNs}; returns stdout or throws the error it printed. */
  static String go(String hostNs, String type, String command, String netns, String conf) throws Exception {
    return go(hostNs, type, command, CID, netns, conf);
  }

  /** {@link #go(String, String, String, String, String)} for container {@code cid}. */
  static String go(String hostNs, String type, String command, String cid, String netns, String conf)
      throws Exception {
    GoPlugin.Run run = GoPlugin.of(type).in(hostNs).run(
        GoPlugin.env(Command.valueOf(command), cid, netns, "eth0", ""), conf);
    return run.out().isEmpty() && run.ok() ? "" : new String(run.orThrow(), StandardCharsets.UTF_8);
  }

  /** The CNI arguments jcni gets for the same call. */
  static CmdArgs args(String netns, String conf) {
    return new CmdArgs(CID, netns, "eth0", "", List.of(GO_DIR), conf.getBytes(StandardCharsets.UTF_8));
  }

  /** jcni's firewall plugin bound to {@code hostNs} as its host; firewalld is never found running. */
  static FirewallPlugin jcni(NetNs hostNs) {
    return new FirewallPlugin(hostNs, () -> false);
  }

  static NetNs open(TestNetns ns) throws IOException {
    return NetNs.open(Path.of(ns.path()));
  }

  /** The filter table of {@code ns} as iptables-save prints it, without comment lines and with zeroed counters. */
  static String filter(TestNetns ns, boolean v6) throws IOException {
    String out = TestNetns.run("ip", "netns", "exec", ns.name(), v6 ? "ip6tables-save" : "iptables-save", "-t",
        "filter");
    return out.lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
        .collect(Collectors.joining("\n"));
  }

  /** A firewall configuration (version 1.0.0) with extra members and the prevResult. */
  static String conf(String extra, JsonNode prevResult) throws IOException {
    ObjectNode n = (ObjectNode) JSON.readTree("{\"cniVersion\":\"1.0.0\",\"name\":\"jt-fw\",\"type\":\"firewall\""
        + (extra.isEmpty() ? "" : "," + extra) + "}");
    if (prevResult != null) {
      n.set("prevResult", prevResult);
    }
    return JSON.writeValueAsString(n);
  }

  /** A bridge configuration with host-local over {@code ranges} (a JSON array of range sets). */
  static String bridgeConf(String bridge, String ranges, Path dataDir) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"jt-fw-" + bridge + "\",\"type\":\"bridge\",\"bridge\":\"" + bridge
        + "\",\"isDefaultGateway\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":" + ranges + ",\"dataDir\":\""
        + dataDir + "\"}}";
  }
}
