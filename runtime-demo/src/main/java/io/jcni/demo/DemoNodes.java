package io.jcni.demo;

import io.jcni.libcni.runtime.CniRuntime;
import io.jcni.libcni.runtime.NetworkRequest;
import io.jcni.libcni.runtime.Placement;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result100;
import io.jcni.plugins.internal.linux.BridgeSpec;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.Route;
import io.jcni.plugins.internal.linux.RouteEntry;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import io.jcni.plugins.internal.linux.VethSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code jcni demo --nodes N}: a small cluster on this machine. N nodes are network namespaces joined by an
 * underlay bridge; each has its own pod CIDR, its own jcni runtime (in-process plugins acting on the node's
 * namespace as their host) and a BIRD 2 daemon in an iBGP full mesh that announces the node's pod routes. A pod is
 * attached on every node, the routes to the pods reach the other nodes, pods on different nodes exchange a line
 * over TCP, and everything is detached and removed.
 *
 * <p>Nothing happens in the namespace the demo is started in: the underlay, the nodes and the pods are namespaces
 * of their own, so undoing the demo is stopping its daemons, deleting its namespaces and its state directory
 * {@link #STATE} — after success, after a failure and on Ctrl-C alike.
 */
final class DemoNodes {
  static final Path STATE = Path.of("/run/jcni-demo-nodes");
  static final String UNDERLAY = "jcni-demo-underlay";
  static final String UNDERLAY_BRIDGE = "underlay0";
  static final String UNDERLAY_PREFIX = "10.231.0.";
  static final int ASN = 64512;
  static final String IFNAME = "eth0";
  static final int MAX_NODES = 9;
  /** The pod network of every node. */
  static final DemoPodNetwork POD_NETWORK = DemoPodNetwork.ROUTED;
  /** {@code rtm_protocol} of the routes BIRD installs ({@code /etc/iproute2/rt_protos}: bird). */
  private static final int RTPROT_BIRD = 12;
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final int STEPS = 8;

  private final int count;
  private final PrintStream out;
  private final DemoProgress progress;
  private final List<String> namespaces = new ArrayList<>();
  private final List<NetNs> handles = new ArrayList<>();
  private final List<DemoBird> daemons = new ArrayList<>();
  private final List<CniRuntime> runtimes = new ArrayList<>();
  private volatile boolean stopRequested;
  private boolean undone;

  private DemoNodes(int count, PrintStream out) {
    this.count = count;
    this.out = out;
    this.progress = new DemoProgress(out, STEPS);
  }

  /** One node: its namespace, underlay address, pod CIDR and runtime. */
  private record Node(int index, String name, NetNs ns, String address, String podCidr, CniRuntime cni) {}

  /** One pod: its namespace and address, and the node it runs on. */
  private record Pod(String name, Node node, NetNs ns, InetAddress ip) {}

  static String nodeName(int n) {
    return "jcni-demo-node" + n;
  }

  static String podName(int n) {
    return nodeName(n) + "-pod";
  }

  /** Runs the demo with {@code count} nodes; the exit status as {@link Demo#run}. */
  static int run(int count, PrintStream out, PrintStream err, boolean root) {
    if (count < 2 || count > MAX_NODES) {
      err.println("jcni demo: --nodes takes a number from 2 to " + MAX_NODES + ", not " + count);
      return 2;
    }
    if (!root) {
      err.println("jcni demo: needs root: it creates network namespaces and starts routing daemons "
          + "(try: sudo ./jcni demo --nodes " + count + ")");
      return 1;
    }
    if (!DemoBird.installed()) {
      err.println("jcni demo: --nodes needs BIRD 2 (" + DemoBird.BIRD + ", " + DemoBird.BIRDC + ") to route "
          + "between the nodes; install it with: apt-get install bird2");
      return 1;
    }
    DemoNodes demo = new DemoNodes(count, out);
    CountDownLatch settled = new CountDownLatch(1);
    // Ctrl-C: ask the demo to stop at its next step, wait for it to undo its work, undo whatever is left.
    Thread hook = new Thread(() -> {
      demo.stopRequested = true;
      try {
        settled.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<String> problems = demo.undo();
      if (!problems.isEmpty()) {
        System.err.println("jcni demo: interrupted; could not undo: " + String.join("; ", problems));
      }
    }, "jcni-demo-nodes-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      demo.runSteps();
      out.println("jcni demo: ok — " + count + " nodes on BGP, a pod on each, TCP across nodes, all removed");
      return 0;
    } catch (Demo.DemoFailure e) {
      demo.progress.closeLine();
      out.println("      undoing what the demo made …");
      List<String> problems = demo.undo();
      err.println("jcni demo: " + e.getMessage()
          + (problems.isEmpty() ? "" : "; could not undo: " + String.join("; ", problems)));
      return 1;
    } finally {
      settled.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it has what it needs
      }
    }
  }

  private void runSteps() throws Demo.DemoFailure {
    preflight();
    begin("creating the underlay " + UNDERLAY_PREFIX + "0/24 and " + count + " nodes");
    List<Node> nodes = new ArrayList<>();
    try {
      NetNs underlay = namespace(UNDERLAY);
      int bridgeIndex;
      try (RtNetlink nl = RtNetlink.open(underlay)) {
        bridgeIndex = nl.createBridge(BridgeSpec.named(UNDERLAY_BRIDGE)).index();
        nl.setUp(UNDERLAY_BRIDGE);
      }
      for (int n = 1; n <= count; n++) {
        nodes.add(node(n, underlay, bridgeIndex));
      }
    } catch (IOException e) {
      throw new Demo.DemoFailure("cannot build the nodes: " + e.getMessage(), e);
    }
    ok(nodes.stream().map(n -> n.name() + " " + n.address() + " pods " + n.podCidr()).toList().toString());

    begin("starting BIRD on each node: iBGP AS " + ASN + ", full mesh over the underlay");
    try {
      List<String> addresses = nodes.stream().map(Node::address).toList();
      for (Node n : nodes) {
        List<String> peers = addresses.stream().filter(a -> !a.equals(n.address())).toList();
        daemons.add(DemoBird.start(n.ns(), new DemoBirdConfig(n.address(), ASN, n.podCidr(), peers),
            STATE.resolve(n.name()).resolve("bird")));
      }
      for (int i = 0; i < nodes.size(); i++) {
        String self = nodes.get(i).address();
        daemons.get(i).awaitEstablished(addresses.stream().filter(a -> !a.equals(self))
            .map(DemoBirdConfig::sessionName).toList(), SETTLE);
      }
    } catch (IOException e) {
      throw new Demo.DemoFailure("BIRD: " + e.getMessage(), e);
    }
    ok(count * (count - 1) + " sessions Established");

    begin("attaching a pod on each node (" + POD_NETWORK.description() + ")");
    List<Pod> pods = new ArrayList<>();
    for (Node n : nodes) {
      pods.add(attach(n));
    }
    ok("");
    for (Pod p : pods) {
      out.println("      " + p.name() + " on " + p.node().name() + ": " + p.ip().getHostAddress());
    }

    begin("waiting until every node has a BGP route to every other node's pods");
    long start = System.nanoTime();
    List<String> times = new ArrayList<>();
    for (Pod p : pods) {
      long last = 0;
      for (Node n : nodes) {
        if (n != p.node()) {
          last = Math.max(last, awaitRoute(n, p) - start);
        }
      }
      times.add(p.name() + " " + last / 1_000_000 + " ms");
    }
    ok(String.join(", ", times));

    Pod server = pods.get(0);
    Pod client = pods.get(pods.size() - 1);
    begin("TCP exchange: " + client.name() + " connects to " + server.name() + " at "
        + server.ip().getHostAddress() + " across the underlay");
    String line = "hello from " + client.name();
    String prefix = "hello back from " + server.name() + ", you said: ";
    DemoTcp.Exchange ex;
    try {
      ex = DemoTcp.exchange(server.ns(), server.ip(), client.ns(), line, prefix);
    } catch (IOException e) {
      throw new Demo.DemoFailure("TCP exchange across the nodes failed: " + e.getMessage(), e);
    }
    if (!line.equals(ex.received()) || !(prefix + line).equals(ex.reply())) {
      throw new Demo.DemoFailure("TCP exchange garbled: server got " + ex.received() + ", client got " + ex.reply());
    }
    ok("port " + ex.port() + ": \"" + ex.received() + "\" → \"" + ex.reply() + "\"");

    begin("detaching the pods");
    for (Pod p : pods) {
      try {
        p.node().cni().detach(p.name(), NetNs.pathOf(p.name()).toString(),
            List.of(NetworkRequest.of(DemoPodNetwork.NAME, IFNAME)));
        if (!p.node().cni().cachedAttachments("").isEmpty()) {
          throw new Demo.DemoFailure(p.node().name() + "'s result cache still holds "
              + p.node().cni().cachedAttachments(""));
        }
      } catch (CniException e) {
        throw new Demo.DemoFailure("detach " + p.name() + ": " + e.getMessage(), e);
      }
    }
    ok("result caches empty");

    begin("stopping the daemons, removing namespaces and " + STATE);
    List<String> problems = undo();
    if (!problems.isEmpty()) {
      throw new Demo.DemoFailure("cleanup: " + String.join("; ", problems));
    }
    ok("");

    begin("verifying nothing is left");
    List<String> left = leftovers();
    if (!left.isEmpty()) {
      throw new Demo.DemoFailure("left behind: " + String.join(", ", left));
    }
    ok("no daemon, namespace or file left");
  }

  /** Node {@code n}: its namespace, a veth to the underlay bridge, its address and forwarding, its runtime. */
  private Node node(int n, NetNs underlay, int bridgeIndex) throws IOException {
    String name = nodeName(n);
    NetNs ns = namespace(name);
    String address = UNDERLAY_PREFIX + n;
    try (RtNetlink ul = RtNetlink.open(underlay)) {
      String port = "node" + n;
      ul.createVeth(VethSpec.of(port, "underlay").withMaster(bridgeIndex).withPeerIn(ns));
      ul.setUp(port);
    }
    try (RtNetlink nl = RtNetlink.open(ns)) {
      nl.setUp("lo");
      nl.addAddress("underlay", IpNet.of(InetAddress.getByName(address), 24), Set.of());
      nl.setUp("underlay");
      // the node's uplink, as on a real node: proxy ARP (a routed attachment's gateway 169.254.1.1) answers only
      // for an address the node has a route to through another interface
      nl.addRoute(Route.of(Family.IPV4.wholeSpace(), null, nl.link("underlay").index()).withScope(Route.SCOPE_LINK));
    }
    Sysctl.write(ns, "net/ipv4/ip_forward", "1"); // the node routes for its pods
    String podCidr = "10.231." + n + ".0/24";
    Path dir = STATE.resolve(name);
    Path confDir = Files.createDirectories(dir.resolve("net.d"));
    Files.writeString(confDir.resolve("10-" + DemoPodNetwork.NAME + ".conflist"),
        POD_NETWORK.conflist(podCidr, dir.resolve("ipam")));
    PluginRegistry registry = PluginRegistry.discover();
    for (CniPlugin p : POD_NETWORK.hostBound(ns)) {
      registry.register(p);
    }
    CniRuntime cni = CniRuntime.builder()
        .confDir(confDir)
        .cacheDir(dir.resolve("cache"))
        .pluginPath(List.of())
        .registry(registry)
        .placement(Placement.inlineWhenRegistered())
        .timeout(Duration.ofSeconds(30))
        .build();
    runtimes.add(cni);
    return new Node(n, name, ns, address, podCidr, cni);
  }

  private Pod attach(Node node) throws Demo.DemoFailure {
    String name = podName(node.index());
    try {
      NetNs ns = namespace(name);
      try (RtNetlink nl = RtNetlink.open(ns)) {
        nl.setUp("lo");
      }
      var a = node.cni().attach(name, NetNs.pathOf(name).toString(),
          List.of(NetworkRequest.of(DemoPodNetwork.NAME, IFNAME)));
      Result100 r = (Result100) a.get(0).result().convertTo("1.1.0");
      return new Pod(name, node, ns, r.ips().get(0).address().ip());
    } catch (IOException e) {
      throw new Demo.DemoFailure("cannot make " + name + ": " + e.getMessage(), e);
    } catch (CniException e) {
      throw new Demo.DemoFailure("attach " + name + " on " + node.name() + ": " + e.getMessage()
          + " (CNI error " + e.code() + ")", e);
    }
  }

  /** Waits until {@code node} has a route learned by BIRD that covers {@code pod}; returns when it saw it. */
  private long awaitRoute(Node node, Pod pod) throws Demo.DemoFailure {
    long end = System.nanoTime() + SETTLE.toNanos();
    try (RtNetlink nl = RtNetlink.open(node.ns())) {
      while (true) {
        for (RouteEntry r : nl.routes(Family.IPV4, 254)) {
          if (r.protocol() == RTPROT_BIRD && r.dst().contains(pod.ip())) {
            return System.nanoTime();
          }
        }
        if (System.nanoTime() > end || stopRequested) {
          throw new Demo.DemoFailure(node.name() + " has no BGP route to " + pod.name() + " ("
              + pod.ip().getHostAddress() + ") after " + SETTLE.toSeconds() + " s");
        }
        Thread.sleep(5);
      }
    } catch (IOException e) {
      throw new Demo.DemoFailure("cannot read the routes of " + node.name() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Demo.DemoFailure("interrupted", e);
    }
  }

  /** Creates the namespace {@code name}, recorded for undo. */
  private NetNs namespace(String name) throws IOException {
    synchronized (this) {
      namespaces.add(name);
    }
    NetNs ns = NetNs.create(name);
    synchronized (this) {
      handles.add(ns);
    }
    return ns;
  }

  /** Refuses to run over namespaces it did not make; tidies up after a demo that was killed. */
  private void preflight() throws Demo.DemoFailure {
    Path marker = STATE.resolve("owner");
    List<String> ours = new ArrayList<>(List.of(UNDERLAY));
    for (int n = 1; n <= MAX_NODES; n++) {
      ours.add(nodeName(n));
      ours.add(podName(n));
    }
    try {
      if (Files.exists(marker)) {
        long pid = Long.parseLong(Files.readString(marker).trim());
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          throw new Demo.DemoFailure("another jcni demo --nodes is running (pid " + pid + ")");
        }
        DemoNodesLeftovers.tidy(STATE, ours);
      }
      for (String s : ours) {
        if (Files.exists(NetNs.pathOf(s))) {
          throw new Demo.DemoFailure("network namespace " + s + " exists and was not made by jcni demo; remove it "
              + "with: ip netns del " + s);
        }
      }
      Files.createDirectories(STATE);
      Files.writeString(marker, ProcessHandle.current().pid() + "\n");
    } catch (IOException | NumberFormatException e) {
      throw new Demo.DemoFailure("cannot prepare " + STATE + ": " + e.getMessage(), e);
    }
  }

  /** Stops the daemons and removes the namespaces and the state directory, at most once; returns what failed. */
  private synchronized List<String> undo() {
    List<String> problems = new ArrayList<>();
    if (undone) {
      return problems;
    }
    undone = true;
    daemons.forEach(DemoBird::close);
    runtimes.forEach(CniRuntime::close);
    handles.forEach(NetNs::close);
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      String s = namespaces.get(i);
      try {
        if (Files.exists(NetNs.pathOf(s))) {
          NetNs.delete(s);
        }
      } catch (IOException | RuntimeException e) {
        problems.add("delete namespace " + s + ": " + e.getMessage());
      }
    }
    try {
      DemoNodesLeftovers.deleteTree(STATE);
    } catch (IOException e) {
      problems.add("remove " + STATE + ": " + e.getMessage());
    }
    return problems;
  }

  /** What the demo made that still exists. */
  private List<String> leftovers() {
    List<String> left = new ArrayList<>();
    for (DemoBird b : daemons) {
      if (b.alive()) {
        left.add("bird pid " + b.pid());
      }
    }
    for (String s : namespaces) {
      if (Files.exists(NetNs.pathOf(s))) {
        left.add("namespace " + NetNs.pathOf(s));
      }
    }
    if (Files.exists(STATE)) {
      left.add("directory " + STATE);
    }
    return left;
  }

  private void begin(String what) throws Demo.DemoFailure {
    if (stopRequested) {
      throw new Demo.DemoFailure("interrupted");
    }
    progress.begin(what);
  }

  private void ok(String detail) {
    progress.ok(detail);
  }
}
