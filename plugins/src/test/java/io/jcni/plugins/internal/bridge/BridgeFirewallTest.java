package io.jcni.plugins.internal.bridge;

import static io.jcni.plugins.internal.bridge.BridgeAddDelTest.ipam;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** ipMasq (both backends) and macspoofchk as iptables-save and nft show them; DEL removes them, also without netns. */
@RequiresCapabilities
class BridgeFirewallTest extends BridgeEnvCase {
  private static final Pattern JUMP =
      Pattern.compile("-A POSTROUTING -s (\\S+) -m comment --comment \"name: \\\\\"(\\S+)\\\\\" id: \\\\\"(\\S+)\\\\\"\" -j (CNI-[0-9a-f]{24})");

  /** The POSTROUTING jumps to CNI- chains in the host's nat table: source, network, id, chain. */
  private List<String[]> masqJumps() throws Exception {
    List<String[]> out = new ArrayList<>();
    Matcher m = JUMP.matcher(KernelState.iptablesNat(env.hostNs, false));
    while (m.find()) {
      out.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
    }
    return out;
  }

  @Test
  void ipMasqWithIptablesByDefault() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipMasq\":true,\"ipam\":" + ipam("10.215.0.0/24") + "}");
    CmdArgs a = BridgeEnv.args("dummy-0", c.path(), "eth0", conf);
    JsonNode r = env.add(a);
    String ip = r.path("ips").get(0).path("address").asText();

    List<String[]> jumps = masqJumps();
    assertEquals(1, jumps.size());
    assertEquals(ip.substring(0, ip.indexOf('/')) + "/32", jumps.get(0)[0]);
    assertEquals(env.network, jumps.get(0)[1]);
    assertEquals("dummy-0", jumps.get(0)[2]);
    String chain = jumps.get(0)[3];
    String nat = KernelState.iptablesNat(env.hostNs, false);
    assertTrue(nat.contains("-A " + chain + " -d 10.215.0.0/24 -m comment"), nat);
    assertTrue(nat.contains("-A " + chain + " ! -d 224.0.0.0/4 -m comment"), nat);
    assertTrue(nat.contains("-j MASQUERADE"), nat);

    env.del(BridgeEnv.args("dummy-0", c.path(), "eth0", BridgeEnv.withPrev(conf, r)));
    assertFalse(KernelState.iptablesNat(env.hostNs, false).contains("CNI-"));
  }

  @Test
  void ipMasqWithNftables() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0",
        "{\"isGateway\":true,\"ipMasq\":true,\"ipMasqBackend\":\"nftables\",\"ipam\":" + ipam("10.216.0.0/24") + "}");
    CmdArgs a = BridgeEnv.args("dummy-0", c.path(), "eth0", conf);
    JsonNode r = env.add(a);
    List<JsonNode> rules = nftRules("inet", "cni_plugins_masquerade", "masq_checks");
    assertEquals(1, rules.size(), rules.toString());
    assertTrue(rules.get(0).path("comment").asText().endsWith(", net: " + env.network + ", if: eth0, id: dummy-0"),
        rules.get(0).toString());
    assertFalse(KernelState.iptablesNat(env.hostNs, false).contains("CNI-"));

    env.del(BridgeEnv.args("dummy-0", c.path(), "eth0", BridgeEnv.withPrev(conf, r)));
    assertEquals(0, nftRules("inet", "cni_plugins_masquerade", "masq_checks").size());
  }

  @Test
  void macSpoofCheckRulesAndTheirRemoval() throws Exception {
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"macspoofchk\":true,\"ipam\":" + ipam("10.217.0.0/24") + "}");
    CmdArgs a = BridgeEnv.args("dummy-0", c.path(), "eth0", conf);
    JsonNode r = env.add(a);
    List<JsonNode> pre = nftRules("bridge", "nat", "PREROUTING");
    assertEquals(1, pre.size());
    assertEquals("macspoofchk-dummy-0-eth0", pre.get(0).path("comment").asText());
    assertTrue(pre.get(0).toString().contains(r.path("interfaces").get(1).path("name").asText()));
    assertEquals(1, nftRules("bridge", "nat", "cni-br-iface-dummy-0-eth0").size());
    List<JsonNode> mac = nftRules("bridge", "nat", "cni-br-iface-dummy-0-eth0-mac");
    assertEquals(2, mac.size());
    assertTrue(mac.get(0).toString().contains(r.path("interfaces").get(2).path("mac").asText()), mac.toString());

    env.del(a);
    assertEquals(0, nftRules("bridge", "nat", "PREROUTING").size());
    assertEquals(0, nftRules("bridge", "nat", "cni-br-iface-dummy-0-eth0").size());
    assertEquals(0, nftRules("bridge", "nat", "cni-br-iface-dummy-0-eth0-mac").size());
  }

  /** plugins#810: a DEL without CNI_NETNS (the runtime already removed it) still removes the masquerade rules. */
  /** An ADD that fails in the container (a route the kernel refuses) leaves no masquerade rule in either backend. */
  @Test
  void aFailedAddLeavesNoMasqueradeRule() throws Exception {
    for (String backend : new String[] {"iptables", "nftables"}) {
      TestNetns c = env.container();
      String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipMasq\":true,\"ipMasqBackend\":\"" + backend
          + "\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.214.0.0/24\","
          + "\"routes\":[{\"dst\":\"198.51.100.0/24\",\"gw\":\"203.0.113.1\"}]}}");
      CniException e = assertThrows(CniException.class,
          () -> env.add(BridgeEnv.args("refused-" + backend, c.path(), "eth0", conf)), backend);
      assertTrue(e.getMessage().startsWith("failed to add route '198.51.100.0/24 via 203.0.113.1"), e.getMessage());
      assertFalse(KernelState.iptablesNat(env.hostNs, false).contains("CNI-"), backend);
      assertEquals(0, nftRules("inet", "cni_plugins_masquerade", "masq_checks").size(), backend);
      assertEquals(List.of(), env.reserved(), backend);
      assertEquals(List.of("lo", env.bridge), env.settledHostLinks(List.of("lo", env.bridge)), backend);
      c.close();
    }
  }

  @Test
  void delWithoutNetnsRemovesMasqueradeRulesFromPrevResult() throws Exception {
    for (String backend : new String[] {"iptables", "nftables"}) {
      TestNetns c = env.container();
      String cid = "gone-" + backend;
      String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipMasq\":true,\"ipMasqBackend\":\"" + backend
          + "\",\"ipam\":" + ipam("10.218.0.0/24") + "}");
      JsonNode r = env.add(BridgeEnv.args(cid, c.path(), "eth0", conf));
      c.close();
      env.del(BridgeEnv.args(cid, "", "eth0", BridgeEnv.withPrev(conf, r)));
      assertFalse(KernelState.iptablesNat(env.hostNs, false).contains("CNI-"), backend);
      assertEquals(0, nftRules("inet", "cni_plugins_masquerade", "masq_checks").size(), backend);
      assertEquals(List.of(), env.reserved());
      assertEquals(List.of("lo", env.bridge), env.settledHostLinks(List.of("lo", env.bridge)));
    }
    // and when the path is still given but the namespace is gone
    TestNetns c = env.container();
    String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipMasq\":true,\"ipam\":" + ipam("10.218.0.0/24") + "}");
    JsonNode r = env.add(BridgeEnv.args("gone-path", c.path(), "eth0", conf));
    String path = c.path();
    c.close();
    env.del(BridgeEnv.args("gone-path", path, "eth0", BridgeEnv.withPrev(conf, r)));
    assertFalse(KernelState.iptablesNat(env.hostNs, false).contains("CNI-"));
    assertEquals(List.of(), env.reserved());
  }

  /** Without netns and without prevResult there are no addresses; the iptables chain and its jump still go. */
  @Test
  void delWithoutNetnsOrPrevResult() throws Exception {
    for (String backend : new String[] {"iptables", "nftables"}) {
      TestNetns c = env.container();
      String conf = env.conf("1.0.0", "{\"isGateway\":true,\"ipMasq\":true,\"ipMasqBackend\":\"" + backend
          + "\",\"ipam\":" + ipam("10.219.0.0/24", "2001:db8:19::/64") + "}");
      env.add(BridgeEnv.args("bare-" + backend, c.path(), "eth0", conf));
      c.close();
      env.del(BridgeEnv.args("bare-" + backend, "", "eth0", conf));
      String nat = KernelState.iptablesNat(env.hostNs, false) + KernelState.iptablesNat(env.hostNs, true);
      assertEquals(-1, nat.indexOf("CNI-"), backend + ": " + nat);
      assertEquals(0, nftRules("inet", "cni_plugins_masquerade", "masq_checks").size(), backend);
      assertEquals(List.of(), env.reserved());
    }
  }

  /** The rules of one nft chain (empty when the table or chain does not exist). */
  private List<JsonNode> nftRules(String family, String table, String chain) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : KernelState.nft(env.hostNs).path("nftables")) {
      JsonNode rule = n.get("rule");
      if (rule != null && family.equals(rule.path("family").asText()) && table.equals(rule.path("table").asText())
          && chain.equals(rule.path("chain").asText())) {
        out.add(rule);
      }
    }
    return out;
  }
}
