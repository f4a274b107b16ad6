package io.jcni.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.CniConfig;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.bridge.BridgePlugin;
import io.jcni.plugins.internal.firewall.FirewallPlugin;
import io.jcni.plugins.internal.hostlocal.HostLocalPlugin;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.portmap.PortMapPlugin;
import io.jcni.plugins.internal.tuning.TuningPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtimes' default conflists of {@code conf/examples/} (containerd, Podman, CRI-O) run in-process through
 * {@link CniConfig}, each in a throw-away host namespace: ADD (with a port mapping where the chain has portmap),
 * CHECK and DEL, with a plugin path on which no binary can be found, and the kernel state after ADD and after DEL
 * compared with the same conflist run through libcni with Debian's Go binaries in a twin host namespace.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/lib/cni/bridge", "/usr/lib/cni/host-local", "/usr/lib/cni/portmap",
    "/usr/lib/cni/firewall", "/usr/lib/cni/tuning"})
class RuntimeConflistsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Path.of("..", "conf", "examples");
  private static final List<String> GO_TYPES = List.of("bridge", "host-local", "portmap", "firewall", "tuning");
  private static final Map<String, Object> PORTS = Map.of("portMappings",
      List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp")));

  @RegisterExtension final TestNetnsPool pool = new TestNetnsPool();

  @ParameterizedTest
  @ValueSource(strings = {"10-containerd-net.conflist", "87-podman.conflist", "11-crio-ipv4-bridge.conflist"})
  void runsInProcessAsTheGoPluginsDo(String file) throws Exception {
    Path tmp = Files.createTempDirectory("jt-conflists");
    try {
      byte[] conflist = Files.readAllBytes(EXAMPLES.resolve(file));
      TestNetns goHost = pool.create("rcg");
      TestNetns goPod = pool.create("rcgc");
      TestNetns jHost = pool.create("rcj");
      TestNetns jPod = pool.create("rcjc");

      // the oracle: Go's binaries exec'd by libcni, each entering the twin host namespace first
      NetworkConfigList goList = withDataDir(conflist, tmp.resolve("go-ipam"));
      CniConfig go = CniConfig.builder().path(List.of(wrappers(tmp.resolve("go-bin"), goHost).toString()))
          .cacheDir(tmp.resolve("go-cache")).build();
      RuntimeConf goRt = RuntimeConf.of("rc-pod", goPod.path(), "eth0").withCapabilityArgs(PORTS);
      go.addNetworkList(goList, goRt);
      State goAdded = State.settled(goHost, goPod);
      go.delNetworkList(goList, goRt);
      State goDeleted = State.settled(goHost, goPod);

      NetworkConfigList list = withDataDir(conflist, tmp.resolve("ipam"));
      Path cache = tmp.resolve("cache");
      try (NetNs host = NetNs.open(Path.of(jHost.path()))) {
        PluginRegistry registry = PluginRegistry.empty().register(new BridgePlugin(host))
            .register(new HostLocalPlugin()).register(new PortMapPlugin(host)).register(new FirewallPlugin(host))
            .register(new TuningPlugin());
        // no binary on this path: an exec of any plugin would fail the operation
        CniConfig jcni = CniConfig.builder().path(List.of(tmp.resolve("no-plugins").toString())).cacheDir(cache)
            .inline(registry, registry::has).build();
        RuntimeConf rt = RuntimeConf.of("rc-pod", jPod.path(), "eth0").withCapabilityArgs(PORTS);

        jcni.addNetworkList(list, rt);
        State added = State.awaiting(goAdded, jHost, jPod);
        assertTrue(added.pod().contains("eth0"), added.pod());
        assertEquals(goAdded, added, file + ": state after ADD, Go (expected) and in-process (actual)");
        if (list.cniVersion().startsWith("0.3.")) {
          // as in Go's libcni: CHECK came with 0.4.0
          CniException e = assertThrows(CniException.class, () -> jcni.checkNetworkList(list, rt));
          assertEquals("configuration version \"" + list.cniVersion() + "\" does not support the CHECK command",
              e.getMessage());
        } else {
          jcni.checkNetworkList(list, rt);
        }
        jcni.delNetworkList(list, rt);
        assertEquals(goDeleted, State.awaiting(goDeleted, jHost, jPod), file + ": state after DEL, Go (expected) and in-process");
        assertEquals(List.of(), files(tmp.resolve("ipam").resolve(list.name())).stream()
            .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip")).toList(), "addresses left");
        assertEquals(List.of(), files(cache.resolve("results")), "cached results left");
      }
    } finally {
      try (Stream<Path> s = Files.walk(tmp)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The conflist with host-local's dataDir pointed at {@code dir}, so the host's own store is not touched. */
  private static NetworkConfigList withDataDir(byte[] conflist, Path dir) throws Exception {
    JsonNode root = JSON.readTree(conflist);
    ((ObjectNode) root.path("plugins").get(0).path("ipam")).put("dataDir", dir.toString());
    return ConfLoader.confListFromBytes(JSON.writeValueAsBytes(root));
  }

  /** A plugin directory whose entries run Debian's Go binary of the same type inside {@code host}. */
  private static Path wrappers(Path dir, TestNetns host) throws IOException {
    Files.createDirectories(dir);
    for (String type : GO_TYPES) {
      Path w = dir.resolve(type);
      Files.writeString(w, "#!/bin/sh\nexec ip netns exec " + host.name() + " " + GoPlugin.DIR + "/" + type + "\n");
      Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return dir;
  }

  private static List<String> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * What a chain leaves on a host and in a pod, read with iproute2 and iptables-save, without what differs between
   * two runs of the same thing: interface indexes, MAC addresses, the random host-side veth names, link-local
   * addresses, rule counters and the dump's timestamp comments.
   */
  record State(String host, String pod, String rules) {
    /**
     * The state once it has stopped changing for 1.5 s (at most 10 s): the kernel finishes some of an operation
     * later (the link watcher marks a bridge without ports NO-CARRIER up to a second later, duplicate address
     * detection), and Go's slower ADD leaves it more time to.
     */
    static State settled(TestNetns host, TestNetns pod) throws IOException, InterruptedException {
      State last = of(host, pod);
      long stableSince = System.nanoTime();
      long end = stableSince + 10_000_000_000L;
      while (System.nanoTime() - stableSince < 1_500_000_000L && System.nanoTime() < end) {
        Thread.sleep(100);
        State now = of(host, pod);
        if (!now.equals(last)) {
          last = now;
          stableSince = System.nanoTime();
        }
      }
      return last;
    }

    /** The state once it equals {@code expected}, or as it is after 10 s. */
    static State awaiting(State expected, TestNetns host, TestNetns pod) throws IOException, InterruptedException {
      State now = of(host, pod);
      for (int i = 0; i < 100 && !now.equals(expected); i++) {
        Thread.sleep(100);
        now = of(host, pod);
      }
      return now;
    }

    static State of(TestNetns host, TestNetns pod) throws IOException, InterruptedException {
      settle(host);
      settle(pod);
      StringBuilder r = new StringBuilder();
      for (String tool : List.of("iptables-save", "ip6tables-save")) {
        String save = host.exec(tool).lines().filter(l -> !l.startsWith("#"))
            .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]") + "\n").collect(Collectors.joining());
        r.append(tool).append('\n').append(EMPTY_TABLE.matcher(save).replaceAll(""));
      }
      return new State(netns(host), netns(pod), veths(r.toString()));
    }

    /**
     * A table with only its built-in chains, their policies ACCEPT and no rule: what an iptables-nft command leaves
     * when it merely looks at a table (Go's portmap DEL does so for ip6tables' nat); the same as no table.
     */
    private static final Pattern EMPTY_TABLE =
        Pattern.compile("(?m)^\\*\\w+\\n(?::[A-Z]+ ACCEPT \\[0:0\\]\\n)*COMMIT\\n");

    /**
     * Waits (up to 10 s) until no address of {@code ns} is tentative: an IPv6 address gets its local route only once
     * duplicate address detection is done, and the faster an ADD returns the more of that is still under way.
     */
    private static void settle(TestNetns ns) throws IOException, InterruptedException {
      for (int i = 0; i < 200 && ns.ip("-j", "addr", "show").contains("\"tentative\":true"); i++) {
        Thread.sleep(50);
      }
    }

    private static String netns(TestNetns ns) throws IOException {
      StringBuilder b = new StringBuilder();
      List<String> links = new ArrayList<>();
      for (JsonNode l : JSON.readTree(ns.ip("-d", "-j", "link", "show"))) {
        JsonNode info = l.path("linkinfo");
        Map<String, String> f = new TreeMap<>();
        f.put("name", l.path("ifname").asText());
        f.put("kind", info.path("info_kind").asText());
        f.put("master", l.path("master").asText());
        f.put("mtu", l.path("mtu").asText());
        f.put("flags", l.path("flags").toString());
        f.put("promiscuity", l.path("promiscuity").asText());
        f.put("hairpin", info.path("info_slave_data").path("hairpin").asText());
        links.add(f.toString());
      }
      links.stream().sorted().forEach(l -> b.append(l).append('\n'));
      for (JsonNode l : JSON.readTree(ns.ip("-j", "addr", "show"))) {
        for (JsonNode a : l.path("addr_info")) {
          if (!"link".equals(a.path("scope").asText())) {
            b.append(l.path("ifname").asText()).append(' ').append(a.path("local").asText()).append('/')
                .append(a.path("prefixlen").asText()).append('\n');
          }
        }
      }
      List<String> routes = new ArrayList<>();
      for (String family : List.of("-4", "-6")) {
        for (JsonNode route : JSON.readTree(ns.ip("-j", family, "route", "show", "table", "all"))) {
          ObjectNode o = (ObjectNode) route;
          o.remove("expires");
          if (o.path("dst").asText().matches("fe80::.+:.+")) {
            o.put("dst", "fe80::(from the MAC)");
          }
          routes.add(o.toString());
        }
      }
      routes.stream().sorted().forEach(r -> b.append(r).append('\n'));
      return veths(b.toString());
    }

    private static String veths(String s) {
      return s.replaceAll("veth[0-9a-f]{8}", "veth*");
    }
  }
}
