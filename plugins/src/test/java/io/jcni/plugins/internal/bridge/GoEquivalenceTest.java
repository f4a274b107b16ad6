package io.jcni.plugins.internal.bridge;

import static io.jcni.plugins.internal.bridge.BridgeAddDelTest.ipam;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same configuration run through the Go bridge binary (with the Go host-local) and through jcni in process,
 * each in its own pair of throw-away namespaces with the same bridge and network names: the kernel, firewall and
 * store state must be the same after ADD, and after DEL. Then each side CHECKs and DELs the other's attachment.
 *
 * <p>Configurations avoid what Debian's Go 1.1.1 does differently from current upstream (which jcni follows):
 * portIsolation, vlanTrunk/preserveDefaultVlan, IPv6 keep_addr_on_down and DNS from resolvConf.
 */
@RequiresCapabilities
class GoEquivalenceTest {
  static final String GO = GoPlugin.DIR + "/bridge";

  static final String[] CONFS = {
    "{\"isDefaultGateway\":true,\"ipMasq\":true,\"ipam\":" + ipam("10.230.0.0/24") + "}",
    "{\"isGateway\":true,\"ipMasq\":true,\"ipam\":" + ipam("10.231.0.0/24", "2001:db8:31::/64") + "}",
    "{\"isDefaultGateway\":true,\"ipam\":" + ipam("2001:db8:32::/64") + "}",
    "{\"ipam\":{}}",
    "{\"hairpinMode\":true,\"mtu\":1400,\"isGateway\":true,\"ipam\":" + ipam("10.233.0.0/24") + "}",
    "{\"promiscMode\":true,\"forceAddress\":true,\"isGateway\":true,\"runtimeConfig\":{\"mac\":\"02:00:5e:00:00:33\"},"
        + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.234.0.0/24\",\"rangeStart\":\"10.234.0.50\","
        + "\"routes\":[{\"dst\":\"198.51.100.0/24\"},{\"dst\":\"203.0.113.0/24\",\"gw\":\"10.234.0.9\"}]}}",
    "{\"isDefaultGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":"
        + "\"10.235.0.0/24\",\"gateway\":\"10.235.0.254\"}],[{\"subnet\":\"2001:db8:35::/64\",\"gateway\":"
        + "\"2001:db8:35::fe\"}]]}}",
  };

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
  @RequiresExecutable(GO)
  void sameStateAsTheGoPlugin(int which) throws Exception {
    try (BridgeEnv jc = BridgeEnv.create(); BridgeEnv go = BridgeEnv.twinOf(jc)) {
      TestNetns jcC = jc.container();
      TestNetns goC = go.container();
      String jcConf = jc.conf("1.0.0", CONFS[which]);
      String goConf = go.conf("1.0.0", CONFS[which]);
      CmdArgs jcArgs = BridgeEnv.args("same-id", jcC.path(), "eth0", jcConf);
      CmdArgs goArgs = BridgeEnv.args("same-id", goC.path(), "eth0", goConf);

      JsonNode jcResult = jc.add(jcArgs);
      JsonNode goResult = BridgeEnv.JSON.readTree(go.go(Command.ADD, goArgs));
      ObjectNode jcState = StateSnapshot.of(jc, jcC, jcResult.path("interfaces").get(1).path("name").asText(), jcResult);
      ObjectNode goState = StateSnapshot.of(go, goC, goResult.path("interfaces").get(1).path("name").asText(), goResult);
      normalizeSandbox(jcState, jcC);
      normalizeSandbox(goState, goC);
      dumpIfDifferent("add-" + which, goState, jcState);
      assertEquals(goState.toPrettyString(), jcState.toPrettyString());

      jc.del(BridgeEnv.args("same-id", jcC.path(), "eth0", BridgeEnv.withPrev(jcConf, jcResult)));
      go.go(Command.DEL, BridgeEnv.args("same-id", goC.path(), "eth0", BridgeEnv.withPrev(goConf, goResult)));
      ObjectNode jcAfter = StateSnapshot.of(jc, jcC, "-", null);
      ObjectNode goAfter = StateSnapshot.of(go, goC, "-", null);
      assertEquals(goAfter.toPrettyString(), jcAfter.toPrettyString());
      assertEquals(List.of("lo"), BridgeEnv.linkNames(jcC));
    }
  }

