package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs small benches on this host and checks, through iproute2 and iptables-save rather than the bench's own
 * bookkeeping, that every pod was attached while the bench said so and that nothing is left afterwards.
 */
@RequiresCapabilities
@RequiresExecutable("/usr/lib/cni/bridge")
class BenchTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUBNET = "10.237.0.0/24";

  private BenchSite site;
  private String ipForwardBefore;
  // host ends of the veth pairs seen on the bridge while pods were attached; none may outlive the run
  private final Set<String> hostVeths = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void site() throws IOException {
    String tag = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    site = new BenchSite("jt-bench-" + tag, "jtbench" + tag, SUBNET, "jt-bench-" + tag + "-",
        Path.of("/run/jt-bench-" + tag));
    ipForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (site == null) {
      return;
    }
    // only reached with something left when the bench under test failed to clean up
    for (String ns : netnsNames()) {
      run("ip", "netns", "del", ns);
    }
    if (linkExists(site.bridge())) {
      run("ip", "link", "del", site.bridge());
    }
    if (Files.exists(site.stateDir())) {
      try (Stream<Path> w = Files.walk(site.stateDir())) {
        for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    List<String> rules = masqRules();
    if (!rules.stream().filter(l -> l.startsWith("-A ")).toList().isEmpty()) {
      StringBuilder script = new StringBuilder("*nat\n");
      rules.stream().filter(l -> l.startsWith("-A ")).forEach(l -> script.append("-D").append(l.substring(2)).append('\n'));
      runWithInput(script.append("COMMIT\n").toString(), "iptables-restore", "--noflush");
    }
    Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), ipForwardBefore);
  }

  @Test
  void execModeWithIpMasqAttachesEveryPodAndLeavesNothing() throws Exception {
    int pods = 4;
    Map<BenchMode, Integer> seen = new ConcurrentHashMap<>();
    Bench bench = new Bench(new BenchOptions(pods, 2, true, List.of(BenchMode.EXEC), true, 2), site,
        List.of("/usr/lib/cni"), BenchProgress.none())
        .onAttached((mode, names) -> {
          seen.put(mode, names.size());
          assertAttached(names);
          assertEquals("tmpfs", mountedFs(site.stateDir()), "the state lives on the bench's own tmpfs");
          // iptables-save is the oracle for the masquerade rules: one POSTROUTING jump per pod
          long jumps = masqRules().stream().filter(l -> l.startsWith("-A POSTROUTING ")).count();
          assertEquals(pods, jumps, "POSTROUTING rules naming " + site.network());
        });
    BenchReport report = bench.run();

    assertEquals(List.of(), report.problems());
    assertEquals(Map.of(BenchMode.EXEC, pods), seen);
    JsonNode j = JSON.readTree(report.toJson());
    assertShape(j, pods, 2, true, Set.of("exec"));
    assertEquals(pods, j.at("/networks/0/modes/exec/adds_ok").asInt());
    assertEquals(pods, j.at("/networks/0/modes/exec/dels_ok").asInt());
    assertNothingLeft();
  }

  @Test
  void bothModesAttachEveryPodAndLeaveNothing() throws Exception {
    int pods = 4;
    Map<BenchMode, Integer> seen = new ConcurrentHashMap<>();
    BenchReport report = new Bench(new BenchOptions(pods, 2, false, List.of(BenchMode.INLINE, BenchMode.EXEC), true, 2),
        site, List.of("/usr/lib/cni"), BenchProgress.none())
        .onAttached((mode, names) -> {
          seen.put(mode, names.size());
          assertAttached(names);
          assertEquals("tmpfs", mountedFs(site.stateDir()), "the state lives on the bench's own tmpfs");
          assertEquals(List.of(), masqRules(), "no ipMasq, no rules");
        })
        .run();

    assertEquals(List.of(), report.problems());
    assertEquals(Map.of(BenchMode.INLINE, pods, BenchMode.EXEC, pods), seen);
    JsonNode j = JSON.readTree(report.toJson());
    assertShape(j, pods, 2, false, Set.of("inline", "exec"));
    for (String m : List.of("inline", "exec")) {
      assertEquals(pods, j.at("/networks/0/modes/" + m + "/adds_ok").asInt(), m);
      assertEquals(pods, j.at("/networks/0/modes/" + m + "/dels_ok").asInt(), m);
    }
    assertNothingLeft();
  }

  @Test
  void inlineModeWithIpMasqWritesAndRemovesTheRules() throws Exception {
    int pods = 4;
    BenchReport report = new Bench(new BenchOptions(pods, 2, true, List.of(BenchMode.INLINE), true, 2), site,
        List.of("/usr/lib/cni"), BenchProgress.none())
        .onAttached((mode, names) -> {
          assertAttached(names);
          long jumps = masqRules().stream().filter(l -> l.startsWith("-A POSTROUTING ")).count();
          assertEquals(pods, jumps, "POSTROUTING rules naming " + site.network());
        })
        .run();
    assertEquals(List.of(), report.problems());
    JsonNode j = JSON.readTree(report.toJson());
    assertShape(j, pods, 2, true, Set.of("inline"));
    assertEquals(pods, j.at("/networks/0/modes/inline/adds_ok").asInt());
    assertNothingLeft();
  }

  @Test
  void confRunsPodmansChainWithUniqueHostPortsInBothModesAndLeavesNothing() throws Exception {
    int pods = 4;
    Path conf = podmanConflist();
    BenchCapArgs caps =
        BenchCapArgs.parse("{\"portMappings\":[{\"hostPort\":18080,\"containerPort\":80,\"protocol\":\"tcp\"}]}");
    Map<BenchMode, Integer> seen = new ConcurrentHashMap<>();
    try {
      BenchReport report = new Bench(new BenchOptions(pods, 2, List.of(BenchMode.INLINE, BenchMode.EXEC), true, 2,
          List.of(conf), caps), site, List.of("/usr/lib/cni"), BenchProgress.none())
          .onAttached((mode, names) -> {
            seen.put(mode, names.size());
            assertAttached(names);
            try {
              // iptables-save is the oracle: one DNAT per pod, each on its own host port
              List<String> dports = new ArrayList<>();
              for (String l : run("iptables-save", "-t", "nat").lines().toList()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("--dport (\\d+) -j DNAT").matcher(l);
                if (l.startsWith("-A CNI-DN-") && m.find()) {
                  dports.add(m.group(1));
                }
              }
              assertEquals(List.of("18080", "18081", "18082", "18083"), dports.stream().sorted().toList(), mode.label());
              assertEquals(2 * pods, firewallRules().size(), "CNI-FORWARD rules for the pods, " + mode.label());
            } catch (IOException e) {
              throw new AssertionError(e);
            }
          })
          .run();
      assertEquals(List.of(), report.problems());
      assertEquals(Map.of(BenchMode.INLINE, pods, BenchMode.EXEC, pods), seen);
      JsonNode j = JSON.readTree(report.toJson());
      assertEquals(conf.toString(), j.at("/networks/0/conf").asText());
      assertEquals("bridge " + site.bridge(), j.at("/networks/0/host_end").asText());
      assertShape(j, pods, 2, false, Set.of("inline", "exec"));
      assertNothingLeft();
      assertEquals(List.of(), firewallRules(), "firewall rules left");
    } finally {
      Files.deleteIfExists(conf);
    }
  }

  /** conf/examples' Podman conflist with this test's network name, bridge and subnet. */
  private Path podmanConflist() throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
        JSON.readTree(Files.readAllBytes(Path.of("..", "conf", "examples", "87-podman.conflist")));
    root.put("name", site.network());
    com.fasterxml.jackson.databind.node.ObjectNode bridge =
        (com.fasterxml.jackson.databind.node.ObjectNode) root.get("plugins").get(0);
    bridge.put("bridge", site.bridge());
    com.fasterxml.jackson.databind.node.ObjectNode range =
        (com.fasterxml.jackson.databind.node.ObjectNode) bridge.at("/ipam/ranges/0/0");
    range.put("subnet", SUBNET).put("gateway", "10.237.0.1");
    Path f = Files.createTempFile("jt-bench-", ".conflist");
    Files.write(f, JSON.writeValueAsBytes(root));
    return f;
  }

  /** The firewall plugin's CNI-FORWARD rules for an address of the test subnet, per iptables-save. */
  private static List<String> firewallRules() throws IOException {
    return run("iptables-save", "-t", "filter").lines()
        .filter(l -> l.startsWith("-A CNI-FORWARD ") && l.contains(SUBNET.substring(0, SUBNET.lastIndexOf('.'))))
        .toList();
  }

  @Test
  void interruptMidRunRemovesAttachedPodsAtOnce() throws Exception {
    int pods = 3;
    List<String> seenMidRun = new ArrayList<>();
    Bench[] bench = new Bench[1];
    bench[0] = new Bench(new BenchOptions(pods, 3, true, List.of(BenchMode.EXEC), false, 3), site,
        List.of("/usr/lib/cni"), BenchProgress.none())
        .onAttached((mode, names) -> {
          assertAttached(names);
          // what the shutdown hook does on Ctrl-C, from another thread, while the pods are attached
          Thread hook = new Thread(() -> seenMidRun.addAll(bench[0].interrupt()));
          hook.start();
          try {
            hook.join();
            assertNothingLeft();
          } catch (InterruptedException | IOException e) {
            throw new AssertionError(e);
          }
        });
    BenchReport report = bench[0].run();
    assertEquals(List.of(), seenMidRun, "teardown errors");
    assertEquals(List.of("interrupted"), report.problems());
    assertNothingLeft();
  }

  @Test
  void reportsMasqueradeRulesLeftBehind() throws Exception {
    // a stray rule carrying the network's comment, as a plugin that failed to tear down would leave it
    run("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.237.0.250/32", "-j", "RETURN", "-m", "comment",
        "--comment", "name: \"" + site.network() + "\" id: \"stray\"");
    BenchReport report = new Bench(new BenchOptions(1, 1, false, List.of(BenchMode.EXEC), false, 1), site,
        List.of("/usr/lib/cni"), BenchProgress.none()).run();
    assertEquals(1, report.problems().size(), report.problems().toString());
    assertTrue(report.problems().get(0).startsWith("iptables-save: -A POSTROUTING -s 10.237.0.250/32"),
        report.problems().get(0));
  }

  // ---- oracles ---------------------------------------------------------------------------------------------

  /** Each pod's eth0 is up with one address in the subnet, and its host end is a port of the bench's bridge. */
  private void assertAttached(List<String> names) {
    try {
      for (String ns : names) {
        JsonNode addrs = JSON.readTree(run("ip", "-n", ns, "-j", "addr", "show", "dev", "eth0"));
        List<String> v4 = new ArrayList<>();
        for (JsonNode a : addrs.get(0).get("addr_info")) {
          if (a.get("family").asText().equals("inet")) {
            v4.add(a.get("local").asText());
          }
        }
        assertEquals(1, v4.size(), ns + " addresses " + v4);
        assertTrue(inSubnet(v4.get(0)), v4.get(0) + " not in " + SUBNET);
        assertTrue(addrs.get(0).get("flags").toString().contains("\"UP\""), ns + " eth0 is not up");
      }
      JsonNode ports = JSON.readTree(run("bridge", "-j", "link", "show"));
      long mine = 0;
      for (JsonNode p : ports) {
        if (site.bridge().equals(p.path("master").asText())) {
          mine++;
          hostVeths.add(p.get("ifname").asText());
        }
      }
      assertEquals(names.size(), mine, "ports on " + site.bridge());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean inSubnet(String ip) {
    byte[] a = InetAddresses.forString(ip).getAddress();
    byte[] net = InetAddresses.forString(SUBNET.substring(0, SUBNET.indexOf('/'))).getAddress();
    return InetAddresses.forString(ip) instanceof Inet4Address && a[0] == net[0] && a[1] == net[1] && a[2] == net[2];
  }

  private void assertShape(JsonNode j, int pods, int concurrency, boolean ipMasq, Set<String> modes) {
    assertEquals(pods, j.get("pods").asInt());
    assertEquals(concurrency, j.get("concurrency").asInt());
    assertEquals(ipMasq, j.get("ipmasq").asBoolean());
    assertEquals(1, j.get("networks").size(), "one network");
    assertEquals(site.network(), j.at("/networks/0/network").asText());
    JsonNode ms = j.at("/networks/0/modes");
    List<String> got = new ArrayList<>();
    ms.fieldNames().forEachRemaining(got::add);
    assertEquals(modes, Set.copyOf(got));
    for (String m : modes) {
      JsonNode s = ms.get(m);
      for (String f : List.of("add_p50_ms", "add_p99_ms", "del_p50_ms", "del_p99_ms", "wall_ms", "pods_per_s")) {
        assertTrue(s.get(f).isNumber() && s.get(f).asDouble() > 0, m + "." + f + " = " + s.get(f));
      }
      // CPU is counted in 10 ms ticks, so a phase of a few pods can show none
      for (String f : List.of("add_cpu_ms", "del_cpu_ms")) {
        assertTrue(s.get(f).isNumber() && s.get(f).asDouble() >= 0, m + "." + f + " = " + s.get(f));
      }
      // the timed ADD phase waits for three quiet 10 ms polls of the JIT, and never more than 2 s
      double jit = s.get("jit_wait_ms").asDouble();
      assertTrue(jit >= 30 && jit < 2_100, m + ".jit_wait_ms = " + jit);
      assertTrue(s.get("add_p50_ms").asDouble() <= s.get("add_p99_ms").asDouble());
      assertTrue(s.get("del_p50_ms").asDouble() <= s.get("del_p99_ms").asDouble());
    }
    for (String g : List.of("fds", "threads")) {
      assertTrue(j.get(g).get("start").asInt() > 0, g);
      assertEquals(j.get(g).get("start").asInt(), j.get(g).get("end").asInt(), g + " leaked");
    }
    // a JVM's resident set is tens of MiB; -1 would mean /proc/self/status was not read
    for (String end : List.of("start", "end")) {
      assertTrue(j.get("rss_kb").get(end).asLong() > 16_384, "rss_kb." + end + " = " + j.get("rss_kb").get(end));
    }
  }

  /** The filesystem type mounted exactly on {@code dir} per /proc/self/mounts (the oracle), or null. */
  private static String mountedFs(Path dir) {
    List<String> mounts;
    try {
      mounts = Files.readAllLines(Path.of("/proc/self/mounts"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String found = null;
    for (String line : mounts) {
      String[] f = line.split(" ");
      if (f.length > 2 && f[1].equals(dir.toString())) {
        found = f[2];
      }
    }
    return found;
  }

  private void assertNothingLeft() throws IOException {
    assertFalse(linkExists(site.bridge()), "bridge " + site.bridge() + " left");
    assertEquals(List.of(), netnsNames());
    assertFalse(Files.exists(site.stateDir()), site.stateDir() + " left");
    assertEquals(null, mountedFs(site.stateDir()), "the bench's tmpfs is still mounted");
    assertEquals(List.of(), masqRules());
    assertFalse(run("nft", "list", "ruleset").contains("net: " + site.network() + ","), "nft rules left");
    String links = run("ip", "-j", "link", "show");
    for (JsonNode l : JSON.readTree(links)) {
      assertFalse(site.bridge().equals(l.path("master").asText()), l.get("ifname") + " still on the bridge");
      assertFalse(hostVeths.contains(l.get("ifname").asText()), l.get("ifname") + " (a pod's host veth) left");
    }
    assertEquals(ipForwardBefore, Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim(), "ip_forward");
  }

  private boolean linkExists(String name) throws IOException {
    for (JsonNode l : JSON.readTree(run("ip", "-j", "link", "show"))) {
      if (name.equals(l.get("ifname").asText())) {
        return true;
      }
    }
    return false;
  }

  private List<String> netnsNames() throws IOException {
    List<String> out = new ArrayList<>();
    String raw = run("ip", "-j", "netns", "list");
    if (raw.isBlank()) {
      return out;
    }
    for (JsonNode n : JSON.readTree(raw)) {
      if (n.get("name").asText().startsWith(site.netnsPrefix())) {
        out.add(n.get("name").asText());
      }
    }
    return out;
  }

  private List<String> masqRules() {
    try {
      String needle = "name: \\\"" + site.network() + "\\\"";
      return run("iptables-save", "-t", "nat").lines().filter(l -> l.contains(needle)).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String run(String... argv) throws IOException {
    return runWithInput("", argv);
  }

  private static String runWithInput(String stdin, String... argv) throws IOException {
    Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(out);
    }
    try {
      int rc = p.waitFor();
      if (rc != 0) {
        fail(String.join(" ", argv) + " exited " + rc);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
