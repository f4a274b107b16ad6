package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** macspoofchk against the real Go bridge plugin and {@code nft -j list}, in throw-away namespaces. */
@RequiresCapabilities
class MacSpoofCheckTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CID = "dummy-0";

  @RegisterExtension
  final TestNetnsPool namespaces = new TestNetnsPool();
  @TempDir
  Path dataDir;

  /** {@code nft -j list table bridge nat} without metainfo and handles; an empty array if the table is absent. */
  static ArrayNode bridgeNat(String ns) throws IOException {
    ArrayNode out = JSON.createArrayNode();
    String json;
    try {
      json = TestNetns.run("ip", "netns", "exec", ns, "nft", "-j", "list", "table", "bridge", "nat");
    } catch (IOException e) {
      if (e.getMessage().contains("No such file or directory")) {
        return out;
      }
      throw e;
    }
    for (JsonNode item : JSON.readTree(json).path("nftables")) {
      if (item.has("metainfo")) {
        continue;
      }
      ObjectNode copy = item.deepCopy();
      for (JsonNode body : copy) {
        ((ObjectNode) body).remove("handle");
      }
      out.add(copy);
    }
    return out;
  }

  private static List<JsonNode> rules(ArrayNode table, String chain) {
    List<JsonNode> out = new ArrayList<>();
    table.forEach(i -> {
      if (i.has("rule") && i.get("rule").path("chain").asText().equals(chain)) {
        out.add(i.get("rule"));
      }
    });
    return out;
  }

  private static boolean hasChain(ArrayNode table, String chain) {
    for (JsonNode i : table) {
      if (i.has("chain") && i.get("chain").path("name").asText().equals(chain)) {
        return true;
      }
    }
    return false;
  }

  private String conf() {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"jt-spoof\",\"type\":\"bridge\",\"bridge\":\"jtbr1\","
        + "\"macspoofchk\":true,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.250.10.0/24\",\"dataDir\":\""
        + dataDir + "\"}}";
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/bridge")
  void sameRulesAsGoAndCrossTeardown() throws Exception {
    TestNetns goHost = namespaces.create("fwsgo");
    TestNetns goCont = namespaces.create("fwsgoc");
    TestNetns jHost = namespaces.create("fwsj");
    TestNetns jCont = namespaces.create("fwsjc");

    JsonNode result = goBridge(goHost, Command.ADD, goCont, conf()).result();
    String hostVeth = result.path("interfaces").get(1).path("name").asText();
    String mac = result.path("interfaces").get(2).path("mac").asText();
    assertTrue(hostVeth.startsWith("veth"), result.toString());

    NetnsExec exec = new NetnsExec(jHost.name());
    MacSpoofCheck sc = new MacSpoofCheck(exec);
    sc.setup(CID, "eth0", hostVeth, mac);
    int launches = exec.takeLaunches();
    System.out.printf("macspoofchk setup: %d process launches%n", launches);
    assertEquals(1, launches);

    ArrayNode go = bridgeNat(goHost.name());
    assertEquals(go, bridgeNat(jHost.name()));

    // bridge_test.go's macspoofchk case.
    String comment = "macspoofchk-dummy-0-eth0";
    List<JsonNode> pre = rules(go, "PREROUTING");
    assertEquals(1, pre.size());
    assertEquals(comment, pre.get(0).path("comment").asText());
    assertEquals(1, rules(go, "cni-br-iface-dummy-0-eth0").size());
    assertEquals(2, rules(go, "cni-br-iface-dummy-0-eth0-mac").size());

    // Go's rules torn down by jcni.
    NetnsExec goSide = new NetnsExec(goHost.name());
    new MacSpoofCheck(goSide).teardown(CID, "eth0");
    System.out.printf("macspoofchk teardown: %d process launches%n", goSide.takeLaunches());
    assertAllGone(goHost.name());

    // jcni's rules torn down by Go's DEL (the container namespace is empty: a missing link is fine for Go).
    goBridge(jHost, Command.DEL, jCont, conf()).result();
    assertAllGone(jHost.name());
  }

  private static void assertAllGone(String ns) throws IOException {
    ArrayNode t = bridgeNat(ns);
    assertFalse(t.toString().contains("macspoofchk-dummy-0-eth0"), t.toString());
    assertFalse(hasChain(t, "cni-br-iface-dummy-0-eth0"), t.toString());
    assertFalse(hasChain(t, "cni-br-iface-dummy-0-eth0-mac"), t.toString());
  }

  @Test
  void teardownTwiceAndWithoutSetupSucceed() throws Exception {
    TestNetns host = namespaces.create("fwst");
    NetnsExec exec = new NetnsExec(host.name());
    MacSpoofCheck sc = new MacSpoofCheck(exec);
    sc.teardown(CID, "eth0");
    System.out.printf("macspoofchk teardown of nothing: %d process launches%n", exec.takeLaunches());
    sc.setup(CID, "eth0", "veth12345678", "02:00:00:00:12:34");
    sc.setup(CID, "eth0", "veth12345678", "02:00:00:00:12:34");
    sc.teardown(CID, "eth0");
    assertAllGone(host.name());
    sc.teardown(CID, "eth0");
    assertAllGone(host.name());
  }

  @Test
  void teardownKeepsOtherAttachments() throws Exception {
    TestNetns host = namespaces.create("fwso");
    MacSpoofCheck sc = new MacSpoofCheck(new NetnsExec(host.name()));
    sc.setup("other", "eth0", "vethaaaaaaaa", "02:00:00:00:00:01");
    ArrayNode before = bridgeNat(host.name());
    sc.setup(CID, "eth0", "vethbbbbbbbb", "02:00:00:00:00:02");
    sc.teardown(CID, "eth0");
    assertEquals(before, bridgeNat(host.name()));
  }

  @Test
  void failedSetupChangesNothing() throws Exception {
    TestNetns host = namespaces.create("fwsf");
    MacSpoofCheck sc = new MacSpoofCheck(new NetnsExec(host.name()));
    CniException e = assertThrows(CniException.class, () -> sc.setup(CID, "eth0", "veth12345678", "not-a-mac"));
    assertTrue(e.getMessage().startsWith("failed to setup spoof-check: running [ip netns exec "), e.getMessage());
    assertEquals("", TestNetns.run("ip", "netns", "exec", host.name(), "nft", "list", "ruleset").strip());
  }

  /** The Go bridge run with {@code hostNs} as its host namespace, for container {@code CID}'s eth0. */
  private static GoPlugin.Run goBridge(TestNetns hostNs, Command command, TestNetns container, String conf) {
    return GoPlugin.of("bridge").in(hostNs.name()).run(GoPlugin.env(command, CID, container.path(), "eth0", ""), conf);
  }
}
