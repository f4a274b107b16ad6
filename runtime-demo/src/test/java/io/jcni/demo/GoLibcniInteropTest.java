package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.CachedConfig;
import io.jcni.libcni.CniConfig;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkAttachment;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 2's promise checked against the real Go libcni: an attachment made by one of Go libcni and jcni is read,
 * checked and removed by the other, through the same cache directory.
 *
 * <p>The Go side is {@code test-bin/golibcni}, our own small driver, built once per class from Debian's packaged
 * libcni 1.1.2 (golang-github-appc-cni-dev). Both sides drive Debian's Go plugins (bridge with ipMasq, host-local,
 * portmap) from {@code /usr/lib/cni} in a throw-away "host" namespace; jcni is the CLI as a user runs it, except
 * where the cache is read through {@link CniConfig} directly. CHECK uses the same network without portmap, whose
 * Debian 1.1.1 CHECK cannot pass (see {@link GoPluginsCliTest}). Go libcni 1.1.2's DEL does not fall back to the
 * cached capability args as jcni's CLI does, so the Go side is given CAP_ARGS at DEL as a Go runtime would.
 *
 * <p>Results are compared as JSON content (see {@link #content}): libcni 1.1.2 writes struct member order and an
 * empty {@code "dns":{}} in 1.x results, jcni writes what current Go libcni writes. Timings of every driver and CLI
 * call are printed at the end of the class.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/lib/cni/bridge", "/usr/lib/cni/host-local", "/usr/lib/cni/portmap"})
@TestInstance(Lifecycle.PER_CLASS)
class GoLibcniInteropTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String NET = "jtgolib";
  static final String V4 = "10.236.9.0/24";
  static final String V6 = "2001:db8:236:9::/64";
  static final Path GO_SRC = Path.of("/usr/share/gocode/src/github.com/containernetworking/cni/libcni");

  Path buildDir;
  Path driver;
  final List<String> timings = new ArrayList<>();

  @TempDir Path tmp;
  TestNetns host;
  @RegisterExtension final TestNetnsPool namespaces = new TestNetnsPool();
  Path confDir;
  Path checkConfDir;
  Path dataDir;
  Path cacheDir;

  /** One run of the Go driver. */
  record Run(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  @BeforeAll
  void buildDriver() throws Exception {
    Optional<String> go = Stream.concat(
            Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)),
            Stream.of("/usr/lib/go/bin", "/usr/local/go/bin"))
        .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "go")).filter(Files::isExecutable).map(Path::toString)
        .findFirst();
    if (go.isEmpty() || !Files.isDirectory(GO_SRC)) {
      String why = "go or Debian's libcni source (" + GO_SRC + ") is missing";
      if ("true".equals(System.getenv("CI"))) {
        fail(why + " while CI=true (run-tests installs golang-go golang-github-appc-cni-dev)");
      }
      Assumptions.abort(why);
    }
    buildDir = Files.createTempDirectory("jt-golibcni");
    driver = buildDir.resolve("golibcni");
    ProcessBuilder pb = new ProcessBuilder(go.get(), "build", "-o", driver.toString(), ".")
        .directory(TestBin.dir().resolve("golibcni").toFile()).redirectErrorStream(true);
    pb.environment().put("GOPATH", "/usr/share/gocode");
    pb.environment().put("GO111MODULE", "off");
    pb.environment().put("GOCACHE", buildDir.resolve("gocache").toString());
    pb.environment().put("GOFLAGS", "");
    long t0 = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "go build did not end");
    assertEquals(0, p.exitValue(), "go build of test-bin/golibcni failed:\n" + out);
    timings.add(String.format("go build of the driver: %d ms", (System.nanoTime() - t0) / 1_000_000));
  }

  @AfterAll
  void removeDriver() throws IOException {
    timings.forEach(t -> System.out.println("GoLibcniInteropTest timing: " + t));
    if (buildDir != null) {
      try (Stream<Path> s = Files.walk(buildDir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          p.toFile().setWritable(true);
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    host = namespaces.createWithLoopback("glhost");
    confDir = Files.createDirectories(tmp.resolve("net.d"));
    checkConfDir = Files.createDirectories(tmp.resolve("net.d-check"));
    dataDir = tmp.resolve("ipam");
    cacheDir = tmp.resolve("cache");
    Files.writeString(confDir.resolve("10-" + NET + ".conflist"), conflist(true));
    Files.writeString(checkConfDir.resolve("10-" + NET + ".conflist"), conflist(false));
  }

  String conflist(boolean portmap) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NET + "\",\"plugins\":["
        + "{\"type\":\"bridge\",\"bridge\":\"jtglbr0\",\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":"
        + "\"host-local\",\"dataDir\":\"" + dataDir + "\",\"ranges\":[[{\"subnet\":\"" + V4 + "\"}],[{\"subnet\":\""
        + V6 + "\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}"
        + (portmap ? ",{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}" : "") + "]}";
  }

  /** host-local parses CNI_ARGS and needs IgnoreUnknown for a key it does not know. */
  static final String CNI_ARGS = "IgnoreUnknown=1;K8S_POD_NAME=jt-pod";

  static String capArgs(int hostPort) {
    return "{\"portMappings\":[{\"hostPort\":" + hostPort + ",\"containerPort\":80,\"protocol\":\"tcp\"}]}";
  }

  TestNetns container() throws IOException {
    return namespaces.createWithLoopback("glctr");
  }

  /** The Go driver, run in the host namespace; capArgs may be null. */
  Run go(String cmd, Path conf, TestNetns ctr, String id, String capArgs) throws Exception {
    return go(cmd, conf, ctr, id, capArgs, null);
  }

  /** The Go driver with {@code CNI_ARGS} (null for none). */
  Run go(String cmd, Path conf, TestNetns ctr, String id, String capArgs, String cniArgs) throws Exception {
    List<String> argv = List.of("ip", "netns", "exec", host.name(), driver.toString(), cmd, cacheDir.toString(),
        conf.toString(), NET, ctr.path(), id, "eth0");
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().put("CNI_PATH", "/usr/lib/cni");
    if (cniArgs == null) {
      pb.environment().remove("CNI_ARGS");
    } else {
      pb.environment().put("CNI_ARGS", cniArgs);
    }
    if (capArgs == null) {
      pb.environment().remove("CAP_ARGS");
    } else {
      pb.environment().put("CAP_ARGS", capArgs);
    }
    long t0 = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "golibcni " + cmd + " did not end");
    time("Go driver " + cmd, t0);
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  /** The jcni CLI in the host namespace for container {@code id}; capArgs may be null. */
  Cli.Run jcni(String cmd, Path conf, TestNetns ctr, String id, String capArgs, String... opts) throws Exception {
    return jcni(cmd, conf, ctr, id, capArgs, opts, null);
  }

  /** The jcni CLI with options and {@code CNI_ARGS} (null for none). */
  Cli.Run jcni(String cmd, Path conf, TestNetns ctr, String id, String capArgs, String[] opts, String cniArgs)
      throws Exception {
    return jcni(cmd, conf, ctr, id, capArgs, opts, cniArgs, "/usr/lib/cni");
  }

  /** The jcni CLI with options, {@code CNI_ARGS} (null for none) and {@code CNI_PATH}. */
  Cli.Run jcni(String cmd, Path conf, TestNetns ctr, String id, String capArgs, String[] opts, String cniArgs,
      String cniPath) throws Exception {
    Cli cli = new Cli().inNetns(host.name()).env("NETCONFPATH", conf.toString()).env("CNI_PATH", cniPath)
        .env("CNI_CACHE_DIR", cacheDir.toString()).env("CNI_CONTAINERID", id)
        .env("CAP_ARGS", capArgs == null ? "" : capArgs).env("CNI_ARGS", cniArgs == null ? "" : cniArgs);
    List<String> args = new ArrayList<>(List.of(opts));
    args.addAll(List.of(cmd, NET, ctr.path()));
    long t0 = System.nanoTime();
    Cli.Run r = cli.run(args.toArray(String[]::new));
    time("jcni CLI " + String.join(" ", opts) + (opts.length > 0 ? " " : "") + cmd, t0);
    return r;
  }

  void time(String what, long t0) {
    timings.add(String.format("%s: %d ms", what, (System.nanoTime() - t0) / 1_000_000));
  }

  /** Go's chain name: "CNI-" + prefix + hex(sha512(network + containerID)), cut to 28 characters. */
  static String chain(String prefix, String id) throws Exception {
    byte[] sum = MessageDigest.getInstance("SHA-512").digest((NET + id).getBytes(StandardCharsets.UTF_8));
    return ("CNI-" + prefix + HexFormat.of().formatHex(sum)).substring(0, 28);
  }

  String rules() throws Exception {
    return host.exec("iptables-save") + host.exec("ip6tables-save");
  }

  Path cacheFile(String id) {
    return cacheDir.resolve("results").resolve(NET + "-" + id + "-eth0");
  }

  /** host-local's reservation files holding {@code id} (each is "id\r\nifname"). */
  List<String> ipFilesOf(String id) throws IOException {
    Path d = dataDir.resolve(NET);
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (!n.equals("lock") && !n.startsWith("last_reserved_ip") && Files.readString(p).startsWith(id + "\r\n")) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /** Everything an attachment of {@code id} in {@code ctr} leaves on the machine while it lives. */
  void assertAttached(String id, TestNetns ctr, JsonNode result, boolean portmap, int hostPort) throws Exception {
    List<String> addrs = new ArrayList<>();
    result.get("ips").forEach(ip -> addrs.add(ip.get("address").asText()));
    assertEquals(2, addrs.size(), result.toString());
    JsonNode eth0 = JSON.readTree(ctr.ip("-j", "addr", "show", "dev", "eth0")).get(0);
    List<String> kernel = new ArrayList<>();
    eth0.get("addr_info").forEach(a -> kernel.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt()));
    assertTrue(kernel.containsAll(addrs), kernel + " vs " + addrs);
    assertEquals(2, ipFilesOf(id).size(), ipFilesOf(id).toString());
    String rules = rules();
    assertTrue(rules.contains(":" + chain("", id) + " "), "masquerade chain of " + id + " missing from\n" + rules);
    if (portmap) {
      assertTrue(rules.contains(":" + chain("DN-", id) + " "), "DNAT chain of " + id + " missing from\n" + rules);
      assertTrue(rules.contains("--dport " + hostPort + " "), rules);
    }
    assertTrue(Files.exists(cacheFile(id)), cacheFile(id).toString());
  }

  /** Nothing of {@code id} is left: no link, no IP file, no chain or rule, no cache file. */
  void assertGone(String id, TestNetns ctr, int hostPort) throws Exception {
    List<String> links = new ArrayList<>();
    JSON.readTree(ctr.ip("-j", "link", "show")).forEach(l -> links.add(l.get("ifname").asText()));
    assertEquals(List.of("lo"), links, "links left in " + ctr.name());
    assertEquals(List.of(), ipFilesOf(id));
    String rules = rules();
    assertFalse(rules.contains(chain("", id)), rules);
    assertFalse(rules.contains(chain("DN-", id)), rules);
    assertFalse(rules.contains("--dport " + hostPort + " "), rules);
    assertFalse(Files.exists(cacheFile(id)), cacheFile(id) + " is left");
  }

  /**
   * A result's JSON content. An empty {@code dns} object is dropped: Debian's libcni 1.1.2 always writes {@code
   * "dns":{}} (a struct under omitempty), while jcni follows current Go libcni, whose 1.x results omit it; both
   * read either form as "no DNS". Object member order is not compared either (1.1.2 writes struct order, current Go
   * sorted keys).
   */
  static JsonNode content(String json) throws IOException {
    JsonNode n = JSON.readTree(json);
    if (n.path("dns").isObject() && n.get("dns").isEmpty()) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("dns");
    }
    return n;
  }

  int hostVeths() throws Exception {
    return JSON.readTree(host.ip("-j", "link", "show", "type", "veth")).size();
  }

  CniConfig jcniLibrary() {
    return CniConfig.builder().path(List.of("/usr/lib/cni")).cacheDir(cacheDir).build();
  }

  @Test
  void goLibcniReadsChecksAndDeletesWhatJcniAdded() throws Exception {
    TestNetns ctr = container();
    String id = "jt-gl-a";
    String caps = capArgs(18081);
    Cli.Run add = jcni("add", confDir, ctr, id, caps, new String[0], CNI_ARGS);
    assertEquals(0, add.exit(), add.toString());
    JsonNode result = JSON.readTree(add.stdout());
    assertAttached(id, ctr, result, true, 18081);

    Run cached = go("cachedresult", confDir, ctr, id, null);
    assertEquals(0, cached.exit(), cached.toString());
    assertEquals(content(add.stdout()), content(cached.stdout()), "Go's view of jcni's cached result");

    Run config = go("cachedconfig", confDir, ctr, id, null);
    assertEquals(0, config.exit(), config.toString());
    JsonNode c = JSON.readTree(config.stdout());
    assertArrayEquals(Files.readAllBytes(confDir.resolve("10-" + NET + ".conflist")),
        Base64.getDecoder().decode(c.get("config").asText()), "cached config bytes");
    assertEquals(JSON.readTree(caps), c.get("runtimeConf").get("CapabilityArgs"));
    assertEquals(id, c.get("runtimeConf").get("ContainerID").asText());
    assertEquals(JSON.readTree("[[\"IgnoreUnknown\",\"1\"],[\"K8S_POD_NAME\",\"jt-pod\"]]"),
        c.get("runtimeConf").get("Args"), "Go's view of the CNI_ARGS jcni cached");

    Run check = go("check", checkConfDir, ctr, id, null);
    assertEquals(0, check.exit(), check.toString());

    Run del = go("del", confDir, ctr, id, caps);
    assertEquals(0, del.exit(), del.toString());
    assertGone(id, ctr, 18081);
    assertEquals(0, hostVeths());
  }

  @Test
  void jcniReadsChecksAndDeletesWhatGoLibcniAdded() throws Exception {
    TestNetns ctr = container();
    String id = "jt-gl-b";
    String caps = capArgs(18082);
    Run add = go("add", confDir, ctr, id, caps, CNI_ARGS);
    assertEquals(0, add.exit(), add.toString());
    JsonNode result = JSON.readTree(add.stdout());
    assertAttached(id, ctr, result, true, 18082);

    CniConfig lib = jcniLibrary();
    NetworkConfigList list = ConfLoader.loadConfList(confDir, NET);
    RuntimeConf rt = RuntimeConf.of(id, ctr.path(), "eth0");
    Result cached = lib.getNetworkListCachedResult(list, rt).orElseThrow();
    // The same content Go libcni reads from its own cache (and Go's ADD printed).
    Run goCached = go("cachedresult", confDir, ctr, id, null);
    assertEquals(0, goCached.exit(), goCached.toString());
    assertEquals(content(goCached.stdout()), content(new String(cached.toJson(), StandardCharsets.UTF_8)));
    assertEquals(content(add.stdout()), content(new String(cached.toJson(), StandardCharsets.UTF_8)));

    CachedConfig config = lib.getNetworkListCachedConfig(list, rt).orElseThrow();
    assertArrayEquals(Files.readAllBytes(confDir.resolve("10-" + NET + ".conflist")), config.config());
    assertEquals(JSON.readTree(caps), JSON.valueToTree(config.runtimeConf().capabilityArgs()));
    assertEquals(id, config.runtimeConf().containerId());
    assertEquals(List.of(Map.entry("IgnoreUnknown", "1"), Map.entry("K8S_POD_NAME", "jt-pod")),
        config.runtimeConf().args(), "jcni's view of the CNI_ARGS Go cached");

    Cli.Run check = jcni("check", checkConfDir, ctr, id, null);
    assertEquals(0, check.exit(), check.toString());

    // No CAP_ARGS: the CLI takes portmap's mappings from Go's cache entry, or the DNAT chain would stay.
    Cli.Run del = jcni("del", confDir, ctr, id, null);
    assertEquals(0, del.exit(), del.toString());
    assertGone(id, ctr, 18082);
    assertEquals(0, hostVeths());
  }

  /**
   * A CniConfig that lives across operations keeps the result cache's names in memory between them, brought up to
   * date by a watch on the directory: what Go libcni (another process) adds and deletes in between is seen by its
   * next call, and an ADD of the same container is refused before any plugin runs. The first call lists the
   * directory and starts the watch (jcni-plugins' inotify, found as a service); two rounds of Go's ADD and DEL are
   * then seen from its events alone.
   */
  @Test
  void aLongLivedConfigSeesWhatGoLibcniAddsAndDeletesInBetween() throws Exception {
    CniConfig lib = jcniLibrary();
    NetworkConfigList list = ConfLoader.loadConfList(checkConfDir, NET);
    Files.createDirectories(cacheDir.resolve("results"));
    String id = "jt-gl-live";
    assertEquals(List.of(), lib.getCachedAttachments(id));
    assertTrue(new io.jcni.libcni.internal.cache.ResultCache(cacheDir).namesWatched(), "the cache's names are watched");
    TestNetns ctr = container();
    for (int round = 1; round <= 2; round++) {
      Run add = go("add", checkConfDir, ctr, id, null);
      assertEquals(0, add.exit(), add.toString());
      assertEquals(List.of(NET), lib.getCachedAttachments(id).stream().map(NetworkAttachment::network).toList(),
          "round " + round + ", after Go's ADD");
      io.jcni.libcni.types.CniException refused = org.junit.jupiter.api.Assertions.assertThrows(
          io.jcni.libcni.types.CniException.class, () -> lib.addNetworkList(list, RuntimeConf.of(id, ctr.path(),
              "eth0")));
      assertTrue(refused.getMessage().contains("already has interface \"eth0\" attached"), refused.getMessage());
      Run del = go("del", checkConfDir, ctr, id, null);
      assertEquals(0, del.exit(), del.toString());
      assertEquals(List.of(), lib.getCachedAttachments(id), "round " + round + ", after Go's DEL");
    }
    assertGone(id, ctr, 0);
  }

  @Test
  void anAttachmentGoLibcniMadeIsNeverHarmedByAFailedJcniAdd() throws Exception {
    TestNetns ctr = container();
    String id = "jt-gl-keep";
    Run add = go("add", checkConfDir, ctr, id, null);
    assertEquals(0, add.exit(), add.toString());
    JsonNode result = JSON.readTree(add.stdout());
    assertAttached(id, ctr, result, false, 0);
    String rulesBefore = rules().replaceAll("(?m)^#.*$", "");
    String cacheBefore = Files.readString(cacheFile(id));
    Path noPlugins = Files.createDirectories(tmp.resolve("no-plugins"));

    // A retry in each mode, from the same namespace and from a new one: refused before any plugin runs.
    TestNetns other = container();
    for (TestNetns where : List.of(ctr, other)) {
      Cli.Run exec = jcni("add", checkConfDir, where, id, null, new String[] {"--exec"}, null);
      Cli.Run inline = jcni("add", checkConfDir, where, id, null, new String[] {"--inline"}, null,
          noPlugins.toString());
      for (Cli.Run r : List.of(exec, inline)) {
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.stderr().contains("container \"" + id + "\" already has interface \"eth0\" attached to network \""
            + NET + "\""), r.toString());
      }
    }
    assertAttached(id, ctr, result, false, 0);
    assertEquals(rulesBefore, rules().replaceAll("(?m)^#.*$", ""));
    assertEquals(cacheBefore, Files.readString(cacheFile(id)));
    List<String> otherLinks = new ArrayList<>();
    JSON.readTree(other.ip("-j", "link", "show")).forEach(l -> otherLinks.add(l.get("ifname").asText()));
    assertEquals(List.of("lo"), otherLinks);

    Run check = go("check", checkConfDir, ctr, id, null);
    assertEquals(0, check.exit(), check.toString());
    Run del = go("del", checkConfDir, ctr, id, null);
    assertEquals(0, del.exit(), del.toString());
    assertGone(id, ctr, 0);
  }

  @Test
  void goLibcniChecksAndDeletesWhatJcniAddedInProcess() throws Exception {
    TestNetns ctr = container();
    String id = "jt-gl-c";
    // An empty CNI_PATH: the ADD can only succeed with jcni's own bridge and host-local.
    Path noPlugins = Files.createDirectories(tmp.resolve("no-plugins"));
    Cli.Run add = jcni("add", checkConfDir, ctr, id, null, new String[] {"--inline"}, null, noPlugins.toString());
    assertEquals(0, add.exit(), add.toString());
    JsonNode result = JSON.readTree(add.stdout());
    assertAttached(id, ctr, result, false, 0);

    Run cached = go("cachedresult", checkConfDir, ctr, id, null);
    assertEquals(0, cached.exit(), cached.toString());
    assertEquals(content(add.stdout()), content(cached.stdout()));

    Run check = go("check", checkConfDir, ctr, id, null);
    assertEquals(0, check.exit(), check.toString());

    Run del = go("del", checkConfDir, ctr, id, null);
    assertEquals(0, del.exit(), del.toString());
    assertGone(id, ctr, 0);
    assertEquals(0, hostVeths());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.4.0", "0.3.1"})
  void olderListVersionsCrossOverBothWays(String version) throws Exception {
    Path oldDir = Files.createDirectories(tmp.resolve("net.d-" + version));
    Files.writeString(oldDir.resolve("10-" + NET + ".conflist"),
        conflist(true).replace("\"cniVersion\":\"1.0.0\"", "\"cniVersion\":\"" + version + "\""));
    NetworkConfigList list = ConfLoader.loadConfList(oldDir, NET);
    assertEquals(version, list.cniVersion());

    TestNetns ctr = container();
    String id = "jt-gl-o1";
    String caps = capArgs(18085);
    Cli.Run add = jcni("add", oldDir, ctr, id, caps);
    assertEquals(0, add.exit(), add.toString());
    assertEquals(version, JSON.readTree(add.stdout()).get("cniVersion").asText());
    assertAttached(id, ctr, JSON.readTree(add.stdout()), true, 18085);
    Run cached = go("cachedresult", oldDir, ctr, id, null);
    assertEquals(0, cached.exit(), cached.toString());
    assertEquals(content(add.stdout()), content(cached.stdout()));
    Run del = go("del", oldDir, ctr, id, caps);
    assertEquals(0, del.exit(), del.toString());
    assertGone(id, ctr, 18085);

    TestNetns ctr2 = container();
    String id2 = "jt-gl-o2";
    Run goAdd = go("add", oldDir, ctr2, id2, caps);
    assertEquals(0, goAdd.exit(), goAdd.toString());
    assertAttached(id2, ctr2, JSON.readTree(goAdd.stdout()), true, 18085);
    Result mine = jcniLibrary().getNetworkListCachedResult(list, RuntimeConf.of(id2, ctr2.path(), "eth0"))
        .orElseThrow();
    assertEquals(version, mine.cniVersion());
    assertEquals(content(goAdd.stdout()), content(new String(mine.toJson(), StandardCharsets.UTF_8)));
    Cli.Run jdel = jcni("del", oldDir, ctr2, id2, null);
    assertEquals(0, jdel.exit(), jdel.toString());
    assertGone(id2, ctr2, 18085);
    assertEquals(0, hostVeths());
  }

  @Test
  void switchingImplementationsMidLifeLosesNoAttachment() throws Exception {
    record Attachment(String id, TestNetns ctr, int port, boolean byGo) {}
    List<Attachment> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add(new Attachment("jt-gl-d" + i, container(), 18090 + i, i % 2 == 0));
    }
    for (Attachment a : all) {
      String caps = capArgs(a.port());
      String out;
      if (a.byGo()) {
        Run add = go("add", confDir, a.ctr(), a.id(), caps);
        assertEquals(0, add.exit(), add.toString());
        out = add.stdout();
      } else {
        Cli.Run add = jcni("add", confDir, a.ctr(), a.id(), caps);
        assertEquals(0, add.exit(), add.toString());
        out = add.stdout();
      }
      assertAttached(a.id(), a.ctr(), JSON.readTree(out), true, a.port());
    }
    assertEquals(6, hostVeths());
    // The records side by side: same file and directory modes, and jcni writes every member Go 1.1.2 writes.
    Path byGo = cacheFile(all.get(0).id());
    Path byJcni = cacheFile(all.get(1).id());
    assertEquals(Files.getPosixFilePermissions(byGo), Files.getPosixFilePermissions(byJcni));
    List<String> goKeys = new ArrayList<>();
    JSON.readTree(byGo.toFile()).fieldNames().forEachRemaining(goKeys::add);
    List<String> jcniKeys = new ArrayList<>();
    JSON.readTree(byJcni.toFile()).fieldNames().forEachRemaining(jcniKeys::add);
    assertTrue(jcniKeys.containsAll(goKeys), "Go writes " + goKeys + ", jcni " + jcniKeys);
    // jcni lists all six from the shared cache; Go 1.1.2 records no namespace path, jcni does (as current Go).
    List<NetworkAttachment> listed = jcniLibrary().getCachedAttachments("");
    assertEquals(all.stream().map(Attachment::id).sorted().toList(),
        listed.stream().map(NetworkAttachment::containerId).toList());
    for (NetworkAttachment n : listed) {
      Attachment a = all.stream().filter(x -> x.id().equals(n.containerId())).findFirst().orElseThrow();
      assertEquals(NET, n.network());
      assertEquals("eth0", n.ifName());
      assertEquals(a.byGo() ? "" : a.ctr().path(), n.netNs(), n.containerId());
      assertEquals(JSON.readTree(capArgs(a.port())), JSON.valueToTree(n.capabilityArgs()), n.containerId());
      assertArrayEquals(Files.readAllBytes(confDir.resolve("10-" + NET + ".conflist")), n.config());
    }

    // The switch: each side now removes what the other one made.
    for (Attachment a : all) {
      if (a.byGo()) {
        Cli.Run del = jcni("del", confDir, a.ctr(), a.id(), null);
        assertEquals(0, del.exit(), del.toString());
      } else {
        Run del = go("del", confDir, a.ctr(), a.id(), capArgs(a.port()));
        assertEquals(0, del.exit(), del.toString());
      }
      assertGone(a.id(), a.ctr(), a.port());
    }
    assertEquals(0, hostVeths());
    String rules = rules();
    assertFalse(rules.contains("--dport 1809"), rules);
    try (Stream<Path> s = Files.list(cacheDir.resolve("results"))) {
      assertEquals(List.of(), s.toList(), "cache entries left");
    }
    assertEquals(Map.of(), leftoverIpFiles());
  }

  Map<String, String> leftoverIpFiles() throws IOException {
    Map<String, String> out = new java.util.TreeMap<>();
    Path d = dataDir.resolve(NET);
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (!n.equals("lock") && !n.startsWith("last_reserved_ip")) {
          out.put(n, Files.readString(p));
        }
      }
    }
    return out;
  }
}
