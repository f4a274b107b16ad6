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
        CniConfig jcni = inProcess(host, cache, tmp.resolve("no-plugins"));
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
      deleteTree(tmp);
    }
  }

  /**
   * On a host that has the shared chains already (a pod attached before), the rule changes of a second pod's ADD,
   * of every plugin of the chain, are one nf_tables transaction made by this process: {@code nft monitor} in the
   * host namespace, the kernel's own account, sees one new generation, and the rules equal Go's after the same two
   * ADDs. With {@code first}, the host has empty nat and filter tables and the first pod's ADD, which makes the
   * shared chains, is watched: one transaction too. With {@code leftover}, the second pod's masquerade chain exists
   * before its ADD (left by a crashed attempt): the combined transaction is refused, each plugin's change is made
   * on its own, and the rules still equal Go's over the same leftover. The second pod's DEL is one transaction
   * too, and leaves what Go's leaves.
   */
  @ParameterizedTest
  @ValueSource(strings = {"10-containerd-net.conflist", "87-podman.conflist", "87-podman.conflist leftover",
      "10-containerd-net.conflist first", "87-podman.conflist first"})
  void aPodsRuleChangesReachTheKernelAsOneTransaction(String param) throws Exception {
    String file = param.split(" ")[0];
    boolean leftover = param.endsWith("leftover");
    int watched = param.endsWith("first") ? 0 : 1;
    Path tmp = Files.createTempDirectory("jt-conflists");
    try {
      byte[] conflist = Files.readAllBytes(EXAMPLES.resolve(file));
      TestNetns goHost = pool.create("rtg");
      TestNetns jHost = pool.create("rtj");
      List<TestNetns> goPods = List.of(pool.create("rtg1"), pool.create("rtg2"));
      List<TestNetns> jPods = List.of(pool.create("rtj1"), pool.create("rtj2"));

      NetworkConfigList goList = withDataDir(conflist, tmp.resolve("go-ipam"));
      CniConfig go = CniConfig.builder().path(List.of(wrappers(tmp.resolve("go-bin"), goHost).toString()))
          .cacheDir(tmp.resolve("go-cache")).build();
      NetworkConfigList list = withDataDir(conflist, tmp.resolve("ipam"));
      String masqChain = io.jcni.plugins.internal.netfilter.IpMasq.chainName(list.name(), "rt-pod-2");
      if (watched == 0) {
        for (TestNetns h : List.of(goHost, jHost)) {
          builtinChains(h, tmp);
        }
      }
      for (int i = 0; i < 2; i++) {
        if (i == 1 && leftover) {
          goHost.exec("iptables", "-t", "nat", "-N", masqChain);
        }
        go.addNetworkList(goList, RuntimeConf.of("rt-pod-" + (i + 1), goPods.get(i).path(), "eth0")
            .withCapabilityArgs(PORTS));
      }
      State goAdded = State.settled(goHost, goPods.get(1));
      go.delNetworkList(goList, RuntimeConf.of("rt-pod-2", goPods.get(1).path(), "eth0").withCapabilityArgs(PORTS));
      State goDeleted = State.settled(goHost, goPods.get(0));

      try (NetNs host = NetNs.open(Path.of(jHost.path()))) {
        CniConfig jcni = inProcess(host, tmp.resolve("cache"), tmp.resolve("no-plugins"));
        List<RuntimeConf> rts = List.of(
            RuntimeConf.of("rt-pod-1", jPods.get(0).path(), "eth0").withCapabilityArgs(PORTS),
            RuntimeConf.of("rt-pod-2", jPods.get(1).path(), "eth0").withCapabilityArgs(PORTS));
        List<String> generations = List.of();
        for (int i = 0; i < 2; i++) {
          if (i == 1 && leftover) {
            jHost.exec("iptables", "-t", "nat", "-N", masqChain);
          }
          if (i != watched) {
            jcni.addNetworkList(list, rts.get(i));
            continue;
          }
          try (NftMonitor monitor = NftMonitor.start(jHost)) {
            jcni.addNetworkList(list, rts.get(i));
            generations = monitor.generationsUntilMark();
          }
        }
        if (leftover) {
          assertTrue(generations.size() > 1, "the combined transaction should have been refused: " + generations);
        } else {
          assertEquals(1, generations.size(), param + ": transactions of the watched ADD: " + generations);
          // the kernel names the thread that committed (15 characters of it): this JVM's thread in the host
          // namespace, not a program
          String thread = ("netns-" + jHost.name()).substring(0, 15);
          assertTrue(generations.get(0).endsWith("(" + thread + ")"), generations.get(0));
        }
        assertEquals(goAdded, State.awaiting(goAdded, jHost, jPods.get(1)),
            file + ": state after the second ADD, Go (expected) and in-process (actual)");
        jcni.checkNetworkList(list, rts.get(1));
        try (NftMonitor monitor = NftMonitor.start(jHost)) {
          jcni.delNetworkList(list, rts.get(1));
          generations = monitor.generationsUntilMark();
        }
        // the second pod's DEL: every plugin's removal in one transaction, the address released after it
        assertEquals(1, generations.size(), param + ": transactions of the second pod's DEL: " + generations);
        assertEquals(goDeleted, State.awaiting(goDeleted, jHost, jPods.get(0)),
            file + ": state after the second pod's DEL, Go (expected) and in-process (actual)");
        jcni.delNetworkList(list, rts.get(0));
      }
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * The nftables backends (the bridge's masquerade and portmap, `"backend":"nftables"`), which Debian's 1.1.1 lacks:
   * a second pod's ADD and its DEL are one transaction each, and the ruleset after each equals what the same
   * plugins leave called one by one (each plugin's own transaction, through a caller's invoker, which defers
   * nothing), read with {@code nft list ruleset}.
   */
  @org.junit.jupiter.api.Test
  void theNftablesBackendsOfAChainAreOneTransactionToo() throws Exception {
    Path tmp = Files.createTempDirectory("jt-conflists");
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(Files.readAllBytes(EXAMPLES.resolve("10-containerd-net.conflist")));
      ((ObjectNode) root.path("plugins").get(0)).put("ipMasqBackend", "nftables");
      ((ObjectNode) root.path("plugins").get(1)).put("backend", "nftables");
      byte[] conflist = JSON.writeValueAsBytes(root);
      TestNetns joint = pool.create("rtn");
      TestNetns single = pool.create("rts");
      List<TestNetns> jointPods = List.of(pool.create("rtn1"), pool.create("rtn2"));
      List<TestNetns> singlePods = List.of(pool.create("rts1"), pool.create("rts2"));
      try (NetNs jointNs = NetNs.open(Path.of(joint.path())); NetNs singleNs = NetNs.open(Path.of(single.path()))) {
        NetworkConfigList jointList = withDataDir(conflist, tmp.resolve("ipam-joint"));
        NetworkConfigList singleList = withDataDir(conflist, tmp.resolve("ipam-single"));
        CniConfig together = inProcess(jointNs, tmp.resolve("cache-joint"), tmp.resolve("no-plugins"));
        PluginRegistry registry = registry(singleNs);
        CniConfig oneByOne = CniConfig.builder().path(List.of()).cacheDir(tmp.resolve("cache-single"))
            .invoker(new io.jcni.libcni.internal.invoke.DispatchingInvoker(registry, registry::has,
                (command, type, args) -> {
                  throw new AssertionError("exec'd " + type);
                }))
            .build();
        List<String> generations = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          RuntimeConf rt = RuntimeConf.of("rt-pod-" + i, jointPods.get(i).path(), "eth0").withCapabilityArgs(PORTS);
          oneByOne.addNetworkList(singleList,
              RuntimeConf.of("rt-pod-" + i, singlePods.get(i).path(), "eth0").withCapabilityArgs(PORTS));
          if (i == 0) {
            together.addNetworkList(jointList, rt);
            continue;
          }
          try (NftMonitor monitor = NftMonitor.start(joint)) {
            together.addNetworkList(jointList, rt);
            generations.addAll(monitor.generationsUntilMark());
          }
        }
        assertEquals(1, generations.size(), "transactions of the second ADD: " + generations);
        assertEquals(single.exec("nft", "list", "ruleset"), joint.exec("nft", "list", "ruleset"), "after ADD");

        generations.clear();
        oneByOne.delNetworkList(singleList,
            RuntimeConf.of("rt-pod-1", singlePods.get(1).path(), "eth0").withCapabilityArgs(PORTS));
        try (NftMonitor monitor = NftMonitor.start(joint)) {
          together.delNetworkList(jointList,
              RuntimeConf.of("rt-pod-1", jointPods.get(1).path(), "eth0").withCapabilityArgs(PORTS));
          generations.addAll(monitor.generationsUntilMark());
        }
        assertEquals(1, generations.size(), "transactions of the second pod's DEL: " + generations);
        String afterDel = joint.exec("nft", "list", "ruleset");
        assertEquals(single.exec("nft", "list", "ruleset"), afterDel, "after DEL");
        assertTrue(afterDel.contains("rt-pod-0") && !afterDel.contains("rt-pod-1"), afterDel);
        together.delNetworkList(jointList,
            RuntimeConf.of("rt-pod-0", jointPods.get(0).path(), "eth0").withCapabilityArgs(PORTS));
        oneByOne.delNetworkList(singleList,
            RuntimeConf.of("rt-pod-0", singlePods.get(0).path(), "eth0").withCapabilityArgs(PORTS));
      }
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * Eight pods attached at once to a host whose nat and filter tables are empty: every ADD succeeds, and the shared
   * chains' entry rules exist once each, as iptables-save shows; the chains' changes were planned under this
   * process's table locks where they made shared state, and without them otherwise.
   */
  @org.junit.jupiter.api.Test
  void concurrentFirstAddsMakeTheSharedChainsOnce() throws Exception {
    Path tmp = Files.createTempDirectory("jt-conflists");
    try {
      TestNetns jHost = pool.create("rtc");
      builtinChains(jHost, tmp);
      NetworkConfigList list = withDataDir(Files.readAllBytes(EXAMPLES.resolve("87-podman.conflist")),
          tmp.resolve("ipam"));
      List<RuntimeConf> rts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        rts.add(RuntimeConf.of("rt-pod-" + i, pool.create("rtc" + i).path(), "eth0").withCapabilityArgs(PORTS));
      }
      try (NetNs host = NetNs.open(Path.of(jHost.path()))) {
        CniConfig jcni = inProcess(host, tmp.resolve("cache"), tmp.resolve("no-plugins"));
        var pool8 = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
          List<java.util.concurrent.Future<?>> adds = new ArrayList<>();
          for (RuntimeConf rt : rts) {
            adds.add(pool8.submit(() -> jcni.addNetworkList(list, rt)));
          }
          for (var f : adds) {
            f.get();
          }
        } finally {
          pool8.shutdown();
        }
        String save = jHost.exec("iptables-save");
        for (String rule : List.of("-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
            "-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
            "-A POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ",
            "-A FORWARD -m comment --comment \"CNI firewall plugin rules\" -j CNI-FORWARD",
            "-A CNI-FORWARD -m comment --comment \"CNI firewall plugin admin overrides\" -j CNI-ADMIN")) {
          assertEquals(1, save.lines().filter(rule::equals).count(), rule + " in\n" + save);
        }
        assertEquals(8, save.lines().filter(l -> l.startsWith(":CNI-DN-")).count(), save);
        assertEquals(8, save.lines().filter(l -> l.startsWith("-A CNI-HOSTPORT-DNAT ")).count(), save);
        for (RuntimeConf rt : rts) {
          jcni.checkNetworkList(list, rt);
          jcni.delNetworkList(list, rt);
        }
      }
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * A pod whose ADD fails in its last plugin (tuning, on a sysctl the kernel does not have) after bridge, portmap and
   * firewall have deferred their rule changes: the ADD fails, what it deferred is never committed, and the host's
   * rules and links are as the first pod left them; the first pod's attachment still checks.
   */
  @org.junit.jupiter.api.Test
  void anAddFailingAfterTheOthersDeferredLeavesTheHostAsItWas() throws Exception {
    Path tmp = Files.createTempDirectory("jt-conflists");
    try {
      byte[] conflist = Files.readAllBytes(EXAMPLES.resolve("87-podman.conflist"));
      TestNetns jHost = pool.create("rtf");
      List<TestNetns> jPods = List.of(pool.create("rtf1"), pool.create("rtf2"));
      NetworkConfigList list = withDataDir(conflist, tmp.resolve("ipam"));
      ObjectNode bad = (ObjectNode) JSON.readTree(list.bytes());
      ((ObjectNode) bad.path("plugins").get(3)).putObject("sysctl").put("net.ipv4.conf.IFNAME.jt_missing", "1");
      NetworkConfigList failing = ConfLoader.confListFromBytes(JSON.writeValueAsBytes(bad));
      try (NetNs host = NetNs.open(Path.of(jHost.path()))) {
        CniConfig jcni = inProcess(host, tmp.resolve("cache"), tmp.resolve("no-plugins"));
        RuntimeConf first = RuntimeConf.of("rt-pod-1", jPods.get(0).path(), "eth0").withCapabilityArgs(PORTS);
        jcni.addNetworkList(list, first);
        State before = State.settled(jHost, jPods.get(0));

        RuntimeConf second = RuntimeConf.of("rt-pod-2", jPods.get(1).path(), "eth0").withCapabilityArgs(PORTS);
        CniException e = assertThrows(CniException.class, () -> jcni.addNetworkList(failing, second));
        assertTrue(e.getMessage().startsWith("plugin type=\"tuning\" failed (add): "), e.getMessage());
        assertEquals(before, State.awaiting(before, jHost, jPods.get(0)), "the host after the failed ADD");
        assertEquals(List.of("10.231.0.2", "lock"), files(tmp.resolve("ipam").resolve(list.name())).stream()
            .filter(f -> !f.startsWith("last_reserved_ip")).toList(), "addresses held");
        jcni.checkNetworkList(list, first);
        jcni.delNetworkList(list, first);
      }
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * portmap's {@code route_localnet} (which no DEL resets, as in Go) is set only when the ADD has nothing else left
   * that can fail: a pod on a bridge that no port mapping has used yet, whose ADD fails after portmap returned (in
   * tuning, in-process; in an exec'd plugin after the chain's rules were committed), leaves the bridge's
   * {@code route_localnet} at 0 (the kernel's value, read in /proc); the next pod's ADD that succeeds sets it.
   */
  @org.junit.jupiter.api.Test
  void anAddThatFailsLeavesRouteLocalnetAsItWas() throws Exception {
    Path tmp = Files.createTempDirectory("jt-conflists");
    try {
      TestNetns jHost = pool.create("rlh");
      List<TestNetns> jPods = List.of(pool.create("rlh1"), pool.create("rlh2"), pool.create("rlh3"),
          pool.create("rlh4"));
      NetworkConfigList list = withDataDir(Files.readAllBytes(EXAMPLES.resolve("87-podman.conflist")),
          tmp.resolve("ipam"));
      ObjectNode noPorts = (ObjectNode) JSON.readTree(list.bytes());
      ((com.fasterxml.jackson.databind.node.ArrayNode) noPorts.path("plugins")).remove(1);
      ObjectNode bad = (ObjectNode) JSON.readTree(list.bytes());
      ((ObjectNode) bad.path("plugins").get(3)).putObject("sysctl").put("net.ipv4.conf.IFNAME.jt_missing", "1");
      ObjectNode execFails = (ObjectNode) JSON.readTree(list.bytes());
      ((com.fasterxml.jackson.databind.node.ArrayNode) execFails.path("plugins")).addObject().put("type", "jt-fails");
      Path bin = Files.createDirectories(tmp.resolve("bin"));
      Files.writeString(bin.resolve("jt-fails"), "#!/bin/sh\ncat >/dev/null\nif [ \"$CNI_COMMAND\" = ADD ]; then"
          + " printf '{\"cniVersion\":\"0.4.0\",\"code\":11,\"msg\":\"jt refuses\"}'; exit 1; fi\n");
      Files.setPosixFilePermissions(bin.resolve("jt-fails"), PosixFilePermissions.fromString("rwxr-xr-x"));
      String routeLocalnet = "/proc/sys/net/ipv4/conf/jcnipod0/route_localnet";
      try (NetNs host = NetNs.open(Path.of(jHost.path()))) {
        CniConfig jcni = inProcess(host, tmp.resolve("cache"), bin);
        jcni.addNetworkList(ConfLoader.confListFromBytes(JSON.writeValueAsBytes(noPorts)),
            RuntimeConf.of("rl-pod-1", jPods.get(0).path(), "eth0"));
        assertEquals("0", TestNetns.run("ip", "netns", "exec", jHost.name(), "cat", routeLocalnet).trim());

        RuntimeConf second = RuntimeConf.of("rl-pod-2", jPods.get(1).path(), "eth0").withCapabilityArgs(PORTS);
        CniException e = assertThrows(CniException.class,
            () -> jcni.addNetworkList(ConfLoader.confListFromBytes(JSON.writeValueAsBytes(bad)), second));
        assertTrue(e.getMessage().startsWith("plugin type=\"tuning\" failed (add): "), e.getMessage());
        assertEquals("0", TestNetns.run("ip", "netns", "exec", jHost.name(), "cat", routeLocalnet).trim(),
            "route_localnet after the failed ADD");
        RuntimeConf fourth = RuntimeConf.of("rl-pod-4", jPods.get(3).path(), "eth0").withCapabilityArgs(PORTS);
        e = assertThrows(CniException.class,
            () -> jcni.addNetworkList(ConfLoader.confListFromBytes(JSON.writeValueAsBytes(execFails)), fourth));
        assertTrue(e.getMessage().startsWith("plugin type=\"jt-fails\" failed (add): jt refuses"), e.getMessage());
        assertEquals("0", TestNetns.run("ip", "netns", "exec", jHost.name(), "cat", routeLocalnet).trim(),
            "route_localnet after an ADD that failed in an exec'd plugin");

        jcni.addNetworkList(list, RuntimeConf.of("rl-pod-3", jPods.get(2).path(), "eth0").withCapabilityArgs(PORTS));
        assertEquals("1", TestNetns.run("ip", "netns", "exec", jHost.name(), "cat", routeLocalnet).trim(),
            "route_localnet after an ADD with port mappings");
      }
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * {@code nft monitor} in a namespace: the transactions committed there, each as the kernel announces it ("# new
   * generation N by process P (comm)"), between a first and a last mark of this test's own.
   */
  private static final class NftMonitor implements AutoCloseable {
    private final TestNetns ns;
    private final Process process;
    private final java.io.BufferedReader out;

    private NftMonitor(TestNetns ns) throws IOException {
      this.ns = ns;
      this.process = new ProcessBuilder("ip", "netns", "exec", ns.name(), "nft", "monitor")
          .redirectErrorStream(true).start();
      this.out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Starts the monitor and returns once it has seen a mark, so that it sees every transaction after it. */
    static NftMonitor start(TestNetns ns) throws IOException {
      NftMonitor m = new NftMonitor(ns);
      for (int i = 0; ; i++) {
        m.mark("jt_mon_start_" + i);
        if (m.readUntil("jt_mon_start_" + i, 2000) != null) {
          return m;
        }
        if (i >= 20) {
          throw new IOException("nft monitor shows nothing");
        }
      }
    }

    /** The generation lines from the start until a final mark, not counting the marks' own. */
    List<String> generationsUntilMark() throws IOException {
      mark("jt_mon_end");
      List<String> seen = readUntil("jt_mon_end", 10_000);
      if (seen == null) {
        throw new IOException("nft monitor did not show the final mark");
      }
      return seen.stream().filter(l -> l.startsWith("# new generation")).toList();
    }

    private final List<String> marks = new ArrayList<>();

    /** An empty table of this test's, made in a transaction of its own; {@link #close} removes it. */
    private void mark(String table) throws IOException {
      ns.exec("nft", "add", "table", "inet", table);
      marks.add(table);
    }

    /**
     * The lines before the first mentioning {@code table} (whose generation line is read too), or null when it
     * does not come within {@code millis}.
     */
    private List<String> readUntil(String table, long millis) throws IOException {
      List<String> lines = new ArrayList<>();
      long end = System.nanoTime() + millis * 1_000_000L;
      while (System.nanoTime() < end) {
        if (!out.ready()) {
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
          continue;
        }
        String line = out.readLine();
        if (line == null) {
          return null;
        }
        if (line.contains(table)) {
          out.readLine(); // its generation
          return lines;
        }
        lines.add(line);
      }
      return null;
    }

    @Override
    public void close() throws IOException {
      process.destroyForcibly();
      for (String table : marks) {
        ns.exec("nft", "delete", "table", "inet", table);
      }
    }
  }

  /**
   * libcni running the plugins of the conflists in-process with {@code host} as their host namespace, and a plugin
   * path on which no binary can be found: an exec of any plugin would fail the operation.
   */
  private static CniConfig inProcess(NetNs host, Path cache, Path noPlugins) {
    PluginRegistry registry = registry(host);
    return CniConfig.builder().path(List.of(noPlugins.toString())).cacheDir(cache).inline(registry, registry::has)
        .build();
  }

  /** The plugins of the conflists, in-process with {@code host} as their host namespace. */
  private static PluginRegistry registry(NetNs host) {
    return PluginRegistry.empty().register(new BridgePlugin(host)).register(new HostLocalPlugin())
        .register(new PortMapPlugin(host)).register(new FirewallPlugin(host)).register(new TuningPlugin());
  }

  /**
   * Makes the nat and filter tables of both families in {@code ns} with their built-in chains and nothing else, as
   * a host has them once anything has used iptables: an ADD on it makes only the CNI chains.
   */
  private static void builtinChains(TestNetns ns, Path tmp) throws IOException, InterruptedException {
    Path script = tmp.resolve("builtin-chains");
    Files.writeString(script, "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        + ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
        + ":OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    for (String restore : List.of("iptables-restore", "ip6tables-restore")) {
      Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(), restore, "--noflush")
          .redirectInput(script.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), restore + ": " + out);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
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
