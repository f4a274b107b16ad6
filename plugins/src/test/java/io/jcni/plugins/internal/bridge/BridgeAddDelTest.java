package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upstream bridge_test ADD/CHECK/DEL cases with IPAM, run in process against throw-away namespaces; every
 * expectation is read back through iproute2's JSON.
 */
@RequiresCapabilities
class BridgeAddDelTest extends BridgeEnvCase {
  static String ipam(String... subnets) {
    StringBuilder b = new StringBuilder("{\"type\":\"host-local\",\"ranges\":[");
    for (int i = 0; i < subnets.length; i++) {
      b.append(i > 0 ? "," : "").append("[{\"subnet\":\"").append(subnets[i]).append("\"}]");
    }
    return b.append("]}").toString();
  }

  /**
   * Upstream's cmdAddDelTest: ADD (result shape, bridge, port, addresses and one default route per family),
   * CHECK with the result as prevResult (0.4.0 and later), DEL removing both veth ends and the reservations.
   */
  private void addCheckDel(String version, String[] subnets, String[] gateways) throws Exception {
    TestNetns c = env.container();
    String conf = env.conf(version, "{\"isDefaultGateway\":true,\"ipam\":" + ipam(subnets) + "}");
    CmdArgs a = BridgeEnv.args("dummy-0", c.path(), "eth0", conf);
    JsonNode r = env.add(a);

    assertEquals(version, r.path("cniVersion").asText());
    JsonNode ifs = r.path("interfaces");
    assertEquals(3, ifs.size(), r.toString());
    assertEquals(env.bridge, ifs.get(0).path("name").asText());
    assertEquals(17, ifs.get(0).path("mac").asText().length());
    String hostVeth = ifs.get(1).path("name").asText();
    assertTrue(hostVeth.matches("veth[0-9a-f]{8}"), hostVeth);
    assertEquals("eth0", ifs.get(2).path("name").asText());
    assertEquals(c.path(), ifs.get(2).path("sandbox").asText());

    JsonNode br = KernelState.link(env.hostNs, env.bridge).orElseThrow();
    assertEquals("bridge", br.path("linkinfo").path("info_kind").asText());
    assertEquals(ifs.get(0).path("mac").asText(), br.path("address").asText());
    assertEquals(0, br.path("linkinfo").path("info_data").path("vlan_filtering").asInt());
    assertEquals(0, br.path("promiscuity").asInt());
    JsonNode hv = KernelState.link(env.hostNs, hostVeth).orElseThrow();
    assertEquals(env.bridge, hv.path("master").asText());
    assertEquals("UP", hv.path("operstate").asText());
    assertEquals(ifs.get(1).path("mac").asText(), hv.path("address").asText());
    assertNotEquals(br.path("address").asText(), hv.path("address").asText());
    assertEquals(List.of("lo", env.bridge, hostVeth), BridgeEnv.linkNames(env.hostNs));

    List<String> brAddrs = KernelState.cidrs(env.hostNs, env.bridge, true);
    for (String gw : gateways) {
      assertTrue(brAddrs.contains(gw), brAddrs + " lacks " + gw);
    }
    JsonNode eth0 = KernelState.link(c, "eth0").orElseThrow();
    assertEquals("veth", eth0.path("linkinfo").path("info_kind").asText());
    assertTrue(eth0.path("flags").toString().contains("\"UP\""), eth0.toString());
    assertEquals(ifs.get(2).path("mac").asText(), eth0.path("address").asText());

    List<String> contAddrs = KernelState.cidrs(c, "eth0", true);
    JsonNode ips = r.path("ips");
    assertEquals(subnets.length, ips.size());
    assertEquals(subnets.length, contAddrs.size());
    for (JsonNode ip : ips) {
      if (version.startsWith("1.")) {
        assertEquals(2, ip.path("interface").asInt());
      }
      assertTrue(contAddrs.contains(ip.path("address").asText()), contAddrs + " lacks " + ip);
    }
    for (int fam : new int[] {4, 6}) {
      String gw = null;
      for (String g : gateways) {
        if ((g.indexOf(':') < 0) == (fam == 4)) {
          gw = g.substring(0, g.indexOf('/'));
          break;
        }
      }
      List<JsonNode> defaults = new ArrayList<>();
      for (JsonNode rt : KernelState.routes(c, fam)) {
        if (rt.path("dst").asText().equals("default")) {
          defaults.add(rt);
        }
      }
      if (gw == null) {
        assertEquals(0, defaults.size());
      } else {
        assertEquals(1, defaults.size(), defaults.toString());
        assertEquals(gw, defaults.get(0).path("gateway").asText());
      }
    }
    assertEquals(subnets.length, env.reserved().size());

    CmdArgs withPrev = BridgeEnv.args("dummy-0", c.path(), "eth0", BridgeEnv.withPrev(conf, r));
    if (version.compareTo("0.4.0") >= 0) {
      env.check(withPrev);
    }
    env.del(withPrev);
    assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
    assertEquals(List.of("lo", env.bridge), BridgeEnv.linkNames(env.hostNs));
    assertEquals(List.of(), env.reserved());
    // DEL is idempotent
    env.del(withPrev);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"})
  void ipv4(String version) throws Exception {
    addCheckDel(version, new String[] {"10.201.2.0/24"}, new String[] {"10.201.2.1/24"});
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.3.1", "0.4.0", "1.0.0", "1.1.0"})
  void ipv6(String version) throws Exception {
    addCheckDel(version, new String[] {"2001:db8:1::/64"}, new String[] {"2001:db8:1::1/64"});
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.3.1", "0.4.0", "1.0.0", "1.1.0"})
  void dualStack(String version) throws Exception {
    addCheckDel(
        version,
        new String[] {"10.202.0.0/24", "2001:db8:2::/64"},
        new String[] {"10.202.0.1/24", "2001:db8:2::1/64"});
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.4.0", "1.0.0"})
  void threeSubnets(String version) throws Exception {
    addCheckDel(
        version,
        new String[] {"10.203.0.0/24", "2001:db8:3::/64", "2001:db8:4::/64"},
        new String[] {"10.203.0.1/24", "2001:db8:3::1/64", "2001:db8:4::1/64"});
  }

  @Test
  void version020GivesTheOldShape() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("0.2.0", "{\"isDefaultGateway\":true,\"ipam\":" + ipam("10.204.0.0/24") + "}");
    JsonNode r = env.add(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
    assertEquals("10.204.0.2/24", r.path("ip4").path("ip").asText(), r.toString());
    assertEquals("10.204.0.1", r.path("ip4").path("gateway").asText());
    env.del(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
  }

  @Test
  void version020WithTwoAddressesOfOneFamilyFailsAndLeavesNothing() throws Exception {
    TestNetns c = env.container();
    String conf =
        env.conf("0.2.0", "{\"ipam\":" + ipam("10.205.0.0/24", "2001:db8:5::/64", "2001:db8:6::/64") + "}");
    assertThrows(CniException.class, () -> env.add(BridgeEnv.args("dummy-0", c.path(), "eth0", conf)));
    assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
    assertEquals(List.of("lo", env.bridge), BridgeEnv.linkNames(env.hostNs));
    assertEquals(List.of(), env.reserved());
  }

  @Test
  void resolvConfDnsIsReturned() throws Exception {
    java.nio.file.Path rc = env.dataDir.resolve("resolv.conf");
    java.nio.file.Files.writeString(rc, "nameserver 192.0.2.0\nsearch example.org\n");
    TestNetns c = env.container();
    String conf = env.conf("1.0.0",
        "{\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.206.0.0/24\",\"resolvConf\":\"" + rc + "\"}}");
    JsonNode r = env.add(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
    assertEquals("192.0.2.0", r.path("dns").path("nameservers").get(0).asText(), r.toString());
    // a dns object in the configuration replaces the IPAM one
    TestNetns c2 = env.container();
    String conf2 = env.conf("1.0.0", "{\"dns\":{\"nameservers\":[\"198.51.100.53\"]},"
        + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.206.0.0/24\",\"resolvConf\":\"" + rc + "\"}}");
    JsonNode r2 = env.add(BridgeEnv.args("dummy-1", c2.path(), "eth0", conf2));
    assertEquals("[\"198.51.100.53\"]", r2.path("dns").path("nameservers").toString());
  }

  @Test
  void deleteOfAnUnconfiguredContainerSucceeds() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"ipMasq\":true,\"ipam\":" + ipam("10.207.0.0/24") + "}");
    env.del(BridgeEnv.args("dummy-0", c.path(), "eth0", conf));
    env.del(BridgeEnv.args("dummy-0", "", "eth0", conf));
    env.del(BridgeEnv.args("dummy-0", "/var/run/netns/jt-no-such-ns", "eth0", conf));
  }

  @Test
  void stableBridgeMacAcrossAttachments() throws Exception {
    String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipam\":" + ipam("10.208.0.0/24") + "}");
    TestNetns c1 = env.container();
    JsonNode r1 = env.add(BridgeEnv.args("c1", c1.path(), "eth0", conf));
    TestNetns c2 = env.container();
    JsonNode r2 = env.add(BridgeEnv.args("c2", c2.path(), "eth0", conf));
    String mac = r1.path("interfaces").get(0).path("mac").asText();
    assertEquals(mac, r2.path("interfaces").get(0).path("mac").asText());
    env.del(BridgeEnv.args("c1", c1.path(), "eth0", conf));
    assertEquals(mac, KernelState.link(env.hostNs, env.bridge).orElseThrow().path("address").asText());
  }

  @Test
  void concurrentAttachmentsOnOneBridge() throws Exception {
    int n = 8;
    String conf = env.conf("1.0.0", "{\"isDefaultGateway\":true,\"ipMasq\":true,\"ipam\":" + ipam("10.209.0.0/24") + "}");
    List<TestNetns> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(env.container());
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      List<java.util.concurrent.Future<JsonNode>> adds = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        CmdArgs a = BridgeEnv.args("par-" + i, cs.get(i).path(), "eth0", conf);
        adds.add(pool.submit(() -> env.add(a)));
      }
      java.util.Set<String> ips = new java.util.HashSet<>();
      for (int i = 0; i < n; i++) {
        String ip = adds.get(i).get().path("ips").get(0).path("address").asText();
        ips.add(ip);
        assertEquals(List.of(ip), KernelState.cidrs(cs.get(i), "eth0", true));
      }
      assertEquals(n, ips.size());
      assertEquals(n + 2, BridgeEnv.linkNames(env.hostNs).size());
      assertEquals(List.of("10.209.0.1/24"), KernelState.cidrs(env.hostNs, env.bridge, true));

      List<java.util.concurrent.Future<Object>> dels = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        CmdArgs a = BridgeEnv.args("par-" + i, cs.get(i).path(), "eth0", conf);
        dels.add(pool.submit(() -> {
          env.del(a);
          return null;
        }));
      }
      for (java.util.concurrent.Future<Object> f : dels) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of("lo", env.bridge), BridgeEnv.linkNames(env.hostNs));
    assertEquals(List.of(), env.reserved());
    assertEquals(-1, KernelState.iptablesNat(env.hostNs, false).indexOf("CNI-"));
  }
}
