package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jcni bench --floor} on the bench's own network with names and a subnet of the test's own, as in
 * {@link BenchTest}: the floor's pods checked with {@code ip -j} and {@code bridge -j} while wired (eth0 up with an
 * address at the top of the subnet, a default route via the bridge's gateway, the host end a port of the bench's
 * bridge), its figures in the report, and nothing of it left afterwards ({@code ip -j netns list},
 * {@code ip -j link show}), also after Ctrl-C and after a failure during the floor.
 *
 * <p>In this namespace rather than a throw-away "node" namespace: the in-process plugins keep the sysctl tree of the
 * namespace they run in per namespace inode, and the kernel hands a freed node's inode number to the next node,
 * which another test class (BenchRoutedTest) may then make.
 */
@RequiresCapabilities
class BenchFloorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PODS = 6;
  private static final String SUBNET = "10.227.40.0/24";
  private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

  private BenchSite site;
  private String ipForwardBefore;
  // the host ends seen on the bridge while the floor's pods were wired; none may outlive the run
  private final Set<String> hostVeths = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void site() throws IOException {
    String tag = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    site = new BenchSite("jt-floor-" + tag, "jtfloor" + tag, SUBNET, "jt-floor-" + tag + "-",
        Path.of("/run/jt-floor-" + tag));
    ipForwardBefore = Files.readAllLines(IP_FORWARD).get(0).trim();
  }

  @AfterEach
  void cleanUp() throws IOException {
    // only reached with something left when the bench under test failed to clean up
    for (String ns : benchNamespaces()) {
      TestNetns.run("ip", "netns", "del", ns);
    }
    if (hostLinks().contains(site.bridge())) {
      TestNetns.run("ip", "link", "del", site.bridge());
    }
    Files.writeString(IP_FORWARD, ipForwardBefore);
  }

  @Test
  void floorWiresEveryPodOnTheBenchsBridgeAndReportsItsRatio() throws Exception {
    List<String> seen = new ArrayList<>();
    BenchReport report = runBench(names -> {
      seen.addAll(names);
      try {
        assertWired(names);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertEquals(List.of(), report.problems());
    List<String> want = new ArrayList<>();
    for (int i = 0; i < PODS; i++) {
      want.add(site.netnsPrefix() + "f" + i);
    }
    assertEquals(want, seen, "the timed pods, each in its own namespace");

    JsonNode f = JSON.readTree(report.toJson()).get("floor");
    assertEquals(PODS, f.path("pods").asInt(), f.toString());
    assertEquals(PODS, f.path("ok").asInt(), f.toString());
    double p50 = f.path("p50_ms").asDouble();
    assertTrue(p50 > 0, f.toString());
    assertTrue(f.path("p99_ms").asDouble() >= p50, f.toString());
    // CPU is counted in 10 ms ticks, so a few pods can show none
    assertTrue(f.path("cpu_ms").isNumber() && f.path("cpu_ms").asDouble() >= 0, f.toString());
    // the timed pods wait for three quiet 10 ms polls of the JIT, and never more than 2 s
    assertTrue(f.path("jit_wait_ms").asDouble() >= 30 && f.path("jit_wait_ms").asDouble() < 2_100, f.toString());
    double addP50 = report.networks().get(0).modes().get(BenchMode.INLINE).addP50Ms();
    assertEquals(addP50 / report.floor().p50Ms(), f.at("/add_p50_ratio/inline").asDouble(), 0.001, f.toString());
    String table = report.toTable();
    assertTrue(table.contains("\nfloor: " + PODS + "/" + PODS + " pods, p50 "), table);
    assertTrue(table.contains("; ADD p50 / floor p50: inline "), table);
    assertNothingLeft();
  }

  @Test
  void interruptDuringTheFloorRemovesItsPodsAtOnce() throws Exception {
    Bench[] bench = new Bench[1];
    List<String> errors = new ArrayList<>();
    BenchOptions opts = new BenchOptions(PODS, 1, false, List.of(BenchMode.INLINE), true, 2).withFloor(true);
    bench[0] = new Bench(opts, site, List.of("/usr/lib/cni"), BenchProgress.none()).onFloorWired(names -> {
      assertEquals(PODS, names.size());
      try {
        assertEquals(PODS, bridgePorts().size());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      // what the shutdown hook does on Ctrl-C, from another thread, while the floor's pods are wired
      Thread hook = new Thread(() -> errors.addAll(bench[0].interrupt()));
      hook.start();
      try {
        hook.join();
        awaitNothingLeft();
      } catch (InterruptedException | IOException e) {
        throw new AssertionError(e);
      }
    });
    BenchReport report = bench[0].run();
    assertEquals(List.of(), errors, "teardown errors");
    assertEquals(List.of("interrupted"), report.problems());
    assertFalse(JSON.readTree(report.toJson()).has("floor"), "no figures from an interrupted floor");
    awaitNothingLeft();
  }

  @Test
  void failureDuringTheFloorLeavesNothing() throws Exception {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> runBench(names -> {
      try {
        assertEquals(PODS, bridgePorts().size());
      } catch (IOException x) {
        throw new AssertionError(x);
      }
      throw new IllegalStateException("observer failed");
    }));
    assertEquals("observer failed", e.getMessage());
    awaitNothingLeft();
  }

  // ---- helpers and oracles ---------------------------------------------------------------------------------

  /** Runs an inline bench of {@link #PODS} pods at concurrency 1 with the floor. */
  private BenchReport runBench(Consumer<List<String>> onFloorWired) throws Exception {
    BenchOptions opts = new BenchOptions(PODS, 1, false, List.of(BenchMode.INLINE), true, 2).withFloor(true);
    return new Bench(opts, site, List.of("/usr/lib/cni"), BenchProgress.none()).onFloorWired(onFloorWired).run();
  }

  /**
   * Each pod's eth0 is up with one address from the top of the bench's subnet and a default route via the bridge's
   * gateway (its first address); its host end is a port of the bench's bridge, and the bridge has no other.
   */
  private void assertWired(List<String> names) throws IOException {
    Set<String> addresses = new java.util.HashSet<>();
    for (String ns : names) {
      JsonNode link = JSON.readTree(TestNetns.run("ip", "-n", ns, "-j", "-4", "addr", "show", "dev", "eth0")).get(0);
      assertTrue(link.path("flags").toString().contains("\"UP\""), ns + " eth0 is not up: " + link);
      List<String> v4 = new ArrayList<>();
      link.path("addr_info").forEach(a -> v4.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt()));
      assertEquals(1, v4.size(), ns + " " + v4);
      int last = Integer.parseInt(v4.get(0).substring("10.227.40.".length(), v4.get(0).indexOf('/')));
      assertTrue(v4.get(0).startsWith("10.227.40.") && v4.get(0).endsWith("/24") && last > 254 - PODS,
          ns + " has " + v4.get(0));
      addresses.add(v4.get(0));
      JsonNode routes = JSON.readTree(TestNetns.run("ip", "-n", ns, "-j", "-4", "route", "show", "default"));
      assertEquals(1, routes.size(), ns + " " + routes);
      assertEquals("10.227.40.1", routes.get(0).path("gateway").asText(), ns + " " + routes);
      assertEquals("eth0", routes.get(0).path("dev").asText(), ns + " " + routes);
    }
    assertEquals(names.size(), addresses.size(), "distinct addresses " + addresses);
    List<JsonNode> ports = bridgePorts();
    for (JsonNode p : ports) {
      assertTrue(p.path("ifname").asText().startsWith("veth"), p.toString());
      assertTrue(p.path("flags").toString().contains("\"UP\""), p.toString());
    }
    assertEquals(names.size(), ports.size(), "ports of " + site.bridge());
  }

  /** The ports of the bench's bridge ({@code bridge -j link}), each remembered as a host end that must go. */
  private List<JsonNode> bridgePorts() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : JSON.readTree(TestNetns.run("bridge", "-j", "link", "show"))) {
      if (site.bridge().equals(p.path("master").asText())) {
        out.add(p);
        hostVeths.add(p.path("ifname").asText());
      }
    }
    return out;
  }

  /**
   * No namespace of the run ({@code ip -j netns list}), neither its bridge nor a host end seen on it
   * ({@code ip -j link show}), no state directory, and {@code ip_forward} as before.
   */
  private void assertNothingLeft() throws IOException {
    assertEquals(List.of(), benchNamespaces(), "namespaces left");
    assertEquals(List.of(), linksLeft(), "links left");
    assertFalse(Files.exists(site.stateDir()), site.stateDir() + " left");
    assertEquals(ipForwardBefore, Files.readAllLines(IP_FORWARD).get(0).trim(), "ip_forward");
  }

  private List<String> linksLeft() throws IOException {
    return hostLinks().stream().filter(l -> l.equals(site.bridge()) || hostVeths.contains(l)).toList();
  }

  /**
   * {@link #assertNothingLeft} once the kernel has dismantled the namespaces the teardown deleted: it does that
   * later, and the floor's veth pairs (which no DEL removed) go with them; 10 s at most.
   */
  private void awaitNothingLeft() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!linksLeft().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertNothingLeft();
  }

  private static List<String> hostLinks() throws IOException {
    List<String> links = new ArrayList<>();
    JSON.readTree(TestNetns.run("ip", "-j", "link", "show")).forEach(l -> links.add(l.path("ifname").asText()));
    return links;
  }

  private List<String> benchNamespaces() throws IOException {
    List<String> out = new ArrayList<>();
    String raw = TestNetns.run("ip", "-j", "netns", "list");
    if (raw.isBlank()) {
      return out;
    }
    for (JsonNode n : JSON.readTree(raw)) {
      if (n.path("name").asText().startsWith(site.netnsPrefix())) {
        out.add(n.path("name").asText());
      }
    }
    return out;
  }
}
