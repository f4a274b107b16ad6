package io.jcni.plugins.internal.attach;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.hostlocal.HostLocalPlugin;
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
 * A throw-away world for tests of the veth plugins: a "host" namespace, container namespaces made on demand, a
 * temporary host-local store and a unique network name; host-local runs in process, other IPAM types are exec'd
 * from {@code /usr/lib/cni}. Closing it deletes the namespaces (and every link, route and rule in them) and the
 * store.
 */
public final class AttachEnv implements AutoCloseable, PluginContext {
  public static final ObjectMapper JSON = new ObjectMapper();

  public final TestNetns hostNs;
  public final NetNs host;
  public final Path dataDir;
  public final String network;
  private final List<TestNetns> containers = new ArrayList<>();
  private final HostLocalPlugin hostLocal = new HostLocalPlugin();

  private AttachEnv(TestNetns hostNs, NetNs host, Path dataDir, String network) {
    this.hostNs = hostNs;
    this.host = host;
    this.dataDir = dataDir;
    this.network = network;
  }

  /** A world with a fresh network name. */
  public static AttachEnv create() throws IOException {
    return create("jtnet" + Integer.toHexString(0x100000 | ThreadLocalRandom.current().nextInt(0xfffff)).substring(1));
  }

  /** A second world with the same network name as {@code other}, for side-by-side comparisons. */
  public static AttachEnv twinOf(AttachEnv other) throws IOException {
    return create(other.network);
  }

  private static AttachEnv create(String network) throws IOException {
    TestNetns hostNs = TestNetns.createWithLoopback("ath");
    try {
      NetNs host = NetNs.open(Path.of(hostNs.path()));
      return new AttachEnv(hostNs, host, Files.createTempDirectory("jt-attach-ipam"), network);
    } catch (IOException | RuntimeException e) {
      hostNs.close();
      throw e;
    }
  }

  /** A fresh container namespace (with loopback up), deleted with this world. */
  public TestNetns container() throws IOException {
    TestNetns c = TestNetns.createWithLoopback("atc");
    containers.add(c);
    return c;
  }

  /** {@code extra} merged into {@code {cniVersion, name, type}}; a host-local {@code ipam} gets this dataDir. */
  public String conf(String type, String cniVersion, String extra) throws IOException {
    ObjectNode c = JSON.createObjectNode();
    c.put("cniVersion", cniVersion);
    c.put("name", network);
    c.put("type", type);
    c.setAll((ObjectNode) JSON.readTree(extra));
    if (c.get("ipam") instanceof ObjectNode o && "host-local".equals(o.path("type").asText())) {
      o.put("dataDir", dataDir.toString());
    }
    return JSON.writeValueAsString(c);
  }

  /** Adds {@code prevResult} to a configuration, as a runtime does for CHECK and DEL. */
  public static String withPrev(String conf, JsonNode result) throws IOException {
    ObjectNode c = (ObjectNode) JSON.readTree(conf);
    c.set("prevResult", result);
    return JSON.writeValueAsString(c);
  }

  public static CmdArgs args(String cid, String netns, String ifName, String conf) {
    return new CmdArgs(cid, netns, ifName, "", List.of(GoPlugin.DIR), conf.getBytes(StandardCharsets.UTF_8));
  }

  /** Runs the Go plugin {@code type} for {@code command} with this world's namespace as its host namespace. */
  public byte[] go(String type, Command command, CmdArgs a) throws CniException {
    return GoPlugin.of(type).in(hostNs.name()).run(command, a).orThrow();
  }

