package io.jcni.demo.multinode;

import io.jcni.demo.DemoBird;
import io.jcni.demo.DemoBirdConfig;
import io.jcni.libcni.runtime.Attachment;
import io.jcni.libcni.runtime.CniRuntime;
import io.jcni.libcni.runtime.NetworkRequest;
import io.jcni.libcni.runtime.Placement;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Result100;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Nodes as network namespaces on one machine: an underlay bridge {@code jtul} in a namespace of its own, joined
 * by a veth to each node (node N has {@code 10.231.0.N/24} on its end {@code jtul0} and the pod CIDR
 * {@code 10.231.N.0/24}); on each node a jcni runtime for the {@link NodeNetwork} and a BIRD daemon in an iBGP
 * full mesh with the others. Closing it detaches the pods, stops the daemons and deletes every namespace and
 * temporary file, also after a failure half-way through {@link #create}.
 */
final class Cluster implements AutoCloseable {
  static final String UNDERLAY_PREFIX = "10.231.0.";
  static final int ASN = 64512;
  static final String IFNAME = "eth0";
  /** How long BGP sessions may take to come up, and routes to appear or go. */
  static final Duration SETTLE = Duration.ofSeconds(30);

  private final NodeNetwork network;
  private final Path dir;
  private final List<TestNetns> namespaces = new ArrayList<>();
  private final List<NetNs> handles = new ArrayList<>();
  private final List<DemoBird> daemons = new ArrayList<>();
  private final List<CniRuntime> runtimes = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private final List<Pod> pods = new ArrayList<>();
  private final String tag = Integer.toHexString(0x10000 | ThreadLocalRandom.current().nextInt(0xffff)).substring(1);
  private int podCount;

  private Cluster(NodeNetwork network, Path dir) {
    this.network = network;
    this.dir = dir;
  }

  /** Builds {@code count} nodes on {@code network} and waits until every BGP session is Established. */
  static Cluster create(NodeNetwork network, int count) throws IOException {
    Cluster c = new Cluster(network, Files.createTempDirectory("jt-bgp-cluster"));
    try {
      c.build(count);
      return c;
    } catch (IOException | RuntimeException | Error e) {
      try {
        c.close();
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void build(int count) throws IOException {
    TestNetns underlay = namespace("bgpu");
    underlay.ip("link", "add", "jtul", "type", "bridge");
    underlay.ip("link", "set", "jtul", "up");
    List<String> addresses = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      addresses.add(UNDERLAY_PREFIX + n);
    }
    for (int n = 1; n <= count; n++) {
      TestNetns ns = namespace("bgpn" + n);
      underlay.ip("link", "add", "jtu" + n, "type", "veth", "peer", "name", "jtul0", "netns", ns.name());
      underlay.ip("link", "set", "jtu" + n, "master", "jtul", "up");
      String address = addresses.get(n - 1);
      ns.ip("addr", "add", address + "/24", "dev", "jtul0");
      ns.ip("link", "set", "jtul0", "up");
      // a node's uplink, as on a real node: proxy ARP (jcni-routed's gateway 169.254.1.1) answers only for an
      // address the node has a route to through another interface
      ns.ip("route", "add", "default", "dev", "jtul0");
      ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1"); // a node routes for its pods
      NetNs handle = NetNs.open(Path.of(ns.path()));
      handles.add(handle);
      String podCidr = "10.231." + n + ".0/24";
      Path nodeDir = dir.resolve("node" + n);
      Path confDir = Files.createDirectories(nodeDir.resolve("net.d"));
      Files.writeString(confDir.resolve("10-" + NodeNetwork.NAME + ".conflist"),
          network.conflist(podCidr, nodeDir.resolve("ipam")));
      CniRuntime cni = CniRuntime.builder()
          .confDir(confDir)
          .cacheDir(nodeDir.resolve("cache"))
          .pluginPath(List.of(GoPlugin.DIR))
          .registry(network.registry(handle, ns.name()))
          .placement(Placement.inlineWhenRegistered())
          .timeout(Duration.ofSeconds(30))
          .build();
      runtimes.add(cni);
      List<String> peers = addresses.stream().filter(a -> !a.equals(address)).toList();
      DemoBird bird = DemoBird.start(handle, new DemoBirdConfig(address, ASN, podCidr, peers),
          nodeDir.resolve("bird"));
      daemons.add(bird);
      nodes.add(new Node(n, ns, handle, address, podCidr, cni, bird));
    }
    for (Node node : nodes) {
      List<String> sessions = addresses.stream().filter(a -> !a.equals(node.address()))
          .map(DemoBirdConfig::sessionName).toList();
      node.bird().awaitEstablished(sessions, SETTLE);
    }
  }

  private TestNetns namespace(String prefix) throws IOException {
    TestNetns ns = TestNetns.createWithLoopback(prefix + tag);
    namespaces.add(ns);
    return ns;
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  Node node(int index) {
    return nodes.get(index - 1);
  }

  NodeNetwork network() {
    return network;
  }

  /** A new pod attached on {@code node}. */
  Pod addPod(Node node) throws IOException, CniException {
    TestNetns ns = namespace("bgpp");
    String id = "jt-pod-" + tag + "-" + (++podCount);
    List<Attachment> a = node.cni().attach(id, ns.path(), List.of(NetworkRequest.of(NodeNetwork.NAME, IFNAME)));
    Result100 r = (Result100) a.get(0).result().convertTo("1.1.0");
    NetNs handle = NetNs.open(Path.of(ns.path()));
    handles.add(handle);
    Pod pod = new Pod(id, node, ns, handle, r.ips().get(0).address().ip());
    pods.add(pod);
    return pod;
  }

  /** Detaches {@code pod} from its node and deletes its namespace. */
  void deletePod(Pod pod) throws IOException, CniException {
    pods.remove(pod);
    pod.node().cni().detach(pod.id(), pod.ns().path(), List.of(NetworkRequest.of(NodeNetwork.NAME, IFNAME)));
    pod.handle().close();
    handles.remove(pod.handle());
    pod.ns().close();
    namespaces.remove(pod.ns());
  }

  /** The destination {@code ip -j route} shows for the route that carries {@code pod} (its /32 or its CIDR). */
  String routeTo(Pod pod) {
    return network.hostRoutePerPod() ? pod.ip().getHostAddress() : pod.node().podCidr();
  }

  /**
   * Polls {@code node}'s routing table every 10 ms until a route to {@code dst} is there ({@code present}) or
   * gone, for at most {@link #SETTLE}; returns the nanoTime at which it was seen, or throws with the table.
   */
  static long awaitRoute(Node node, String dst, boolean present) throws IOException {
    long end = System.nanoTime() + SETTLE.toNanos();
    while (true) {
      var routes = node.routes();
      long seen = System.nanoTime();
      if (routes.containsKey(dst) == present) {
        return seen;
      }
      if (seen > end) {
        throw new AssertionError("after " + SETTLE.toSeconds() + " s " + node + " still " + (present ? "lacks" : "has")
            + " a route to " + dst + "; its routes: " + routes.values());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  /** The namespaces, daemon pids and files of this cluster that still exist; empty once it is closed. */
  List<String> leftovers() {
    List<String> left = new ArrayList<>();
    for (TestNetns ns : namespaces) {
      if (Files.exists(Path.of(ns.path()))) {
        left.add("namespace " + ns.name());
      }
    }
    for (DemoBird b : daemons) {
      if (ProcessHandle.of(b.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        left.add("bird pid " + b.pid());
      }
    }
    if (Files.exists(dir)) {
      left.add("directory " + dir);
    }
    return left;
  }

  /** Every namespace name this cluster made (kept after close, for checking that they are gone). */
  List<String> namespaceNames() {
    return namespaces.stream().map(TestNetns::name).toList();
  }

  @Override
  public void close() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Pod p : List.copyOf(pods)) {
      try {
        p.node().cni().detach(p.id(), p.ns().path(), List.of(NetworkRequest.of(NodeNetwork.NAME, IFNAME)));
      } catch (CniException | RuntimeException e) {
        problems.add("detach " + p + ": " + e.getMessage());
      }
    }
    pods.clear();
    daemons.forEach(DemoBird::close);
    runtimes.forEach(CniRuntime::close);
    handles.forEach(NetNs::close);
    handles.clear();
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      try {
        if (Files.exists(Path.of(namespaces.get(i).path()))) {
          namespaces.get(i).close();
        }
      } catch (IOException e) {
        problems.add(e.getMessage());
      }
    }
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    if (!problems.isEmpty()) {
      throw new IOException("cluster cleanup: " + String.join("; ", problems));
    }
  }
}