  /** Leaves both snapshots in the temp dir when they differ, for diffing by hand. */
  private static void dumpIfDifferent(String name, ObjectNode go, ObjectNode jc) throws java.io.IOException {
    if (!go.equals(jc)) {
      java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
      java.nio.file.Files.writeString(dir.resolve("jt-equiv-" + name + "-go.json"), go.toPrettyString());
      java.nio.file.Files.writeString(dir.resolve("jt-equiv-" + name + "-jcni.json"), jc.toPrettyString());
    }
  }

  private static String jcCheck(BridgeEnv env, CmdArgs a) {
    try {
      env.check(a);
      return "passed";
    } catch (io.jcni.libcni.types.CniException e) {
      return "failed: " + e.getMessage();
    }
  }

  private static String goCheck(BridgeEnv env, CmdArgs a) {
    try {
      env.go(Command.CHECK, a);
      return "passed";
    } catch (io.jcni.libcni.types.CniException e) {
      return "failed: " + e.getMessage();
    }
  }

  private static void normalizeSandbox(ObjectNode state, TestNetns c) {
    for (JsonNode i : state.path("result").path("interfaces")) {
      if (i.path("sandbox").asText().equals(c.path())) {
        ((ObjectNode) i).put("sandbox", "SANDBOX");
      }
    }
  }

  /** Go CHECKs and DELs a jcni attachment; jcni CHECKs and DELs a Go attachment; nothing is left either way. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
  @RequiresExecutable(GO)
  void eachSideChecksAndDeletesTheOthersAttachment(int which) throws Exception {
    try (BridgeEnv env = BridgeEnv.create()) {
      String conf = env.conf("1.0.0", CONFS[which]);
      TestNetns a = env.container();
      TestNetns b = env.container();
      JsonNode jcResult = env.add(BridgeEnv.args("made-by-jcni", a.path(), "eth0", conf));
      JsonNode goResult =
          BridgeEnv.JSON.readTree(env.go(Command.ADD, BridgeEnv.args("made-by-go", b.path(), "eth0", conf)));

      CmdArgs jcAtt = BridgeEnv.args("made-by-jcni", a.path(), "eth0", BridgeEnv.withPrev(conf, jcResult));
      CmdArgs goAtt = BridgeEnv.args("made-by-go", b.path(), "eth0", BridgeEnv.withPrev(conf, goResult));
      // The Go CHECK treats a jcni attachment exactly as its own: both pass, or both fail the same way (Go 1.1.1
      // fails CHECK for layer 2, "no plugin name provided", and for IPAM routes without a gateway).
      assertEquals(goCheck(env, goAtt), goCheck(env, jcAtt));
      // jcni's CHECK passes on both where the bridge MAC is pinned by a gateway address (without one the bridge
      // takes the lowest port MAC, so a recorded bridge MAC may go stale when ports come, in Go as in jcni)
      if (CONFS[which].contains("Gateway\":true")) {
        assertEquals("passed", jcCheck(env, jcAtt));
        assertEquals("passed", jcCheck(env, goAtt));
      }

      env.go(Command.DEL, jcAtt);
      env.del(goAtt);
      assertEquals(List.of("lo"), BridgeEnv.linkNames(a));
      assertEquals(List.of("lo"), BridgeEnv.linkNames(b));
      assertEquals(List.of("lo", env.bridge), BridgeEnv.linkNames(env.hostNs));
      assertEquals(List.of(), env.reserved());
      String nat = KernelState.iptablesNat(env.hostNs, false) + KernelState.iptablesNat(env.hostNs, true);
      assertEquals(-1, nat.indexOf("CNI-"), nat);
    }
  }
}
