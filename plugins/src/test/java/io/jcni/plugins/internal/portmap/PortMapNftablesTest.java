package io.jcni.plugins.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.LaunchGuard;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The in-process portmap's nftables backend in throw-away host namespaces. The oracle for the ruleset is current
 * upstream's own expectation: the {@code nft} text listed in containernetworking/plugins'
 * {@code plugins/meta/portmap/portmap_nftables_test.go} at commit 3d27709f (2026-04-13), loaded by nft into
 * another namespace and compared as {@code nft -j list ruleset} (handles aside). Also DEL of one container among
 * two, DEL twice and without a namespace, CHECK, a real connection, and the conntrack flush of UDP mappings (with
 * either backend, both address families).
 */
@RequiresCapabilities
@RequiresExecutable("/usr/sbin/nft")
class PortMapNftablesTest {
  @RegisterExtension final TestNetnsPool pool = new TestNetnsPool();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID = "icee6giejonei6so";

  /** Upstream's test mappings, verbatim. */
  private static final String UPSTREAM_MAPPINGS = """
      { "hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
      { "hostPort": 8081, "containerPort": 80, "protocol": "tcp"},
      { "hostPort": 8080, "containerPort": 81, "protocol": "udp"},
      { "hostPort": 8082, "containerPort": 82, "protocol": "udp"},
      { "hostPort": 8083, "containerPort": 83, "protocol": "tcp", "hostIP": "192.168.0.2"},
      { "hostPort": 8084, "containerPort": 84, "protocol": "tcp", "hostIP": "0.0.0.0"},
      { "hostPort": 8085, "containerPort": 85, "protocol": "tcp", "hostIP": "2001:db8:a::1"},
      { "hostPort": 8086, "containerPort": 86, "protocol": "tcp", "hostIP": "::"}""";

  /**
   * Upstream's expected IPv4 ruleset after ADD with snat, verbatim except the conditions: upstream's fake nft takes
   * the placeholders {@code a b}, real nft needs a real match.
   */
  private static final String UPSTREAM_V4 = """
      add table ip cni_hostport { comment "CNI portmap plugin" ; }
      add chain ip cni_hostport hostip_hostports
      add chain ip cni_hostport hostports
      add chain ip cni_hostport hostports_all
      add chain ip cni_hostport masquerading { type nat hook postrouting priority 100 ; }
      add chain ip cni_hostport output { type nat hook output priority -100 ; }
      add chain ip cni_hostport prerouting { type nat hook prerouting priority -100 ; }
      add rule ip cni_hostport hostports tcp dport 8080 dnat to 10.0.0.2:80 comment "icee6giejonei6so"
      add rule ip cni_hostport hostports tcp dport 8081 dnat to 10.0.0.2:80 comment "icee6giejonei6so"
      add rule ip cni_hostport hostports udp dport 8080 dnat to 10.0.0.2:81 comment "icee6giejonei6so"
      add rule ip cni_hostport hostports udp dport 8082 dnat to 10.0.0.2:82 comment "icee6giejonei6so"
      add rule ip cni_hostport hostports ip daddr 192.168.0.2 tcp dport 8083 dnat to 10.0.0.2:83 comment "icee6giejonei6so"
      add rule ip cni_hostport hostports tcp dport 8084 dnat to 10.0.0.2:84 comment "icee6giejonei6so"
      add rule ip cni_hostport hostports_all jump hostip_hostports
      add rule ip cni_hostport hostports_all jump hostports
      add rule ip cni_hostport masquerading ip saddr 10.0.0.2 ip daddr 10.0.0.2 masquerade comment "icee6giejonei6so"
      add rule ip cni_hostport masquerading ip saddr 127.0.0.1 ip daddr 10.0.0.2 masquerade comment "icee6giejonei6so"
      add rule ip cni_hostport output a b fib daddr type local jump hostports_all
      add rule ip cni_hostport prerouting a b fib daddr type local jump hostports_all
      """.replace(" a b ", " ip saddr != 10.203.0.0/16 ");

