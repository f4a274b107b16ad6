package io.jcni.plugins.internal.ptp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.attach.AttachEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-process ptp against Debian's Go ptp binary: the same configuration ADDed by each in twin throw-away
 * namespaces leaves the same links, addresses, routes, sysctls, NAT rules and store (random veth names, MACs and
 * the link-local addresses made from them normalised); each side CHECKs and DELs the other's attachment; DEL twice
 * and after the namespace is gone.
 */
@RequiresCapabilities
class PtpGoEquivalenceTest {
  static final String GO = GoPlugin.DIR + "/ptp";

  static final String[] CONFS = {
    "{\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.240.0.0/24\"}}",
    "{\"ipMasq\":true,\"mtu\":1400,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.241.0.0/24\","
        + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}",
    "{\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.242.0.0/24\"}],"
        + "[{\"subnet\":\"2001:db8:42::/64\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\"}]}}",
  };

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  @RequiresExecutable(GO)
  void sameStateAsTheGoPlugin(int which) throws Exception {
    try (AttachEnv jc = AttachEnv.create(); AttachEnv go = AttachEnv.twinOf(jc)) {
      TestNetns jcC = jc.container();
      TestNetns goC = go.container();
      String conf = jc.conf("ptp", "1.0.0", CONFS[which]);
      String goConf = go.conf("ptp", "1.0.0", CONFS[which]);
      PtpPlugin plugin = new PtpPlugin(jc.host);
      JsonNode jcResult = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("same-id", jcC.path(), "eth0", conf), jc));
      JsonNode goResult = AttachEnv.JSON.readTree(
          go.go("ptp", Command.ADD, AttachEnv.args("same-id", goC.path(), "eth0", goConf)));

      String jcState = snapshot(jc, jcC, jcResult);
      String goState = snapshot(go, goC, goResult);
      dumpIfDifferent("ptp-add-" + which, goState, jcState);
      assertEquals(goState, jcState);

      plugin.del(AttachEnv.args("same-id", jcC.path(), "eth0", AttachEnv.withPrev(conf, jcResult)), jc);
      go.go("ptp", Command.DEL, AttachEnv.args("same-id", goC.path(), "eth0", AttachEnv.withPrev(goConf, goResult)));
      assertEquals(snapshot(go, goC, null), snapshot(jc, jcC, null));
      assertEquals(List.of("lo"), AttachEnv.linkNames(jcC));
      assertEquals(List.of("lo"), AttachEnv.linkNames(jc.hostNs));
    }
  }

  /** Go CHECKs and DELs a jcni attachment and the other way round; nothing is left either way. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  @RequiresExecutable(GO)
  void eachSideChecksAndDeletesTheOthersAttachment(int which) throws Exception {
    try (AttachEnv env = AttachEnv.create()) {
      PtpPlugin plugin = new PtpPlugin(env.host);
      String conf = env.conf("ptp", "1.0.0", CONFS[which]);
      TestNetns a = env.container();
      TestNetns b = env.container();
      JsonNode jcResult = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("by-jcni", a.path(), "eth0", conf), env));
      JsonNode goResult = AttachEnv.JSON.readTree(
          env.go("ptp", Command.ADD, AttachEnv.args("by-go", b.path(), "eth0", conf)));
      CmdArgs jcAtt = AttachEnv.args("by-jcni", a.path(), "eth0", AttachEnv.withPrev(conf, jcResult));
      CmdArgs goAtt = AttachEnv.args("by-go", b.path(), "eth0", AttachEnv.withPrev(conf, goResult));

      env.go("ptp", Command.CHECK, jcAtt);
      plugin.check(goAtt, env);
      plugin.check(jcAtt, env);

      env.go("ptp", Command.DEL, jcAtt);
      plugin.del(goAtt, env);
      assertEquals(List.of("lo"), AttachEnv.linkNames(a));
      assertEquals(List.of("lo"), AttachEnv.linkNames(b));
      assertEquals(List.of("lo"), AttachEnv.linkNames(env.hostNs));
      assertEquals(List.of(), env.reserved());
      String nat = AttachEnv.nat(env.hostNs, false) + AttachEnv.nat(env.hostNs, true);
      assertEquals(-1, nat.indexOf("CNI-"), nat);
    }
  }

  /** A DEL after the runtime removed the namespace still frees the address and the masquerade rules; twice is fine. */
  @Test
  void delAfterTheNamespaceIsGoneAndTwice() throws Exception {
    try (AttachEnv env = AttachEnv.create()) {
      PtpPlugin plugin = new PtpPlugin(env.host);
      String conf = env.conf("ptp", "1.0.0", CONFS[1]);
      TestNetns c = env.container();
      JsonNode result = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("gone", c.path(), "eth0", conf), env));
      assertTrue(AttachEnv.nat(env.hostNs, false).contains("CNI-"));
      String path = c.path();
      c.close();
      CmdArgs del = AttachEnv.args("gone", path, "eth0", AttachEnv.withPrev(conf, result));
      plugin.del(del, env);
      plugin.del(del, env);
      assertEquals(List.of(), env.reserved());
      assertEquals(-1, AttachEnv.nat(env.hostNs, false).indexOf("CNI-"));
      assertTrue(Files.notExists(Path.of(path)));
    }
  }

  /** CHECK fails, like Go's, once a result route is gone from the container. */
  @Test
  @RequiresExecutable(GO)
  void checkDetectsAMissingRouteAsGoDoes() throws Exception {
    try (AttachEnv env = AttachEnv.create()) {
      PtpPlugin plugin = new PtpPlugin(env.host);
      String conf = env.conf("ptp", "1.0.0", CONFS[1]);
      TestNetns c = env.container();
      JsonNode result = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("chk", c.path(), "eth0", conf), env));
      CmdArgs att = AttachEnv.args("chk", c.path(), "eth0", AttachEnv.withPrev(conf, result));
      plugin.check(att, env);
      c.ip("route", "del", "default");
      CniException jc = assertThrows(CniException.class, () -> plugin.check(att, env));
      CniException go = assertThrows(CniException.class, () -> env.go("ptp", Command.CHECK, att));
      // both name the missing route; Go prints its destination as a Go struct (left as the bridge words it)
      assertTrue(go.getMessage().startsWith("Expected Route {Dst:"), go.getMessage());
      assertEquals("Expected Route {Dst:0.0.0.0/0 GW:<nil>} not found in routing table", jc.getMessage());
      plugin.del(att, env);
    }
  }

  /**
   * Links, addresses and routes of host and container (ip -j), the sysctls ptp touches, the NAT tables, the store
   * and the result, with the random names, MACs and link-local addresses replaced by placeholders.
   */
  private static String snapshot(AttachEnv env, TestNetns c, JsonNode result) throws IOException {
    ObjectNode s = AttachEnv.JSON.createObjectNode();
    for (TestNetns ns : List.of(env.hostNs, c)) {
      String side = ns == c ? "container." : "host.";
      s.set(side + "link", AttachEnv.stableLinks(AttachEnv.ipJson(ns, "-d", "link", "show")));
      s.set(side + "addr", AttachEnv.withoutLinkLocal(AttachEnv.ipJson(ns, "addr", "show")));
      s.set(side + "route4", AttachEnv.ipJson(ns, "-4", "route", "show"));
      s.set(side + "route6", AttachEnv.withoutLinkLocal(AttachEnv.ipJson(ns, "-6", "route", "show")));
      s.put(side + "nat", AttachEnv.nat(ns, false).replaceAll("(?m)^#.*\\n", "")
          + AttachEnv.nat(ns, true).replaceAll("(?m)^#.*\\n", ""));
    }
    for (String k : List.of("net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding")) {
      s.put("host." + k, AttachEnv.sysctl(env.hostNs, k));
    }
    // keep_addr_on_down is left out: current upstream sets it with IPv6 (ipam.ConfigureIface), Debian's 1.1.1 not
    for (String k : List.of("disable_ipv6", "accept_dad")) {
      String key = "net/ipv6/conf/eth0/" + k;
      s.put("container." + key, c.path().isEmpty() || !AttachEnv.linkNames(c).contains("eth0") ? "-"
          : AttachEnv.sysctl(c, key));
    }
    s.put("store", String.join(",", env.reserved()));
    String text = s.toPrettyString();
    if (result != null) {
      ObjectNode r = result.deepCopy();
      if (r.path("dns").isEmpty()) {
        // Go prints an empty "dns": {}, libcni leaves it out (same meaning)
        r.remove("dns");
      }
      s.set("result", AttachEnv.sorted(r));
      text = s.toPrettyString();
      JsonNode host = result.path("interfaces").get(0);
      JsonNode cont = result.path("interfaces").get(1);
      text = text.replace(host.path("name").asText(), "HOSTVETH")
          .replace(host.path("mac").asText(), "HOST-MAC")
          .replace(cont.path("mac").asText(), "CONT-MAC")
          .replace(c.path(), "SANDBOX");
      for (TestNetns ns : List.of(env.hostNs, c)) {
        text = text.replace(ns.name(), "NS");
      }
    }
    return text.replaceAll("\"(valid|preferred)_life_time\" : \\d+", "\"$1_life_time\" : 0");
  }

  private static void dumpIfDifferent(String name, String go, String jc) throws IOException {
    if (!go.equals(jc)) {
      Path dir = Path.of(System.getProperty("java.io.tmpdir"));
      Files.writeString(dir.resolve("jt-" + name + "-go.json"), go);
      Files.writeString(dir.resolve("jt-" + name + "-jcni.json"), jc);
    }
  }
}
