package io.jcni.plugins.internal.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A throw-away world for one bridge test: a "host" namespace (where the bridge and host veths live), container
 * namespaces made on demand, a temporary host-local store, a unique bridge name, and the jcni plugin bound to the
 * host namespace. Closing it deletes the namespaces (and with them every link and firewall rule) and the store.
 */
final class BridgeEnv implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final TestNetns hostNs;
  final NetNs host;
  final Path dataDir;
  final String bridge;
  final String network;
  final BridgePlugin plugin;
  final TestContext ctx;
  private final List<TestNetns> containers = new ArrayList<>();

  private BridgeEnv(TestNetns hostNs, NetNs host, Path dataDir, TestContext ctx, String tag) {
    this.hostNs = hostNs;
    this.host = host;
    this.dataDir = dataDir;
    this.ctx = ctx;
    this.bridge = "jtbr" + tag;
    this.network = "jtnet" + tag;
    this.plugin = new BridgePlugin(host);
  }

  /** Requires root, then builds the world; IPAM runs as {@link TestContext#standard()} decides. */
  static BridgeEnv create() throws IOException {
    return create(TestContext.standard());
  }

  static BridgeEnv create(TestContext ctx) throws IOException {
    return create(ctx, Integer.toHexString(0x100000 | ThreadLocalRandom.current().nextInt(0xfffff)).substring(1));
  }

  /** A second world with the same bridge and network names as {@code other}, for side-by-side comparisons. */
  static BridgeEnv twinOf(BridgeEnv other) throws IOException {
    return create(other.ctx, other.bridge.substring(4));
  }

  private static BridgeEnv create(TestContext ctx, String tag) throws IOException {
    TestNetns hostNs = TestNetns.create("brh");
    NetNs host = null;
    try {
      host = NetNs.open(Path.of(hostNs.path()));
      Path dataDir = Files.createTempDirectory("jt-bridge-ipam");
      return new BridgeEnv(hostNs, host, dataDir, ctx, tag);
    } catch (IOException | RuntimeException e) {
      if (host != null) {
        host.close();
      }
      hostNs.close();
      throw e;
    }
  }

  /** A fresh container namespace, deleted with this world. */
  TestNetns container() throws IOException {
    TestNetns c = TestNetns.create("brc");
    containers.add(c);
    return c;
  }

  /**
   * A configuration for this world's bridge and network: {@code extra} is merged into {@code {cniVersion, name,
   * type, bridge}}; an {@code ipam} of type host-local gets this world's dataDir.
   */
  String conf(String cniVersion, String extra) throws IOException {
    ObjectNode c = JSON.createObjectNode();
    c.put("cniVersion", cniVersion);
    c.put("name", network);
    c.put("type", "bridge");
    c.put("bridge", bridge);
    ObjectNode e = (ObjectNode) JSON.readTree(extra);
    c.setAll(e);
    JsonNode ipam = c.get("ipam");
    if (ipam instanceof ObjectNode o && "host-local".equals(o.path("type").asText())) {
      o.put("dataDir", dataDir.toString());
    }
    return JSON.writeValueAsString(c);
  }

  /** Adds {@code prevResult} to a configuration, as a runtime does for CHECK and DEL. */
  static String withPrev(String conf, JsonNode result) throws IOException {
    ObjectNode c = (ObjectNode) JSON.readTree(conf);
    c.set("prevResult", result);
    return JSON.writeValueAsString(c);
  }

  static CmdArgs args(String cid, String netns, String ifName, String conf) {
    return args(cid, netns, ifName, conf, "");
  }

  static CmdArgs args(String cid, String netns, String ifName, String conf, String cniArgs) {
    return new CmdArgs(cid, netns, ifName, cniArgs, List.of(GoPlugin.DIR), conf.getBytes(StandardCharsets.UTF_8));
  }

  JsonNode add(CmdArgs a) throws CniException, IOException {
    return JSON.readTree(plugin.add(a, ctx));
  }

  void del(CmdArgs a) throws CniException {
    plugin.del(a, ctx);
  }

  void check(CmdArgs a) throws CniException {
    plugin.check(a, ctx);
  }

  /** Runs the Go bridge for {@code command} with this world's namespace as its host namespace. */
  byte[] go(Command command, CmdArgs a) throws CniException {
    return GoPlugin.of("bridge").in(hostNs.name()).run(command, a).orThrow();
  }

  /** The store directory of this world's network. */
  Path store() {
    return dataDir.resolve(network);
  }

  /** Store files other than the lock and last_reserved_ip.*: one per reserved address. */
  List<String> reserved() throws IOException {
    return KernelState.storeFiles(store()).stream()
        .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip"))
        .toList();
  }

  /**
   * The host's link names once the kernel has finished tearing down deleted namespaces: the veth of a container
   * whose namespace was deleted goes away asynchronously (netns cleanup runs in a kernel work queue), so this
   * polls for up to 10 s until the list equals {@code expected}, then returns whatever it is.
   */
  List<String> settledHostLinks(List<String> expected) throws IOException {
    List<String> now = linkNames(hostNs);
    for (int i = 0; i < 200 && !now.equals(expected); i++) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      now = linkNames(hostNs);
    }
    return now;
  }

  /** Names of the links in a namespace. */
  static List<String> linkNames(TestNetns ns) throws IOException {
    return KernelState.links(ns).stream().map(l -> l.path("ifname").asText()).toList();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (TestNetns c : containers) {
      try {
        // a test may have deleted it already, as a runtime does before a late DEL
        if (Files.exists(Path.of(c.path()))) {
          c.close();
        }
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    host.close();
    try {
      hostNs.close();
    } catch (IOException e) {
      first = first == null ? e : first;
    }
    try (Stream<Path> s = Files.walk(dataDir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    if (first != null) {
      throw first;
    }
  }
}