  /** Upstream's expected IPv6 ruleset after ADD without snat, conditions replaced likewise. */
  private static final String UPSTREAM_V6 = """
      add table ip6 cni_hostport { comment "CNI portmap plugin" ; }
      add chain ip6 cni_hostport hostip_hostports
      add chain ip6 cni_hostport hostports
      add chain ip6 cni_hostport hostports_all
      add chain ip6 cni_hostport output { type nat hook output priority -100 ; }
      add chain ip6 cni_hostport prerouting { type nat hook prerouting priority -100 ; }
      add rule ip6 cni_hostport hostports tcp dport 8080 dnat to [2001:db8::2]:80 comment "icee6giejonei6so"
      add rule ip6 cni_hostport hostports tcp dport 8081 dnat to [2001:db8::2]:80 comment "icee6giejonei6so"
      add rule ip6 cni_hostport hostports udp dport 8080 dnat to [2001:db8::2]:81 comment "icee6giejonei6so"
      add rule ip6 cni_hostport hostports udp dport 8082 dnat to [2001:db8::2]:82 comment "icee6giejonei6so"
      add rule ip6 cni_hostport hostports ip6 daddr 2001:db8:a::1 tcp dport 8085 dnat to [2001:db8::2]:85 comment "icee6giejonei6so"
      add rule ip6 cni_hostport hostports tcp dport 8086 dnat to [2001:db8::2]:86 comment "icee6giejonei6so"
      add rule ip6 cni_hostport hostports_all jump hostip_hostports
      add rule ip6 cni_hostport hostports_all jump hostports
      add rule ip6 cni_hostport output c d fib daddr type local jump hostports_all
      add rule ip6 cni_hostport prerouting c d fib daddr type local jump hostports_all
      """.replace(" c d ", " ip6 saddr != fd20:203::/48 ");

  /** Upstream's expected rulesets after DEL: the shared chains and their rules stay. */
  private static String afterDel(String ruleset) {
    return ruleset.lines().filter(l -> !l.contains("comment \"" + ID + "\"")).collect(Collectors.joining("\n"))
        + "\n";
  }

  private static final String NFT = ",\"backend\":\"nftables\"";

  private static PortMapConf upstreamConf(boolean snat) throws CniException {
    String conf = "{\"name\":\"test\",\"type\":\"portmap\",\"cniVersion\":\"1.0.0\",\"backend\":\"nftables\","
        + "\"runtimeConfig\":{\"portMappings\":[" + UPSTREAM_MAPPINGS + "]},\"snat\":" + snat + ","
        + "\"conditionsV4\":[\"ip\",\"saddr\",\"!=\",\"10.203.0.0/16\"],"
        + "\"conditionsV6\":[\"ip6\",\"saddr\",\"!=\",\"fd20:203::/48\"]}";
    return PortMapConf.parse(conf.getBytes(StandardCharsets.UTF_8), "eth0");
  }

  /** {@code nft -j list ruleset} of {@code ns} without what differs between equal rulesets (handles, metainfo). */
  private static JsonNode ruleset(TestNetns ns) throws Exception {
    JsonNode root = JSON.readTree(ns.exec("nft", "-j", "list", "ruleset"));
    for (JsonNode item : root.path("nftables")) {
      item.fields().forEachRemaining(f -> {
        if (f.getValue() instanceof ObjectNode o) {
          o.remove("handle");
        }
      });
    }
    List<JsonNode> items = new ArrayList<>();
    root.path("nftables").forEach(items::add);
    items.remove(0); // metainfo
    // nft lists chains in creation order, upstream's text sorts them by name: order by family, kind and chain,
    // keeping the order of rules within a chain (a stable sort)
    items.sort(Comparator.comparing(PortMapNftablesTest::sortKey));
    return JSON.valueToTree(items);
  }

