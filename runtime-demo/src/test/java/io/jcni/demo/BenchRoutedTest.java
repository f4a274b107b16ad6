package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.routed.HostEnd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jcni bench --conf} over the example networks without a bridge (conf/examples' jcni-routed and ptp), alone
 * and side by side with CRI-O's bridge, run inside a throw-away "node" namespace (so the files' own names, bridge
 * and subnets are used unchanged); the pods and their host ends checked with {@code ip -j} while attached, and
 * nothing of them left afterwards: links, host routes, namespaces, host-local store and result cache, masquerade
 * rules.
 */
@RequiresCapabilities
class BenchRoutedTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Path.of("..", "conf", "examples");
  private static final Path ROUTED = EXAMPLES.resolve("jcni-routed.conflist");
  private static final Path PTP = EXAMPLES.resolve("ptp.conflist");
  private static final Path CRIO = EXAMPLES.resolve("11-crio-ipv4-bridge.conflist");

  // One node for the class: the in-process plugins keep the host's sysctl tree per namespace inode, and the kernel
  // hands a freed namespace's inode number to the next one, so a node per test could meet a dead node's tree.
  private static TestNetns node;
  private BenchSite site;

  @BeforeAll
  static void node() throws IOException {
    node = TestNetns.createWithLoopback("rbench");
  }

  @AfterAll
  static void removeNode() throws IOException {
    if (node != null) {
      node.close();
    }
  }

  @BeforeEach
  void site() {
    String tag = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    site = BenchSite.named("jtrb" + tag);
  }

  @AfterEach
  void cleanUp() throws IOException {
    // only reached with something left when the bench under test failed to clean up
    for (String ns : benchNamespaces()) {
      TestNetns.run("ip", "netns", "del", ns);
    }
  }

  @Test
  void routedNetworkAttachesCalicoStyleHostEndsAndLeavesNothing() throws Exception {
    int pods = 4;
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    JsonNode j = runInNode(List.of(ROUTED), pods, names -> {
      seen.merge("pods", names.size(), Integer::sum);
      JsonNode links = ipJson("link", "show");
      for (String id : names) {
        // the plugin's own naming, from the container ID the bench gives each pod (its namespace name)
        JsonNode l = link(links, HostEnd.name("cali", id, "eth0"));
        assertEquals("ee:ee:ee:ee:ee:ee", l.path("address").asText(), id);
        assertPodAddressIn(id, "10.228.");
      }
      assertEquals(names.size(), hostRoutesIn("10.228."), "a host route per pod");
      // host-local's store is on the bench's state directory: one reservation per pod, naming its container ID
      List<String> owners = new ArrayList<>();
      try (var files = Files.list(site.dataDir().resolve("jcni-routed"))) {
        for (Path f : files.filter(f -> f.getFileName().toString().startsWith("10.228.")).toList()) {
          owners.add(Files.readAllLines(f).get(0).trim());
        }
      }
      assertEquals(Set.copyOf(names), Set.copyOf(owners), "reservations");
      assertEquals(names.size(), masqJumps("jcni-routed"), "the file's ipMasq: a POSTROUTING rule per pod");
    });
    assertEquals(Map.of("pods", pods), seen);
    JsonNode net = j.at("/networks/0");
    assertEquals("jcni-routed", net.path("network").asText());
    assertEquals("jcni-routed cali…", net.path("host_end").asText());
    assertEquals(pods, net.at("/modes/inline/adds_ok").asInt());
    assertEquals(pods, net.at("/modes/inline/dels_ok").asInt());
    assertNothingLeft("jcni-routed", "10.228.");
  }

  @Test
  void ptpNetworkAttachesAndLeavesNothing() throws Exception {
    int pods = 4;
    JsonNode j = runInNode(List.of(PTP), pods, names -> {
      for (String id : names) {
        assertPodAddressIn(id, "10.229.");
      }
      assertEquals(names.size(), hostRoutesIn("10.229."), "a host route per pod");
      long veths = 0;
      for (JsonNode l : ipJson("-d", "link", "show")) {
        if (l.path("ifname").asText().startsWith("veth")) {
          veths++;
        }
      }
      assertEquals(names.size(), veths, "a host veth per pod");
      assertEquals(names.size(), masqJumps("jcni-ptp"), "the file's ipMasq: a POSTROUTING rule per pod");
    });
    assertEquals("jcni-ptp", j.at("/networks/0/network").asText());
    assertEquals("ptp veth…", j.at("/networks/0/host_end").asText());
    assertEquals(pods, j.at("/networks/0/modes/inline/dels_ok").asInt());
    assertNothingLeft("jcni-ptp", "10.229.");
  }

  @Test
  void bridgeRoutedAndPtpSideBySideInOneRun() throws Exception {
    int pods = 10;
    Map<String, Integer> perNetwork = new ConcurrentHashMap<>();
    JsonNode j = runInNode(List.of(CRIO, ROUTED, PTP), pods, names -> {
      // each slice of a round comes from one network, named <prefix>-<k>-<i>
      String k = names.get(0).substring(site.netnsPrefix().length(), site.netnsPrefix().length() + 1);
      assertTrue(names.stream().allMatch(n -> n.startsWith(site.netnsPrefix() + k + "-")), names.toString());
      perNetwork.merge(k, names.size(), Integer::sum);
      for (String id : names) {
        assertPodAddressIn(id, Map.of("0", "10.232.", "1", "10.228.", "2", "10.229.").get(k));
      }
    });
    assertEquals(Map.of("0", pods, "1", pods, "2", pods), perNetwork);
    List<String> names = new ArrayList<>();
    j.get("networks").forEach(n -> names.add(n.path("network").asText() + " " + n.path("host_end").asText()));
    assertEquals(List.of("jcni-crio bridge jcnicrio0", "jcni-routed jcni-routed cali…", "jcni-ptp ptp veth…"),
        names);
    for (JsonNode n : j.get("networks")) {
      assertEquals(pods, n.at("/modes/inline/adds_ok").asInt(), n.toString());
      assertEquals(pods, n.at("/modes/inline/dels_ok").asInt(), n.toString());
      assertTrue(n.at("/modes/inline/add_p50_ms").asDouble() > 0, n.toString());
    }
    assertNothingLeft("jcni-crio", "10.232.");
    assertNothingLeft("jcni-routed", "10.228.");
    assertNothingLeft("jcni-ptp", "10.229.");
    assertFalse(ipJson("link", "show").toString().contains("jcnicrio0"), "bridge left");
  }

  @Test
  void refusesNamesThatAlreadyExist() throws Exception {
    // a namespace named like the bench's pods, as another bench with the same --prefix would have it
    String clash = site.netnsPrefix() + "3";
    NetNs.create(clash).close();
    try {
      CniException e = assertThrows(CniException.class, () -> runInNode(List.of(ROUTED), 4, names -> {}));
      assertEquals("bench: namespace " + clash + " already exists (another bench with these names running, or one"
          + " that was killed: remove it with ip netns del " + clash + ", or choose another --prefix)",
          e.getMessage());
    } finally {
      NetNs.delete(clash);
    }
    // a link with the host-end name of one of the run's pods
    String cali = HostEnd.name("cali", site.netnsPrefix() + "w1", "eth0");
    node.ip("link", "add", cali, "type", "bridge");
    CniException e;
    try {
      e = assertThrows(CniException.class, () -> runInNode(List.of(ROUTED), 4, names -> {}));
    } finally {
      node.ip("link", "del", cali);
    }
    assertEquals("bench: link " + cali + " already exists (another bench with these names running, or one that"
        + " was killed: remove it with ip link del " + cali + ", or choose another --prefix)", e.getMessage());
    assertEquals(List.of(), benchNamespaces());
    assertFalse(Files.exists(site.stateDir()), "the refused run made its state directory");
  }

  @Test
  void refusesTwoNetworksWithTheSameName() throws Exception {
    CniException e = assertThrows(CniException.class, () -> runInNode(List.of(ROUTED, copyOf(ROUTED)), 2, n -> {}));
    assertTrue(e.getMessage().startsWith("bench: --conf "), e.getMessage());
    assertTrue(e.getMessage().endsWith(" have the same network name jcni-routed (each network measured side by side"
        + " needs its own)"), e.getMessage());
  }

  // ---- helpers and oracles ---------------------------------------------------------------------------------

  /** A pod-list observer that may throw. */
  @FunctionalInterface
  private interface PodCheck {
    void check(List<String> names) throws IOException;
  }

  /**
   * Runs an inline bench through {@code confs} with the whole run (its threads, netlink sockets, firewall tools)
   * inside the node namespace, and returns its JSON report after checking it found no problem.
   */
  private JsonNode runInNode(List<Path> confs, int pods, PodCheck check) throws Exception {
    BenchOptions opts = new BenchOptions(pods, 2, List.of(BenchMode.INLINE), true, 2, confs, BenchCapArgs.NONE);
    Bench bench = new Bench(opts, site, List.of("/usr/lib/cni"), BenchProgress.none()).onAttached((mode, names) -> {
      try {
        check.check(names);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    BenchReport report;
    try (NetNs ns = NetNs.open(Path.of(node.path()))) {
      report = ns.runIn(bench::run);
    }
    assertEquals(List.of(), report.problems());
    return JSON.readTree(report.toJson());
  }

  private static Path copyOf(Path conf) throws IOException {
    Path f = Files.createTempFile("jt-rbench-", ".conflist");
    Files.copy(conf, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    f.toFile().deleteOnExit();
    return f;
  }

  private JsonNode ipJson(String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of("-j"));
    a.addAll(List.of(args));
    String out = node.ip(a.toArray(String[]::new));
    return JSON.readTree(out.isBlank() ? "[]" : out);
  }

  private static JsonNode link(JsonNode links, String name) {
    for (JsonNode l : links) {
      if (name.equals(l.path("ifname").asText())) {
        return l;
      }
    }
    throw new AssertionError("no link " + name + " in the node");
  }

  private static void assertPodAddressIn(String pod, String prefix) throws IOException {
    JsonNode addrs = JSON.readTree(TestNetns.run("ip", "-n", pod, "-j", "-4", "addr", "show", "dev", "eth0"));
    List<String> v4 = new ArrayList<>();
    addrs.get(0).path("addr_info").forEach(a -> v4.add(a.path("local").asText()));
    assertEquals(1, v4.size(), pod + " " + v4);
    assertTrue(v4.get(0).startsWith(prefix), pod + " has " + v4.get(0) + ", not in " + prefix + "*");
  }

  /** The node's /32 routes to an address starting with {@code prefix} ({@code ip -j route}). */
  private int hostRoutesIn(String prefix) throws IOException {
    int n = 0;
    for (JsonNode r : ipJson("-4", "route", "show")) {
      String dst = r.path("dst").asText();
      if (dst.startsWith(prefix) && !dst.contains("/")) {
        n++;
      }
    }
    return n;
  }

  private void assertNothingLeft(String network, String subnetPrefix) throws IOException {
    assertEquals(List.of(), benchNamespaces(), "namespaces left");
    for (JsonNode l : ipJson("link", "show")) {
      String name = l.path("ifname").asText();
      assertTrue(Set.of("lo").contains(name) || !name.startsWith("cali") && !name.startsWith("veth"),
          "host end " + name + " left");
    }
    assertEquals(0, hostRoutesIn(subnetPrefix), "host routes left");
    // the run's host-local store and result cache lived in its state directory, which must be gone
    assertFalse(Files.exists(site.stateDir()), site.stateDir() + " left");
    assertEquals(0, masqJumps(network), "masquerade rules left");
  }

  /** The node's POSTROUTING rules whose comment names {@code network} ({@code iptables-save}). */
  private long masqJumps(String network) throws IOException {
    // iptables-save quotes the comment, so its own quotes come out as \"
    String needle = "name: \\\"" + network + "\\\"";
    return node.exec("iptables-save", "-t", "nat").lines()
        .filter(l -> l.startsWith("-A POSTROUTING ") && l.contains(needle)).count();
  }

  private List<String> benchNamespaces() throws IOException {
    List<String> out = new ArrayList<>();
    if (Files.isDirectory(NetNs.RUN_DIR)) {
      try (var s = Files.list(NetNs.RUN_DIR)) {
        s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(site.netnsPrefix())).forEach(out::add);
      }
    }
    return out;
  }
}
