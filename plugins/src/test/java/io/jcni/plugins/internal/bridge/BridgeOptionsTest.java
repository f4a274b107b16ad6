package io.jcni.plugins.internal.bridge;

import static io.jcni.plugins.internal.bridge.BridgeAddDelTest.ipam;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layer 2, VLAN and the per-port/per-bridge options of upstream's bridge_test, checked with iproute2. */
@RequiresCapabilities
class BridgeOptionsTest extends BridgeEnvCase {
  private JsonNode hostVeth(JsonNode result) throws Exception {
    return KernelState.link(env.hostNs, result.path("interfaces").get(1).path("name").asText()).orElseThrow();
  }

  private static boolean isUp(JsonNode link) {
    return link.path("flags").toString().contains("\"UP\"");
  }

  /** Nothing of an attachment is left: container has only lo, host only lo and (maybe) the bridge, no reservation. */
  private void assertNothingLeft(TestNetns c) throws Exception {
    assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
    for (String l : BridgeEnv.linkNames(env.hostNs)) {
      assertTrue(l.equals("lo") || l.equals(env.bridge), "left behind in host: " + l);
    }
    assertEquals(List.of(), env.reserved());
  }

  @Test
  void layer2OnlyPlugsAndRaisesTheInterface() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"ipam\":{}}");
    JsonNode r = env.add(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
    assertFalse(r.has("ips"), r.toString());
    assertEquals(3, r.path("interfaces").size());
    assertTrue(isUp(KernelState.link(c, "eth0").orElseThrow()));
    assertEquals(List.of(), KernelState.cidrs(c, "eth0", true));
    assertEquals(List.of(), KernelState.cidrs(env.hostNs, env.bridge, true));
    assertEquals(env.bridge, hostVeth(r).path("master").asText());
    env.check(BridgeEnv.args("dummy-0", c.path(), "eth0", BridgeEnv.withPrev(conf, r)));
    env.del(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
    assertNothingLeft(c);
  }

  @Test
  void layer2WithOldVersionsCannotBeExpressedAndLeavesNothing() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("0.2.0", "{\"ipam\":{}}");
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", c.path(), "eth0", conf)));
    assertEquals("cannot convert: no valid IP addresses", e.getMessage());
    assertNothingLeft(c);
  }

  @Test
  void disableContainerInterfaceLeavesItDown() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"ipam\":{},\"disableContainerInterface\":true}");
    env.add(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
    assertFalse(isUp(KernelState.link(c, "eth0").orElseThrow()));
    env.del(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
    assertNothingLeft(c);
  }

  @Test
  void disableContainerInterfaceWithIpamIsRefusedBeforeAnythingIsMade() throws Exception {
    TestNetns c = env.container();
    String conf =
        env.conf("1.0.0", "{\"disableContainerInterface\":true,\"ipam\":" + ipam("10.210.0.0/24") + "}");
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", c.path(), "eth0", conf)));
    assertEquals("cannot use IPAM when DisableContainerInterface flag is set", e.getMessage());
    assertEquals(List.of("lo"), BridgeEnv.linkNames(env.hostNs));
    assertNothingLeft(c);
  }

  @Test
  void promiscModeOnTheBridge() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"promiscMode\":true,\"ipam\":{}}");
    JsonNode r = env.add(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
    assertEquals(1, KernelState.link(env.hostNs, env.bridge).orElseThrow().path("promiscuity").asInt());
    env.check(BridgeEnv.args("dummy-0", c.path(), "eth0", BridgeEnv.withPrev(conf, r)));
  }

  @Test
  void hairpinAndIsolationOnThePort() throws Exception {
    TestNetns c1 = env.container();
    JsonNode off = env.add(BridgeEnv.args("c1", c1.path(), "eth0", env.conf("1.0.0", "{\"ipam\":{}}")));
    JsonNode offPort = hostVeth(off).path("linkinfo").path("info_slave_data");
    assertFalse(offPort.path("hairpin").asBoolean());
    assertFalse(offPort.path("isolated").asBoolean());
    TestNetns c2 = env.container();
    JsonNode on = env.add(BridgeEnv.args("c2", c2.path(), "eth0",
        env.conf("1.0.0", "{\"hairpinMode\":true,\"portIsolation\":true,\"ipam\":{}}")));
    JsonNode onPort = hostVeth(on).path("linkinfo").path("info_slave_data");
    assertTrue(onPort.path("hairpin").asBoolean(), onPort.toString());
    assertTrue(onPort.path("isolated").asBoolean(), onPort.toString());
  }

  @Test
  void hairpinWithPromiscIsRefused() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"hairpinMode\":true,\"promiscMode\":true,\"ipam\":{}}");
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("d", c.path(), "eth0", conf)));
    assertEquals("cannot set hairpin mode and promiscuous mode at the same time", e.getMessage());
    assertEquals(List.of("lo"), BridgeEnv.linkNames(env.hostNs));
    assertNothingLeft(c);
  }

  @Test
  void macFromCniArgsThenArgsThenRuntimeConfig() throws Exception {
    String mac = "02:00:00:00:00:00";
    TestNetns c1 = env.container();
    JsonNode r1 = env.add(BridgeEnv.args("c1", c1.path(), "eth0", env.conf("1.0.0", "{\"ipam\":{}}"),
        "IgnoreUnknown=1;MAC=" + mac));
    assertEquals(mac, r1.path("interfaces").get(2).path("mac").asText());
    assertEquals(mac, KernelState.link(c1, "eth0").orElseThrow().path("address").asText());

    TestNetns c2 = env.container();
    String mac2 = "02:00:00:00:00:02";
    JsonNode r2 = env.add(BridgeEnv.args("c2", c2.path(), "eth0",
        env.conf("1.0.0", "{\"ipam\":{},\"args\":{\"cni\":{\"mac\":\"" + mac2 + "\"}}}"), "MAC=" + mac));
    assertEquals(mac2, KernelState.link(c2, "eth0").orElseThrow().path("address").asText());
    assertEquals(mac2, r2.path("interfaces").get(2).path("mac").asText());

    TestNetns c3 = env.container();
    String mac3 = "02:00:00:00:00:03";
    env.add(BridgeEnv.args("c3", c3.path(), "eth0", env.conf("1.0.0", "{\"ipam\":{},\"args\":{\"cni\":{\"mac\":\""
        + mac2 + "\"}},\"RuntimeConfig\":{\"mac\":\"" + mac3 + "\"}}"), "MAC=" + mac));
    assertEquals(mac3, KernelState.link(c3, "eth0").orElseThrow().path("address").asText());
  }

  @Test
  void mtuOnANewBridgeAndBothVethEnds() throws Exception {
    TestNetns c = env.container();
    JsonNode r = env.add(BridgeEnv.args("d", c.path(), "eth0", env.conf("1.0.0", "{\"mtu\":1400,\"ipam\":{}}")));
    assertEquals(1400, KernelState.link(env.hostNs, env.bridge).orElseThrow().path("mtu").asInt());
    assertEquals(1400, hostVeth(r).path("mtu").asInt());
    assertEquals(1400, KernelState.link(c, "eth0").orElseThrow().path("mtu").asInt());
  }

  @Test
  void ipv4BridgeAddressConflictFailsWithoutForceAndIsReplacedWithIt() throws Exception {
    String first = env.conf("1.0.0", "{\"isGateway\":true,\"ipam\":" + ipam("10.211.0.0/16") + "}");
    TestNetns c1 = env.container();
    env.add(BridgeEnv.args("c1", c1.path(), "eth0", first));
    int reserved = env.reserved().size();

    String other = env.conf("1.0.0", "{\"isGateway\":true,\"ipam\":" + ipam("10.212.1.0/24") + "}");
    TestNetns c2 = env.container();
    CniException e = assertThrows(CniException.class, () -> env.add(BridgeEnv.args("c2", c2.path(), "eth0", other)));
    assertEquals("failed to set bridge addr: \"" + env.bridge + "\" already has an IP address different from "
        + "10.212.1.1/24", e.getMessage());
    // the failed ADD released its address and removed its veth
    assertEquals(reserved, env.reserved().size());
    assertEquals(List.of("lo"), BridgeEnv.linkNames(c2));
    assertEquals(List.of("10.211.0.1/16"), KernelState.cidrs(env.hostNs, env.bridge, true));

    String forced =
        env.conf("1.0.0", "{\"isGateway\":true,\"forceAddress\":true,\"ipam\":" + ipam("10.212.1.0/24") + "}");
    TestNetns c3 = env.container();
    env.add(BridgeEnv.args("c3", c3.path(), "eth0", forced));
    assertEquals(List.of("10.212.1.1/24"), KernelState.cidrs(env.hostNs, env.bridge, true));
  }

  @Test
  void ipv6BridgeAddressesCoexistUnlessTheyOverlap() throws Exception {
    TestNetns c1 = env.container();
    env.add(BridgeEnv.args("c1", c1.path(), "eth0",
        env.conf("1.0.0", "{\"isGateway\":true,\"ipam\":" + ipam("2001:db8:10::/64") + "}")));
    TestNetns c2 = env.container();
    env.add(BridgeEnv.args("c2", c2.path(), "eth0",
        env.conf("1.0.0", "{\"isGateway\":true,\"ipam\":" + ipam("2001:db8:11::/64") + "}")));
    List<String> both = KernelState.cidrs(env.hostNs, env.bridge, true);
    assertTrue(both.containsAll(List.of("2001:db8:10::1/64", "2001:db8:11::1/64")), both.toString());

    TestNetns c3 = env.container();
    String overlapping = env.conf("1.0.0", "{\"isGateway\":true,\"ipam\":" + ipam("2001:db8:10::/48") + "}");
    CniException e =
        assertThrows(CniException.class, () -> env.add(BridgeEnv.args("c3", c3.path(), "eth0", overlapping)));
    assertTrue(e.getMessage().endsWith("already has an IP address different from 2001:db8:10::1/48"), e.getMessage());
    assertEquals(List.of("lo"), BridgeEnv.linkNames(c3));
  }

  /** Whether this kernel can filter VLANs on a bridge (CONFIG_BRIDGE_VLAN_FILTERING), probed with iproute2. */
  static boolean kernelFiltersVlans() throws Exception {
    try (TestNetns probe = TestNetns.create("brv")) {
      try {
        probe.ip("link", "add", "b0", "type", "bridge", "vlan_filtering", "1");
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    }
  }

  /**
   * VLAN access port, trunk, both, and the default VLAN kept or removed. Where the kernel has no VLAN filtering
   * (this machine's kernel lacks CONFIG_BRIDGE_VLAN_FILTERING), the Go plugin fails too: then each ADD must fail
   * with the kernel's refusal and leave nothing behind.
   */
  @Test
  void vlansOnThePort() throws Exception {
    String[] confs = {
      "{\"vlan\":100,\"ipam\":{}}",
      "{\"vlanTrunk\":[{\"id\":101},{\"minID\":200,\"maxID\":210}],\"ipam\":{}}",
      "{\"vlan\":100,\"vlanTrunk\":[{\"id\":101}],\"ipam\":{}}",
      "{\"vlan\":100,\"preserveDefaultVlan\":true,\"ipam\":{}}",
    };
    List<List<String>> expected = List.of(
        List.of("100 pvid untagged"),
        vids(List.of("1 pvid untagged", "101"), 200, 210),
        List.of("100 pvid untagged", "101"),
        List.of("1 pvid untagged", "100 pvid untagged"));
    boolean supported = kernelFiltersVlans();
    int i = 0;
    for (String extra : confs) {
      TestNetns c = env.container();
      CmdArgs a = BridgeEnv.args("c" + i, c.path(), "eth0", env.conf("1.0.0", extra));
      if (!supported) {
        CniException e = assertThrows(CniException.class, () -> env.add(a));
        assertEquals("failed to create bridge \"" + env.bridge + "\": could not add \"" + env.bridge
            + "\": operation not supported", e.getMessage());
        assertNothingLeft(c);
        if (extra.contains("\"vlan\"")) {
          // Debian's Go 1.1.1 knows "vlan" (not "vlanTrunk") and fails the same way
          CniException go = assertThrows(CniException.class, () -> env.go(Command.ADD, a));
          assertEquals(e.getMessage(), go.getMessage());
          assertNothingLeft(c);
        }
      } else {
        JsonNode r = env.add(a);
        String port = r.path("interfaces").get(1).path("name").asText();
        List<String> got = new ArrayList<>();
        for (JsonNode v : KernelState.portVlans(env.hostNs, port)) {
          String flags = v.path("flags").toString();
          got.add(v.path("vlan").asInt() + (flags.contains("PVID") ? " pvid" : "")
              + (flags.contains("Egress Untagged") ? " untagged" : ""));
        }
        assertEquals(expected.get(i), got, extra);
        assertEquals(1,
            KernelState.link(env.hostNs, env.bridge).orElseThrow().path("linkinfo").path("info_data")
                .path("vlan_filtering").asInt());
      }
      i++;
    }
  }

  private static List<String> vids(List<String> head, int from, int to) {
    List<String> out = new ArrayList<>(head);
    for (int v = from; v <= to; v++) {
      out.add(String.valueOf(v));
    }
    return out;
  }

  @Test
  void badVlanIds() throws Exception {
    TestNetns c = env.container();
    for (int vlan : new int[] {-100, 5000}) {
      CniException e = assertThrows(CniException.class,
          () -> env.add(BridgeEnv.args("d", c.path(), "eth0", env.conf("1.0.0", "{\"vlan\":" + vlan + "}"))));
      assertEquals("invalid VLAN ID " + vlan + " (must be between 0 and 4094)", e.getMessage());
    }
    assertEquals(List.of("lo"), BridgeEnv.linkNames(env.hostNs));
  }

  @Test
  void anExistingBridgeIsUsedAsItIs() throws Exception {
    env.hostNs.ip("link", "add", env.bridge, "mtu", "1450", "type", "bridge");
    int index = KernelState.link(env.hostNs, env.bridge).orElseThrow().path("ifindex").asInt();
    TestNetns c = env.container();
    env.add(BridgeEnv.args("d", c.path(), "eth0", env.conf("1.0.0", "{\"mtu\":1400,\"ipam\":{}}")));
    JsonNode br = KernelState.link(env.hostNs, env.bridge).orElseThrow();
    assertEquals(index, br.path("ifindex").asInt());
    // the veth gets the configured MTU; the existing bridge is not set to it by the plugin (the kernel itself
    // follows its ports' minimum, as it does under the Go plugin)
    assertEquals(1400, KernelState.link(c, "eth0").orElseThrow().path("mtu").asInt());
    assertTrue(isUp(br));
    assertEquals("0", KernelState.sysctl(env.hostNs, "net/ipv6/conf/" + env.bridge + "/accept_ra"));
  }

  @Test
  void enableDadWaitsForDuplicateAddressDetection() throws Exception {
    TestNetns c = env.container();
    env.add(BridgeEnv.args("d", c.path(), "eth0",
        env.conf("1.0.0", "{\"enabledad\":true,\"isGateway\":true,\"ipam\":" + ipam("2001:db8:40::/64") + "}")));
    assertEquals("1", KernelState.sysctl(c, "net/ipv6/conf/eth0/accept_dad"));
    assertEquals("1", KernelState.sysctl(c, "net/ipv6/conf/eth0/enhanced_dad"));
    for (JsonNode a : KernelState.addrs(c, "eth0")) {
      if ("2001:db8:40::2".equals(a.path("local").asText())) {
        assertFalse(a.has("tentative"), a.toString());
        return;
      }
    }
    throw new AssertionError("2001:db8:40::2 not on eth0");
  }
}
