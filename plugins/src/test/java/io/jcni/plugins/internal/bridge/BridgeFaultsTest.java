package io.jcni.plugins.internal.bridge;

import static io.jcni.plugins.internal.bridge.BridgeAddDelTest.ipam;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input and kernel refusals: each a clear error, and nothing of the failed ADD left behind. */
@RequiresCapabilities
class BridgeFaultsTest extends BridgeEnvCase {
  /** The container holds only lo, the host only lo, the bridge and {@code keep}, and the store {@code reserved}. */
  private void assertOnlyLeft(TestNetns c, List<String> hostLinks, int reserved) throws Exception {
    assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
    assertEquals(hostLinks, BridgeEnv.linkNames(env.hostNs));
    assertEquals(reserved, env.reserved().size());
  }

  @Test
  void badSubnet() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.220.0.0/33\"}}");
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", c.path(), "eth0", conf)));
    assertTrue(e.getMessage().contains("10.220.0.0/33"), e.getMessage());
    assertOnlyLeft(c, List.of("lo", env.bridge), 0);
  }

  @Test
  void poolExhausted() throws Exception {
    // a /30 with gateway .1 has exactly one address to give: .2
    String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipam\":" + ipam("10.221.0.0/30") + "}");
    TestNetns c1 = env.container();
    JsonNode r = env.add(BridgeEnv.args("c1", c1.path(), "eth0", conf));
    String hostVeth = r.path("interfaces").get(1).path("name").asText();
    TestNetns c2 = env.container();
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("c2", c2.path(), "eth0", conf)));
    assertTrue(e.getMessage().contains("no IP addresses available in range set"), e.getMessage());
    assertOnlyLeft(c2, List.of("lo", env.bridge, hostVeth), 1);
  }

  @Test
  void bridgeNameTakenByANonBridge() throws Exception {
    // this kernel has no dummy links; a veth serves as "something else with that name"
    env.hostNs.ip("link", "add", env.bridge, "type", "veth", "peer", "name", "jtpeer0");
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"promiscMode\":true,\"ipam\":" + ipam("10.222.0.0/24") + "}");
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", c.path(), "eth0", conf)));
    assertEquals("failed to create bridge \"" + env.bridge + "\": \"" + env.bridge
        + "\" already exists but is not a bridge", e.getMessage());
    JsonNode other = KernelState.link(env.hostNs, env.bridge).orElseThrow();
    assertEquals("veth", other.path("linkinfo").path("info_kind").asText());
    // unlike Go, the other link is not switched to promiscuous mode on the way
    assertEquals(0, other.path("promiscuity").asInt());
    assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
    assertEquals(List.of(env.bridge, "jtpeer0", "lo").stream().sorted().toList(),
        BridgeEnv.linkNames(env.hostNs).stream().sorted().toList());
    assertEquals(0, env.reserved().size());
  }

  @Test
  void unknownIpamType() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"ipam\":{\"type\":\"jt-no-such-ipam\"}}");
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", c.path(), "eth0", conf)));
    assertTrue(e.getMessage().contains("jt-no-such-ipam"), e.getMessage());
    assertOnlyLeft(c, List.of("lo", env.bridge), 0);
  }

  @Test
  void mtuTheKernelRefuses() throws Exception {
    TestNetns c = env.container();
    String big = env.conf("1.0.0", "{\"mtu\":70000,\"ipam\":" + ipam("10.223.0.0/24") + "}");
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", c.path(), "eth0", big)));
    assertTrue(e.getMessage().startsWith("failed to create bridge \"" + env.bridge + "\": could not add"),
        e.getMessage());
    assertOnlyLeft(c, List.of("lo"), 0);

    // with the bridge already there, the veth is what the kernel refuses
    env.add(BridgeEnv.args("ok", env.container().path(), "eth0", env.conf("1.0.0", "{\"ipam\":{}}")));
    List<String> host = BridgeEnv.linkNames(env.hostNs);
    CniException e2 = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", c.path(), "eth0", big)));
    assertTrue(e2.getMessage().startsWith("failed to make veth pair: "), e2.getMessage());
    assertOnlyLeft(c, host, 0);
  }

  @Test
  void netnsPathThatIsNotANamespace() throws Exception {
    Path notNs = Files.createTempFile(env.dataDir, "not-a-netns", "");
    String conf = env.conf("1.0.0", "{\"ipam\":" + ipam("10.224.0.0/24") + "}");
    CniException e =
        assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", notNs.toString(), "eth0", conf)));
    assertEquals(ErrorCode.INVALID_NETNS_PATH, e.errorCode());
    assertTrue(e.getMessage().startsWith("failed to open netns \"" + notNs + "\": "), e.getMessage());
    CniException missing = assertThrows(CniException.class,
        () -> env.add(BridgeEnv.args("d", "/var/run/netns/jt-brc-missing", "eth0", conf)));
    assertEquals(ErrorCode.INVALID_NETNS_PATH, missing.errorCode());
    // refused before the bridge was made
    assertEquals(List.of("lo"), BridgeEnv.linkNames(env.hostNs));
    assertEquals(0, env.reserved().size());
  }

  @Test
  void duplicateAddKeepsTheFirstAttachment() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipMasq\":true,\"ipam\":" + ipam("10.225.0.0/24") + "}");
    CmdArgs a = BridgeEnv.args("dup", c.path(), "eth0", conf);
    JsonNode r = env.add(a);
    String hostVeth = r.path("interfaces").get(1).path("name").asText();
    String nat = KernelState.iptablesNat(env.hostNs, false);

    CniException e = assertThrows(CniException.class, () -> env.add(a));
    assertTrue(e.getMessage().startsWith("container veth name (\"eth0\") peer provided (\"veth"), e.getMessage());
    assertTrue(e.getMessage().endsWith("\") already exists"), e.getMessage());

    assertEquals(List.of("lo", "eth0"), BridgeEnv.linkNames(c));
    assertEquals(List.of(r.path("ips").get(0).path("address").asText()), KernelState.cidrs(c, "eth0", true));
    assertEquals(List.of("lo", env.bridge, hostVeth), BridgeEnv.linkNames(env.hostNs));
    assertEquals(1, env.reserved().size());
    assertEquals(nat.replaceAll("(?m)^#.*$", ""),
        KernelState.iptablesNat(env.hostNs, false).replaceAll("(?m)^#.*$", ""));
    env.check(BridgeEnv.args("dup", c.path(), "eth0", BridgeEnv.withPrev(conf, r)));
  }

  @Test
  void aRouteTheKernelRefusesUndoesTheWholeAdd() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipMasq\":true,\"macspoofchk\":true,\"ipam\":{\"type\":"
        + "\"host-local\",\"subnet\":\"10.226.0.0/24\",\"routes\":[{\"dst\":\"198.51.100.0/24\",\"gw\":\"203.0.113.1\"}]}}");
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("r", c.path(), "eth0", conf)));
    // current upstream's text (pkg/ipam ConfigureIface), then the kernel's extended ack, which Go does not ask for
    assertTrue(e.getMessage().startsWith("failed to add route '198.51.100.0/24 via 203.0.113.1 dev eth0 metric 0"
        + " (Scope: universe, Table: 0)': network is unreachable"), e.getMessage());
    assertOnlyLeft(c, List.of("lo", env.bridge), 0);
    assertEquals(-1, KernelState.iptablesNat(env.hostNs, false).indexOf("CNI-"));
    assertTrue(KernelState.nft(env.hostNs).toString().indexOf("macspoofchk-r-eth0") < 0);
  }

  @Test
  void ipamWithoutAddressesIsAnErrorAndIsReleased() throws Exception {
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    ScriptedIpam empty = new ScriptedIpam("jt-empty-ipam", a -> {
      seen.add("ADD " + a.containerId());
      return "{\"cniVersion\":\"1.0.0\"}";
    }, a -> seen.add("DEL " + a.containerId()));
    try (BridgeEnv own = BridgeEnv.create(new TestContext(java.util.Map.of("jt-empty-ipam", empty)))) {
      TestNetns c = own.container();
      String conf = own.conf("1.0.0", "{\"ipam\":{\"type\":\"jt-empty-ipam\"}}");
      CniException e = assertThrows(CniException.class, () -> own.add(BridgeEnv.args("e1", c.path(), "eth0", conf)));
      assertEquals("IPAM plugin returned missing IP config", e.getMessage());
      assertEquals(List.of("ADD e1", "DEL e1"), seen);
      assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
      assertEquals(List.of("lo", own.bridge), BridgeEnv.linkNames(own.hostNs));
    }
  }
}
