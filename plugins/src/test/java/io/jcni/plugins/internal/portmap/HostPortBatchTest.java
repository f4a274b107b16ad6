package io.jcni.plugins.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.jcni.plugins.internal.netfilter.NftSends;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The in-process ADD of the nftables backend against nft itself: the bytes {@code nft -f -} sends for
 * {@link HostPortTable#forwardScript} (strace), and what {@code nft list ruleset} prints after the same ADDs made
 * through jcni in one namespace and through nft in another.
 */
@RequiresCapabilities
@RequiresExecutable("/usr/sbin/nft")
class HostPortBatchTest {
  @RegisterExtension final TestNetnsPool pool = new TestNetnsPool();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MAPPINGS = """
      {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"},
      {"hostPort": 8081, "containerPort": 81, "protocol": "udp"},
      {"hostPort": 9132, "containerPort": 132, "protocol": "sctp"},
      {"hostPort": 8083, "containerPort": 83, "protocol": "tcp", "hostIP": "192.0.2.7"},
      {"hostPort": 8084, "containerPort": 84, "protocol": "udp", "hostIP": "0.0.0.0"},
      {"hostPort": 8085, "containerPort": 85, "protocol": "sctp", "hostIP": "2001:db8:a::1"},
      {"hostPort": 65535, "containerPort": 1, "protocol": "tcp", "hostIP": "::"}""";

  static PortMapConf conf(String members) throws CniException {
    String conf = "{\"name\":\"test\",\"type\":\"portmap\",\"cniVersion\":\"1.0.0\",\"backend\":\"nftables\","
        + "\"runtimeConfig\":{\"portMappings\":[" + MAPPINGS + "]}" + members + "}";
    return PortMapConf.parse(conf.getBytes(StandardCharsets.UTF_8), "eth0");
  }

  private static List<IpNet> containers(String cidrs) throws CniException {
    List<IpNet> out = new ArrayList<>();
    for (String c : cidrs.split(" ")) {
      out.add(IpNet.parse(c));
    }
    return out;
  }

  private static String script(PortMapConf conf, String id, List<IpNet> containers) {
    StringBuilder s = new StringBuilder();
    containers.forEach(c -> s.append(HostPortTable.forwardScript(conf, id, c)));
    return s.toString();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "                                 | 10.0.0.2/24",
      ",\"snat\":false                  | 10.0.0.2/24",
      ",\"masqAll\":true                | 10.0.0.2/24",
      "                                 | 2001:db8::2/64",
      ",\"snat\":false                  | 2001:db8::2/64",
      ",\"masqAll\":true                | 2001:db8::2/64",
      "                                 | 10.0.0.2/24 2001:db8::2/64",
      ",\"masqAll\":true,\"snat\":true  | 10.0.0.2/24 2001:db8::2/64",
      ",\"snat\":false                  | 2001:db8::2/64 10.0.0.2/24"})
  void sendsWhatNftSends(String members, String cidrs) throws Exception {
    PortMapConf conf = conf(members == null ? "" : members);
    List<IpNet> containers = containers(cidrs);
    TestNetns t = pool.create("pmb");
    String script = script(conf, "c-1.a_b", containers);
    NftSends.assertSameAs(t.name(), script, HostPortBatch.forward(conf, "c-1.a_b", containers).orElseThrow());
    // again over the table it made, with another container's rules in it
    NftSends.assertSameAs(t.name(), script(conf, "c2", containers),
        HostPortBatch.forward(conf, "c2", containers).orElseThrow());
  }

  /** What only nft reads, or nft rejects, stays with nft. */
  @Test
  void leavesToNftWhatOnlyNftReads() throws Exception {
    List<IpNet> dual = containers("10.0.0.2/24 2001:db8::2/64");
    assertTrue(HostPortBatch.forward(conf(",\"conditionsV4\":[\"ip\",\"saddr\",\"!=\",\"10.203.0.0/16\"]"), "c1",
        containers("2001:db8::2/64")).isPresent(), "the conditions of the other family");
    assertTrue(HostPortBatch.forward(conf(",\"conditionsV4\":[\"ip\",\"saddr\",\"!=\",\"10.203.0.0/16\"]"), "c1",
        dual).isEmpty());
    assertTrue(HostPortBatch.forward(conf(",\"conditionsV6\":[\"meta\",\"iifname\",\"eth0\"]"), "c1", dual).isEmpty());
    assertTrue(HostPortBatch.forward(conf(""), "c\"1", dual).isEmpty());
    assertTrue(HostPortBatch.forward(conf(""), "c".repeat(129), dual).isEmpty());
    assertTrue(HostPortBatch.forward(conf(""), "c".repeat(128), dual).isPresent());
    for (String mapping : List.of("{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"TCP\"}",
        "{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"dccp\"}",
        "{\"hostPort\":65536,\"containerPort\":80,\"protocol\":\"tcp\"}",
        "{\"hostPort\":80,\"containerPort\":65536,\"protocol\":\"tcp\"}",
        "{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"::ffff:192.0.2.1\"}",
        "{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"host.example\"}")) {
      String json = "{\"name\":\"test\",\"type\":\"portmap\",\"cniVersion\":\"1.0.0\",\"backend\":\"nftables\","
          + "\"runtimeConfig\":{\"portMappings\":[" + mapping + "]}}";
      PortMapConf c = PortMapConf.parse(json.getBytes(StandardCharsets.UTF_8), "eth0");
      assertTrue(HostPortBatch.forward(c, "c1", dual).isEmpty(), mapping);
    }
  }

  /**
   * The same ADDs (two containers, dual stack, snat and masqAll, an ADD again of the first) made through jcni in
   * one namespace, launching nothing, and through {@code nft -f -} in another leave the same ruleset, which CHECK
   * accepts without launching anything either.
   */
  @Test
  void listsLikeWhatNftMakes() throws Exception {
    TestNetns ours = pool.create("pmb");
    TestNetns theirs = pool.create("pmb");
    try (NetNs ns = NetNs.open(Path.of(ours.path())); NetNs nftNs = NetNs.open(Path.of(theirs.path()))) {
      LaunchGuard guard = new LaunchGuard(ns).forbid();
      FirewallExec nftOnly = (argv, stdin) -> FirewallExec.in(nftNs).run(argv, stdin);
      NftablesPortMapper jcni = new NftablesPortMapper(guard, Deadline.none());
      NftablesPortMapper nft = new NftablesPortMapper(nftOnly, Deadline.none());
      List<IpNet> one = containers("10.0.0.2/24 2001:db8::2/64");
      List<IpNet> two = containers("10.0.0.3/24 2001:db8::3/64");
      for (NftablesPortMapper m : List.of(jcni, nft)) {
        m.forward(conf(""), "one", one);
        m.forward(conf(",\"masqAll\":true"), "two", two);
        m.forward(conf(",\"snat\":false"), "one", one.subList(0, 1));
      }
      assertEquals(3, guard.commits());
      for (IpNet c : one) {
        jcni.check(conf(""), "one", c);
      }
      for (IpNet c : two) {
        jcni.check(conf(",\"masqAll\":true"), "two", c);
      }
      assertEquals(List.of(), guard.forbidden());
    }
    assertEquals(jsonRuleset(theirs), jsonRuleset(ours));
    String text = ours.exec("nft", "list", "ruleset");
    assertEquals(theirs.exec("nft", "list", "ruleset"), text);
    assertTrue(text.contains("comment \"" + HostPortTable.TABLE_COMMENT + "\""), text);
    assertTrue(text.contains("ip6 saddr ::/0 ip6 daddr 2001:db8::3 masquerade comment \"two\""), text);
    assertTrue(text.contains("ip daddr 192.0.2.7 tcp dport 8083 dnat to 10.0.0.2:83 comment \"one\""), text);
    assertTrue(text.contains("ip6 daddr 2001:db8:a::1 sctp dport 8085 dnat to [2001:db8::3]:85 comment \"two\""),
        text);
  }

  /** {@code nft -j list ruleset} without the handles and the metainfo. */
  static JsonNode jsonRuleset(TestNetns t) throws Exception {
    JsonNode root = JSON.readTree(t.exec("nft", "-j", "list", "ruleset"));
    for (JsonNode item : root.path("nftables")) {
      item.forEach(o -> {
        if (o instanceof ObjectNode obj) {
          obj.remove("handle");
        }
      });
    }
    ((com.fasterxml.jackson.databind.node.ArrayNode) root.path("nftables")).remove(0);
    return root;
  }
}