  private static String sortKey(JsonNode item) {
    String kind = item.fieldNames().next();
    JsonNode o = item.get(kind);
    int rank = List.of("table", "chain", "rule").indexOf(kind);
    return o.path("family").asText() + "/" + o.path("table").asText() + "/" + rank + "/"
        + (kind.equals("rule") ? o.path("chain").asText() : o.path("name").asText());
  }

  private static void load(TestNetns ns, String script) throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), "nft", "-f", "-").redirectErrorStream(true)
        .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(script.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  private static NftablesPortMapper mapper(PortMapEnv e) {
    return new NftablesPortMapper(FirewallExec.in(e.hostNs), Deadline.none());
  }

  @Test
  void addAndDelGiveUpstreamsRulesets() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      TestNetns oracle = pool.create("pmo");
      NftablesPortMapper m = mapper(e);
      m.forward(upstreamConf(true), ID, List.of(IpNet.parse("10.0.0.2/24")));
      m.forward(upstreamConf(false), ID, List.of(IpNet.parse("2001:db8::2/64")));
      load(oracle, UPSTREAM_V4 + UPSTREAM_V6);
      assertEquals(ruleset(oracle), ruleset(e.host));
      // nft 1.0.6's JSON leaves out table comments
      for (String family : List.of("ip", "ip6")) {
        assertEquals(oracle.exec("nft", "list", "table", family, "cni_hostport").lines().limit(2).toList(),
            e.host.exec("nft", "list", "table", family, "cni_hostport").lines().limit(2).toList());
      }

      m.unforward(upstreamConf(false), ID);
      oracle.exec("nft", "flush", "ruleset");
      load(oracle, afterDel(UPSTREAM_V4) + afterDel(UPSTREAM_V6));
      assertEquals(ruleset(oracle), ruleset(e.host));
    }
  }

  /** A dual-stack DEL reads the tables over netlink and deletes both families' rules in one transaction. */
  @Test
  void delLaunchesNothingAndIsOneTransaction() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      TestNetns oracle = pool.create("pmo");
      LaunchGuard guard = new LaunchGuard(e.hostNs);
      NftablesPortMapper m = new NftablesPortMapper(guard, Deadline.none());
      m.forward(upstreamConf(true), ID, List.of(IpNet.parse("10.0.0.2/24")));
      m.forward(upstreamConf(false), ID, List.of(IpNet.parse("2001:db8::2/64")));
      guard.forbid();
      m.unforward(upstreamConf(false), ID);
      assertEquals(List.of(), guard.forbidden());
      assertEquals(1, guard.commits());
      load(oracle, afterDel(UPSTREAM_V4) + afterDel(UPSTREAM_V6));
      assertEquals(ruleset(oracle), ruleset(e.host));
    }
  }

  /** Upstream's rulesets without the conditions: the entry rules are then just the fib match and the jump. */
  private static String withoutConditions(String ruleset) {
    return ruleset.replace(" ip saddr != 10.203.0.0/16 ", " ").replace(" ip6 saddr != fd20:203::/48 ", " ");
  }

  private static PortMapConf upstreamConfWithoutConditions(boolean snat) throws CniException {
    String conf = "{\"name\":\"test\",\"type\":\"portmap\",\"cniVersion\":\"1.0.0\",\"backend\":\"nftables\","
        + "\"runtimeConfig\":{\"portMappings\":[" + UPSTREAM_MAPPINGS + "]},\"snat\":" + snat + "}";
    return PortMapConf.parse(conf.getBytes(StandardCharsets.UTF_8), "eth0");
  }

  /** Without conditions an ADD is one transaction from this process, and gives upstream's rulesets all the same. */
  @Test
  void addWithoutConditionsLaunchesNothingAndGivesUpstreamsRulesets() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      TestNetns oracle = pool.create("pmo");
      LaunchGuard guard = new LaunchGuard(e.hostNs).forbid();
      NftablesPortMapper m = new NftablesPortMapper(guard, Deadline.none());
      m.forward(upstreamConfWithoutConditions(true), ID, List.of(IpNet.parse("10.0.0.2/24")));
      m.forward(upstreamConfWithoutConditions(false), ID, List.of(IpNet.parse("2001:db8::2/64")));
      assertEquals(List.of(), guard.forbidden());
      assertEquals(2, guard.commits());
      load(oracle, withoutConditions(UPSTREAM_V4 + UPSTREAM_V6));
      assertEquals(ruleset(oracle), ruleset(e.host));
      for (String family : List.of("ip", "ip6")) {
        assertEquals(oracle.exec("nft", "list", "table", family, "cni_hostport").lines().limit(2).toList(),
            e.host.exec("nft", "list", "table", family, "cni_hostport").lines().limit(2).toList());
      }
    }
  }

  /**
   * A dual-stack ADD, CHECK of both addresses and DEL without conditions launch nothing; the ADD is one
   * transaction, and the rulesets are those nft makes of the same text.
   */
  @Test
  void dualStackAddCheckDelLaunchNothing() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      TestNetns oracle = pool.create("pmo");
      LaunchGuard guard = new LaunchGuard(e.hostNs).forbid();
      NftablesPortMapper m = new NftablesPortMapper(guard, Deadline.none());
      PortMapConf conf = upstreamConfWithoutConditions(true);
      List<IpNet> containers = List.of(IpNet.parse("10.0.0.2/24"), IpNet.parse("2001:db8::2/64"));
      m.forward(conf, ID, containers);
      assertEquals(1, guard.commits());
      for (IpNet c : containers) {
        m.check(conf, ID, c);
      }
      String script = HostPortTable.forwardScript(conf, ID, containers.get(0))
          + HostPortTable.forwardScript(conf, ID, containers.get(1));
      load(oracle, script);
      assertEquals(ruleset(oracle), ruleset(e.host));

      m.unforward(conf, ID);
      assertEquals(2, guard.commits());
      assertEquals(List.of(), guard.forbidden());
      oracle.exec("nft", "flush", "ruleset");
      load(oracle, afterDel(script));
      assertEquals(ruleset(oracle), ruleset(e.host));
    }
  }

  /**
   * The conditions of a family are nft text: an ADD for that family goes to {@code nft -f -}; one for the other
   * family does not.
   */
  @Test
  void conditionsGoToNft() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      LaunchGuard guard = new LaunchGuard(e.hostNs);
      NftablesPortMapper m = new NftablesPortMapper(guard, Deadline.none());
      PortMapConf conf = PortMapConf.parse(("{\"name\":\"test\",\"type\":\"portmap\",\"cniVersion\":\"1.0.0\","
          + "\"backend\":\"nftables\",\"runtimeConfig\":{\"portMappings\":[" + UPSTREAM_MAPPINGS + "]},"
          + "\"conditionsV4\":[\"ip\",\"saddr\",\"!=\",\"10.203.0.0/16\"]}").getBytes(StandardCharsets.UTF_8), "eth0");
      m.forward(conf, ID, List.of(IpNet.parse("2001:db8::2/64")));
      assertEquals(List.of(), guard.launched());
      assertEquals(1, guard.commits());
      m.forward(conf, ID, List.of(IpNet.parse("10.0.0.2/24")));
      assertEquals(List.of("nft -f -"), guard.launched());
      assertEquals(1, guard.commits());
      String text = e.host.exec("nft", "list", "table", "ip", "cni_hostport");
      assertTrue(text.contains("ip saddr != 10.203.0.0/16 fib daddr type local jump hostports_all"), text);
    }
  }

  /** A transaction the kernel refuses goes to nft, whose error is the answer. */
  @Test
  void aRefusedTransactionGoesToNft() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      e.host.exec("nft", "add table ip cni_hostport; add chain ip cni_hostport prerouting { type filter hook "
          + "prerouting priority 0 ; }");
      String before = e.host.exec("nft", "list", "ruleset");
      LaunchGuard guard = new LaunchGuard(e.hostNs);
      NftablesPortMapper m = new NftablesPortMapper(guard, Deadline.none());
      CniException err = assertThrows(CniException.class,
          () -> m.forward(upstreamConfWithoutConditions(true), ID, List.of(IpNet.parse("10.0.0.2/24"))));
      assertEquals(List.of("nft -f -"), guard.launched());
      assertEquals(0, guard.commits());
      assertTrue(err.getMessage().startsWith("unable to set up nftables rules for port mappings: /dev/stdin:"),
          err.getMessage());
      assertTrue(err.getMessage().contains("Operation not supported"), err.getMessage());
      assertEquals(before, e.host.exec("nft", "list", "ruleset"));
    }
  }

  @Test
  void delRemovesOnlyThatContainersRulesTwiceAndWithoutNetns() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool); PortMapEnv only2 = new PortMapEnv(pool)) {
      String c1 = e.conf(NFT, "{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}");
      String c2 = e.conf(NFT, "{\"hostPort\":9090,\"containerPort\":90,\"protocol\":\"udp\"}");
      e.plugin.add(e.args("c1", c1), PortMapEnv.CTX);
      e.plugin.add(e.args("c2", c2), PortMapEnv.CTX);
      only2.plugin.add(only2.args("c2", only2.conf(NFT, "{\"hostPort\":9090,\"containerPort\":90,\"protocol\":"
          + "\"udp\"}")), PortMapEnv.CTX);
      assertTrue(e.host.exec("nft", "list", "ruleset").contains("comment \"c1\""));

      e.plugin.del(e.args("c1", c1), PortMapEnv.CTX);
      String after = e.host.exec("nft", "list", "ruleset");
      assertFalse(after.contains("comment \"c1\""), after);
      assertTrue(after.contains("udp dport 9090 dnat to 10.201.0.5:90 comment \"c2\""), after);
      assertEquals(ruleset(only2.host), ruleset(e.host), "as if c1 had never been added");

      e.plugin.del(e.args("c1", c1), PortMapEnv.CTX);
      e.plugin.del(new CmdArgs("c1", "", "eth0", "", List.of(), c1.getBytes(StandardCharsets.UTF_8)),
          PortMapEnv.CTX);
      assertEquals(ruleset(only2.host), ruleset(e.host));

      // DEL in a namespace that never had the table
      only2.host.exec("nft", "flush", "ruleset");
      only2.plugin.del(only2.args("c2", c2), PortMapEnv.CTX);
    }
  }

  @Test
  void checkCountsTheContainersRules() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      String conf = e.conf(NFT, "{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
          + "{\"hostPort\":8081,\"containerPort\":81,\"protocol\":\"udp\"}");
      CniException missing = assertThrows(CniException.class, () -> e.plugin.check(e.args("c1", conf),
          PortMapEnv.CTX));
      assertTrue(missing.getMessage().startsWith("failed to run nft: Error: No such file or directory"),
          missing.getMessage());

      // another container's rules are not c1's
      e.plugin.add(e.args("c2", conf), PortMapEnv.CTX);
      missing = assertThrows(CniException.class, () -> e.plugin.check(e.args("c1", conf), PortMapEnv.CTX));
      assertEquals("missing hostport rules in \"hostports\" chain", missing.getMessage());

      e.plugin.add(e.args("c1", conf), PortMapEnv.CTX);
      e.plugin.check(e.args("c1", conf), PortMapEnv.CTX);

      // remove one of c1's DNAT rules
      JsonNode rules = JSON.readTree(e.host.exec("nft", "-j", "list", "chain", "ip", "cni_hostport", "hostports"));
      long handle = -1;
      for (JsonNode item : rules.path("nftables")) {
        if (item.has("rule")) {
          handle = item.get("rule").get("handle").asLong();
        }
      }
      e.host.exec("nft", "delete", "rule", "ip", "cni_hostport", "hostports", "handle", Long.toString(handle));
      CniException err = assertThrows(CniException.class, () -> e.plugin.check(e.args("c1", conf), PortMapEnv.CTX));
      assertEquals("missing hostport rules in \"hostports\" chain", err.getMessage());

      e.plugin.del(e.args("c1", conf), PortMapEnv.CTX);
      e.plugin.add(e.args("c1", PortMapEnv.v4Only(conf).replace("\"backend\":\"nftables\"",
          "\"backend\":\"nftables\",\"snat\":false")), PortMapEnv.CTX);
      err = assertThrows(CniException.class, () -> e.plugin.check(e.args("c1", PortMapEnv.v4Only(conf)),
          PortMapEnv.CTX));
      assertEquals("missing hostport rules in \"masquerading\" chain", err.getMessage());
    }
  }

  @Test
  void aRefusedAddGivesNftsErrorAndChangesNothing() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      String conf = e.conf(NFT + ",\"conditionsV4\":[\"bogus\"]",
          "{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}");
      CniException err = assertThrows(CniException.class, () -> e.plugin.add(e.args("c1", conf), PortMapEnv.CTX));
      // nft's own text, as knftables passes it on
      assertTrue(err.getMessage().startsWith("unable to set up nftables rules for port mappings: /dev/stdin:10:"),
          err.getMessage());
      assertTrue(err.getMessage().contains("Error: syntax error, unexpected fib"), err.getMessage());
      assertEquals("", e.host.exec("nft", "list", "ruleset"));
    }
  }

  @Test
  void aTcpConnectionToTheHostPortReachesTheContainer() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      TestNetns client = e.client();
      e.plugin.add(e.args("c1", e.conf(NFT, "{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}")),
          PortMapEnv.CTX);
      assertEquals("hello from 10.202.0.2", e.helloThroughHostPort(client, 8080, 80));
    }
  }

  /** The host's conntrack entries for UDP from the client to {@code port} (from /proc/net/nf_conntrack). */
  private static List<String> udpEntries(PortMapEnv e, int port) throws Exception {
    return e.host.exec("cat", "/proc/net/nf_conntrack").lines()
        .filter(l -> l.contains(" udp ") && (l.contains("src=10.202.0.2 dst=10.202.0.1 ")
            || l.contains("src=fd20:0202:0000:0000:0000:0000:0000:0002 "))
            && l.contains(" dport=" + port + " "))
        .toList();
  }

  @Test
  void addFlushesConntrackEntriesOfItsUdpHostPorts() throws Exception {
    addFlushesConntrackEntries(NFT);
  }

  @Test
  void iptablesAddFlushesConntrackEntriesToo() throws Exception {
    addFlushesConntrackEntries(",\"backend\":\"iptables\"");
  }

  private void addFlushesConntrackEntries(String backend) throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      TestNetns client = e.client();
      // another container's rules make the host namespace track connections
      e.plugin.add(e.args("c0", e.conf(backend, "{\"hostPort\":7070,\"containerPort\":70,\"protocol\":\"tcp\"}")),
          PortMapEnv.CTX);
      try (NetNs clns = NetNs.open(Path.of(client.path()))) {
        clns.runIn(() -> {
          try (DatagramSocket s = new DatagramSocket()) {
            for (int port : new int[] {8081, 9999}) {
              for (String host : List.of("10.202.0.1", "fd20:202::1")) {
                s.send(new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(host, port)));
              }
            }
          }
          return null;
        });
      }
      assertEquals(2, udpEntries(e, 8081).size(), "an entry of each family to flush");
      assertEquals(2, udpEntries(e, 9999).size(), "an entry of each family to keep");

      e.plugin.add(e.args("c1", e.conf(backend, "{\"hostPort\":8081,\"containerPort\":81,\"protocol\":\"udp\"}")),
          PortMapEnv.CTX);
      assertEquals(List.of(), udpEntries(e, 8081));
      assertEquals(2, udpEntries(e, 9999).size());
    }
  }
}
