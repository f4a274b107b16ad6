package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesRules;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The nftables backend in a throw-away namespace, checked through {@code nft -j list}; setup, teardown and GC
 * launch no program where they can work over netlink ({@link LaunchGuard}), and run nft where not
 * ({@link NetnsExec}).
 */
@RequiresCapabilities
class NftablesMasqTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestNetns host;
  private NetnsExec exec;
  private IpMasq masq;
  private NetNs hostNs;
  /** Watches the operations of {@link #noLaunch}, which must launch nothing: they read and write over netlink. */
  private LaunchGuard guard;
  private IpMasq noLaunch;

  @BeforeEach
  void setUp() throws IOException {
    host = TestNetns.create("fwnft");
    exec = new NetnsExec(host.name());
    masq = new IpMasq(IpMasqBackend.NFTABLES, exec);
    hostNs = NetNs.open(Path.of(host.path()));
    guard = new LaunchGuard(hostNs).forbid();
    noLaunch = new IpMasq(IpMasqBackend.NFTABLES, guard);
  }

  @AfterEach
  void tearDown() throws IOException {
    try {
      if (hostNs != null) {
        hostNs.close();
      }
    } finally {
      if (host != null) {
        host.close();
      }
    }
    assertEquals(List.of(), guard.forbidden());
  }

  private JsonNode listTable() throws IOException {
    return JSON.readTree(TestNetns.run("ip", "netns", "exec", host.name(), "nft", "-j", "list", "table", "inet",
        "cni_plugins_masquerade"));
  }

  private static List<JsonNode> items(JsonNode listing, String kind, String chain) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode item : listing.path("nftables")) {
      JsonNode n = item.get(kind);
      if (n != null && (chain == null || chain.equals(kind.equals("rule") ? n.path("chain").asText()
          : n.path("name").asText()))) {
        out.add(n);
      }
    }
    return out;
  }

  /** One masq_checks rule as (saddr, daddr network, comment), read from nft's JSON. */
  record MasqRule(String saddr, String notDaddr, String comment) {}

  private List<MasqRule> masqRules() throws IOException {
    List<MasqRule> out = new ArrayList<>();
    for (JsonNode r : items(listTable(), "rule", "masq_checks")) {
      JsonNode expr = r.get("expr");
      JsonNode prefix = expr.get(1).path("match").path("right").path("prefix");
      out.add(new MasqRule(expr.get(0).path("match").path("right").asText(),
          prefix.path("addr").asText() + "/" + prefix.path("len").asInt(), r.path("comment").asText()));
    }
    return out;
  }

  private static JsonNode json(String s) throws IOException {
    return JSON.readTree(s);
  }

  @Test
  void setupV4WritesExactlyGosRules() throws Exception {
    masq.setup("mynet", "dummy", "eth0", Cidrs.of("10.250.8.2/24"));
    int launches = exec.takeLaunches();
    System.out.printf("nftables setup v4: %d process launches%n", launches);
    assertEquals(2, launches, "one listing, one transaction");

    JsonNode t = listTable();
    // nft 1.0.6 leaves table and chain comments out of its JSON, so they are checked in the text listing.
    String text = TestNetns.run("ip", "netns", "exec", host.name(), "nft", "list", "table", "inet",
        "cni_plugins_masquerade");
    assertTrue(text.contains("comment \"Masquerading for plugins from github.com/containernetworking/plugins\""), text);
    assertTrue(text.contains(
        "comment \"Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet\""), text);
    JsonNode post = items(t, "chain", "postrouting").get(0);
    assertEquals("nat", post.path("type").asText());
    assertEquals("postrouting", post.path("hook").asText());
    assertEquals(100, post.path("prio").asInt());

    List<JsonNode> postRules = items(t, "rule", "postrouting");
    assertEquals(3, postRules.size());
    assertEquals(json("[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"daddr\"}},"
        + "\"right\":{\"prefix\":{\"addr\":\"224.0.0.0\",\"len\":4}}}},{\"return\":null}]"), postRules.get(0).get("expr"));
    assertEquals(json("[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip6\",\"field\":\"daddr\"}},"
        + "\"right\":{\"prefix\":{\"addr\":\"ff00::\",\"len\":8}}}},{\"return\":null}]"), postRules.get(1).get("expr"));
    assertEquals(json("[{\"goto\":{\"target\":\"masq_checks\"}}]"), postRules.get(2).get("expr"));

    List<JsonNode> rules = items(t, "rule", "masq_checks");
    assertEquals(1, rules.size());
    assertEquals("d23676b4f2d9fe04-678b25cd6528b49d, net: mynet, if: eth0, id: dummy",
        rules.get(0).path("comment").asText());
    assertEquals(json("[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}},"
        + "\"right\":\"10.250.8.2\"}},{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
        + "\"daddr\"}},\"right\":{\"prefix\":{\"addr\":\"10.250.8.0\",\"len\":24}}}},{\"masquerade\":null}]"),
        rules.get(0).get("expr"));

    noLaunch.teardown("mynet", "dummy", "eth0", Cidrs.of("10.250.8.2/24"));
    assertEquals(List.of(), items(listTable(), "rule", "masq_checks"));
    assertEquals(3, items(listTable(), "rule", "postrouting").size());
  }

  @Test
  void dualStackSetupAndTeardown() throws Exception {
    List<IpNet> ips = Cidrs.of("10.250.9.5/24", "2001:db8:9::5/64");
    masq.setup("mynet", "dummy", "eth0", ips);
    String c = IpMasq.nftComment("mynet", "eth0", "dummy");
    assertEquals(List.of(new MasqRule("10.250.9.5", "10.250.9.0/24", c), new MasqRule("2001:db8:9::5", "2001:db8:9::/64", c)),
        masqRules());
    JsonNode v6 = items(listTable(), "rule", "masq_checks").get(1).get("expr");
    assertEquals("ip6", v6.get(0).path("match").path("left").path("payload").path("protocol").asText());

    // Re-ADD replaces the attachment's rules instead of adding more.
    masq.setup("mynet", "dummy", "eth0", ips);
    assertEquals(2, masqRules().size());

    noLaunch.teardown("mynet", "dummy", "eth0", ips);
    assertEquals(List.of(), masqRules());
    noLaunch.teardown("mynet", "dummy", "eth0", ips);
    assertEquals(List.of(), masqRules());
    assertEquals(3, items(listTable(), "rule", "postrouting").size());
  }

  @Test
  void setupAndTeardownLaunchNothing() throws Exception {
    List<IpNet> ips = Cidrs.of("10.250.9.5/24", "2001:db8:9::5/64");
    noLaunch.setup("mynet", "dummy", "eth0", ips);
    noLaunch.setup("mynet", "dummy", "eth0", ips);
    noLaunch.setup("mynet", "other", "eth0", Cidrs.of("10.250.9.6/24"));
    String c = IpMasq.nftComment("mynet", "eth0", "dummy");
    assertEquals(List.of(new MasqRule("10.250.9.5", "10.250.9.0/24", c), new MasqRule("2001:db8:9::5", "2001:db8:9::/64", c),
        new MasqRule("10.250.9.6", "10.250.9.0/24", IpMasq.nftComment("mynet", "eth0", "other"))), masqRules());
    noLaunch.teardown("mynet", "dummy", "eth0", ips);
    noLaunch.teardown("mynet", "other", "eth0", List.of());
    assertEquals(List.of(), masqRules());
    assertEquals(3, items(listTable(), "rule", "postrouting").size());
  }

  /** A setup transaction the kernel refuses twice (here: said to) goes to nft, which lists the chain and writes. */
  @Test
  void refusedSetupRunsNft() throws Exception {
    FirewallExec netlink = FirewallExec.in(hostNs);
    AtomicInteger commits = new AtomicInteger();
    FirewallExec refusing = new FirewallExec() {
      @Override
      public String run(List<String> argv, String stdin) throws FirewallCommandException {
        return exec.run(argv, stdin);
      }

      @Override
      public Optional<List<NfTablesRules.Rule>> listNftRules(int family, String table, String chain) {
        return netlink.listNftRules(family, table, chain);
      }

      @Override
      public boolean commitNft(NfTablesBatch batch) {
        commits.incrementAndGet();
        return false;
      }
    };
    new IpMasq(IpMasqBackend.NFTABLES, refusing).setup("mynet", "dummy", "eth0", Cidrs.of("10.250.9.5/24"));
    assertEquals(2, commits.get());
    assertEquals(2, exec.takeLaunches(), "one listing, one transaction");
    assertEquals(List.of(new MasqRule("10.250.9.5", "10.250.9.0/24", IpMasq.nftComment("mynet", "eth0", "dummy"))),
        masqRules());
  }

  @Test
  void teardownWithoutSetupSucceeds() throws Exception {
    noLaunch.teardown("mynet", "never", "eth0", Cidrs.of("2001:db8:7::7/64"));
    noLaunch.gc("mynet", List.of());
    noLaunch.teardown("mynet", "never", "eth0", List.of());
  }

  /**
   * Replays containernetworking/plugins pkg/ip/ipmasq_nftables_linux_test.go on the real nft and compares the
   * masq_checks rules with the upstream expected dumps (its 192.168/10.0 addresses mapped into 10.25x).
   */
  @ParameterizedTest(name = "setup in process: {0}")
  @ValueSource(booleans = {false, true})
  void upstreamScenario(boolean inProcess) throws Exception {
    IpMasq add = inProcess ? noLaunch : masq;
    String[][] containers = {
        {"unit-test", "eth0", "one", "10.251.1.1/24"},
        {"unit-test", "eth0", "two", "10.251.1.2/24"},
        {"unit-test", "eth0", "three", "10.251.99.5/24"},
        {"alternate", "net1", "three", "10.252.0.5/24"},
    };
    for (String[] c : containers) {
      add.setup(c[0], c[2], c[1], List.of(Cidrs.one(c[3])));
    }
    assertEquals(upstream("""
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 192.168.1.1 ip daddr != 192.168.1.0/24 masquerade comment "6fd94d501e58f0aa-287fc69eff0574a2, net: unit-test, if: eth0, id: one"
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 192.168.1.2 ip daddr != 192.168.1.0/24 masquerade comment "6fd94d501e58f0aa-d750b2c8f0f25d5f, net: unit-test, if: eth0, id: two"
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 192.168.99.5 ip daddr != 192.168.99.0/24 masquerade comment "6fd94d501e58f0aa-a4d4adb82b669cfe, net: unit-test, if: eth0, id: three"
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 10.0.0.5 ip daddr != 10.0.0.0/24 masquerade comment "82783ef24bdc7036-acb19d111858e348, net: alternate, if: net1, id: three"
        """), masqRules());

    add.setup("unit-test", "four", "eth0", Cidrs.of("10.251.1.1/24"));
    noLaunch.teardown("unit-test", "one", "eth0", Cidrs.of("10.251.1.1/24"));
    assertEquals(upstream("""
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 192.168.1.2 ip daddr != 192.168.1.0/24 masquerade comment "6fd94d501e58f0aa-d750b2c8f0f25d5f, net: unit-test, if: eth0, id: two"
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 192.168.99.5 ip daddr != 192.168.99.0/24 masquerade comment "6fd94d501e58f0aa-a4d4adb82b669cfe, net: unit-test, if: eth0, id: three"
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 10.0.0.5 ip daddr != 10.0.0.0/24 masquerade comment "82783ef24bdc7036-acb19d111858e348, net: alternate, if: net1, id: three"
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 192.168.1.1 ip daddr != 192.168.1.0/24 masquerade comment "6fd94d501e58f0aa-e766de567ef6c543, net: unit-test, if: eth0, id: four"
        """), masqRules());

    noLaunch.gc("unit-test", List.of(new IpMasq.Attachment("two", "eth0"), new IpMasq.Attachment("three", "eth0"),
        new IpMasq.Attachment("one", "eth0")));
    noLaunch.gc("alternate", List.of(new IpMasq.Attachment("three", "net1")));
    assertEquals(upstream("""
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 192.168.1.2 ip daddr != 192.168.1.0/24 masquerade comment "6fd94d501e58f0aa-d750b2c8f0f25d5f, net: unit-test, if: eth0, id: two"
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 192.168.99.5 ip daddr != 192.168.99.0/24 masquerade comment "6fd94d501e58f0aa-a4d4adb82b669cfe, net: unit-test, if: eth0, id: three"
        add rule inet cni_plugins_masquerade masq_checks ip saddr == 10.0.0.5 ip daddr != 10.0.0.0/24 masquerade comment "82783ef24bdc7036-acb19d111858e348, net: alternate, if: net1, id: three"
        """), masqRules());

    noLaunch.gc("unit-test", List.of());
    noLaunch.gc("alternate", List.of());
    assertEquals(List.of(), masqRules());
    assertEquals(3, items(listTable(), "rule", "postrouting").size());
  }

  private static final Pattern UPSTREAM_RULE = Pattern.compile(
      "masq_checks ip saddr == (\\S+) ip daddr != (\\S+) masquerade comment \"([^\"]*)\"");

  /** Parses upstream's expected rule lines, moving its addresses into this project's test ranges. */
  private static List<MasqRule> upstream(String dump) {
    List<MasqRule> out = new ArrayList<>();
    for (String line : dump.strip().split("\n")) {
      Matcher m = UPSTREAM_RULE.matcher(line);
      assertTrue(m.find(), line);
      out.add(new MasqRule(remap(m.group(1)), remap(m.group(2)), m.group(3)));
    }
    return out;
  }

  private static String remap(String addr) {
    return addr.replace("192.168.", "10.251.").replace("10.0.0.", "10.252.0.");
  }
}