  /** Files of the store other than the lock and last_reserved_ip.*: one per reserved address. */
  public List<String> reserved() throws IOException {
    Path dir = dataDir.resolve(network);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip")).sorted().toList();
    }
  }

  /** {@code ip -j <args>} in {@code ns}, parsed. */
  public static JsonNode ipJson(TestNetns ns, String... args) throws IOException {
    String[] full = new String[args.length + 1];
    full[0] = "-j";
    System.arraycopy(args, 0, full, 1, args.length);
    String out = ns.ip(full);
    return out.isBlank() ? JSON.createArrayNode() : JSON.readTree(out);
  }

  /** Names of the links in {@code ns}. */
  public static List<String> linkNames(TestNetns ns) throws IOException {
    List<String> out = new ArrayList<>();
    ipJson(ns, "link", "show").forEach(l -> out.add(l.path("ifname").asText()));
    return out;
  }

  /** Reads a sysctl of {@code ns}. */
  public static String sysctl(TestNetns ns, String key) throws IOException {
    return TestNetns.run("ip", "netns", "exec", ns.name(), "cat", "/proc/sys/" + key).trim();
  }

  /** {@code iptables-save -t nat} (or ip6tables) inside {@code ns}. */
  public static String nat(TestNetns ns, boolean v6) throws IOException {
    return TestNetns.run("ip", "netns", "exec", ns.name(), v6 ? "ip6tables-save" : "iptables-save", "-t", "nat");
  }

  /**
   * {@code ip -d -j link} entries without what depends on timing or on deliberate differences: carrier and
   * operstate (the kernel's link watcher settles them later), txqlen (Debian's Go 1.1.1 makes veths with 0, fixed
   * upstream in v1.6) and the allocated TX/RX queue maxima (jcni asks for one queue, see RtNetlink).
   */
  public static JsonNode stableLinks(JsonNode links) {
    for (JsonNode l : links) {
      ObjectNode o = (ObjectNode) l;
      o.remove(List.of("txqlen", "num_tx_queues", "num_rx_queues", "operstate"));
      com.fasterxml.jackson.databind.node.ArrayNode flags = JSON.createArrayNode();
      l.path("flags").forEach(f -> {
        if (!f.asText().equals("NO-CARRIER") && !f.asText().equals("LOWER_UP")) {
          flags.add(f);
        }
      });
      o.set("flags", flags);
    }
    return links;
  }

  /**
   * {@code ip -j addr} or {@code ip -j -6 route} without IPv6 link-local entries (they derive from random MACs and
   * appear only once the carrier is up) and without the link fields and DAD progress that {@link #stableLinks}
   * leaves out for the same reasons.
   */
  public static JsonNode withoutLinkLocal(JsonNode entries) {
    com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
    for (JsonNode e : entries) {
      if (e.path("dst").asText().startsWith("fe80:")) {
        continue;
      }
      if (e.has("addr_info")) {
        ((ObjectNode) e).remove(List.of("txqlen", "operstate", "flags"));
        com.fasterxml.jackson.databind.node.ArrayNode infos = JSON.createArrayNode();
        e.path("addr_info").forEach(a -> {
          if (!a.path("local").asText().startsWith("fe80:")) {
            // whether DAD is still running when the state is read is timing
            ((ObjectNode) a).remove("tentative");
            infos.add(a);
          }
        });
        ((ObjectNode) e).set("addr_info", infos);
      }
      out.add(e);
    }
    return out;
  }

  /** A copy of {@code n} with every object's keys in alphabetical order, so renderings compare as text. */
  public static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = JSON.createObjectNode();
      java.util.List<String> keys = new ArrayList<>();
      n.fieldNames().forEachRemaining(keys::add);
      keys.stream().sorted().forEach(k -> o.set(k, sorted(n.get(k))));
      return o;
    }
    if (n.isArray()) {
      com.fasterxml.jackson.databind.node.ArrayNode a = JSON.createArrayNode();
      n.forEach(e -> a.add(sorted(e)));
      return a;
    }
    return n;
  }

  @Override
  public byte[] delegate(Command command, String type, CmdArgs a) throws CniException {
    if (!type.equals("host-local")) {
      return GoPlugin.of(type).run(command, a).orThrow();
    }
    switch (command) {
      case ADD:
        return hostLocal.add(a, this);
      case DEL:
        hostLocal.del(a, this);
        return new byte[0];
      case CHECK:
        hostLocal.check(a, this);
        return new byte[0];
      case GC:
        hostLocal.gc(a, this);
        return new byte[0];
      default:
        hostLocal.status(a, this);
        return new byte[0];
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (TestNetns c : containers) {
      try {
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
