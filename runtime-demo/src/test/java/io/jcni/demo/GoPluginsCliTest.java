package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.HostLocalStore;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jcni CLI driving Debian's Go plugins (bridge + host-local, portmap, tuning) between two throw-away
 * namespaces: a "host" one where the CLI, the bridge and the iptables rules live, and a container one.
 *
 * <p>The list is dual-stack, as a real one would be. Debian's portmap 1.1.1 cannot pass CHECK here at all, a Go bug
 * that has nothing to do with jcni: its checkPorts looks for the IPv4 DNAT rules in ip6tables too whenever
 * ip6tables exists, so a v4-only attachment fails with "could not check ipv6 dnat: chain CNI-DN-… not found" and
 * a dual-stack one with "could not check ipv6 dnat: rule [[… 10.x …]] … not found" (both seen on this machine).
 * The test therefore checks the full list expecting exactly that portmap error (which also proves bridge passed
 * before it and portmap got the cached port mappings), and checks bridge + tuning through the same network
 * without portmap, which must pass.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/lib/cni/bridge", "/usr/lib/cni/host-local", "/usr/lib/cni/portmap", "/usr/lib/cni/tuning"})
class GoPluginsCliTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String NET = "jtgo";
  static final String V4 = "10.231.7.0/24";
  static final String V6 = "2001:db8:231:7::/64";
  static final String CAP_ARGS = "{\"portMappings\":[{\"hostPort\":18080,\"containerPort\":80,\"protocol\":\"tcp\"}]}";

  @TempDir Path tmp;
  @RegisterExtension final TestNetnsPool namespaces = new TestNetnsPool();
  TestNetns host;
  TestNetns ctr;
  Path confDir;
  Path confFile;
  Path dataDir;
  Path cacheDir;

  @BeforeEach
  void setUp() throws Exception {
    host = namespaces.createWithLoopback("gohost");
    ctr = namespaces.createWithLoopback("goctr");
    confDir = Files.createDirectories(tmp.resolve("net.d"));
    dataDir = tmp.resolve("ipam");
    cacheDir = tmp.resolve("cache");
    confFile = confDir.resolve("10-jtgo.conflist");
    Files.writeString(confFile, conflist(NET, dataDir));
  }

  static String conflist(String name, Path dataDir) {
    return conflist(name, dataDir, true);
  }

  static String conflist(String name, Path dataDir, boolean portmap) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"plugins\":["
        + "{\"type\":\"bridge\",\"bridge\":\"jtbr0\",\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\","
        + "\"dataDir\":\"" + dataDir + "\",\"ranges\":[[{\"subnet\":\"" + V4 + "\"}],[{\"subnet\":\"" + V6 + "\"}]],"
        + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}},"
        + (portmap ? "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}," : "")
        + "{\"type\":\"tuning\",\"sysctl\":{\"net.core.somaxconn\":\"513\"}}]}";
  }

  Cli cli() {
    return new Cli().inNetns(host.name()).env("NETCONFPATH", confDir.toString()).env("CNI_PATH", "/usr/lib/cni")
        .env("CNI_CACHE_DIR", cacheDir.toString());
  }

  /** cnitool's container ID (reference §8): "cnitool-" + hex of the first 10 bytes of sha512(netns path). */
  static String cnitoolId(String netns) throws Exception {
    byte[] sum = MessageDigest.getInstance("SHA-512").digest(netns.getBytes(StandardCharsets.UTF_8));
    return "cnitool-" + HexFormat.of().formatHex(sum, 0, 10);
  }

  /** Go's chain name: "CNI-" + prefix + hex(sha512(network + containerID)), cut to 28 characters. */
  static String chain(String prefix, String id) throws Exception {
    byte[] sum = MessageDigest.getInstance("SHA-512").digest((NET + id).getBytes(StandardCharsets.UTF_8));
    return ("CNI-" + prefix + HexFormat.of().formatHex(sum)).substring(0, 28);
  }

  String rules() throws Exception {
    return host.exec("iptables-save") + host.exec("ip6tables-save");
  }

  List<String> ipFiles() throws Exception {
    return HostLocalStore.reserved(dataDir.resolve(NET));
  }

  @Test
  void addCheckDelAgainstTheGoPlugins() throws Exception {
    String id = cnitoolId(ctr.path());
    Path cacheFile = cacheDir.resolve("results").resolve(NET + "-" + id + "-eth0");

    Cli.Run add = cli().env("CAP_ARGS", CAP_ARGS).run("add", NET, ctr.path());
    assertEquals(0, add.exit(), add.toString());
    JsonNode result = JSON.readTree(add.stdout());
    List<String> addrs = new ArrayList<>();
    result.get("ips").forEach(ip -> addrs.add(ip.get("address").asText()));
    assertEquals(2, addrs.size(), add.stdout());
    assertTrue(addrs.get(0).startsWith("10.231.7."), addrs.toString());
    assertTrue(addrs.get(1).startsWith("2001:db8:231:7:"), addrs.toString());

    // Kernel state, read by iproute2.
    JsonNode eth0 = JSON.readTree(ctr.ip("-j", "addr", "show", "dev", "eth0")).get(0);
    List<String> kernel = new ArrayList<>();
    eth0.get("addr_info").forEach(a -> kernel.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt()));
    assertTrue(kernel.containsAll(addrs), kernel + " vs " + addrs);
    assertEquals("513", ctr.exec("cat", "/proc/sys/net/core/somaxconn").trim());
    assertEquals(1, JSON.readTree(host.ip("-j", "link", "show", "type", "veth")).size());

    // host-local's files (id\r\nifname) and the per-container chains exist while attached.
    String v4 = addrs.get(0).substring(0, addrs.get(0).indexOf('/'));
    assertEquals(id + "\r\neth0", Files.readString(dataDir.resolve(NET).resolve(v4)));
    assertEquals(2, ipFiles().size(), ipFiles().toString());
    String masq = chain("", id);
    String dnat = chain("DN-", id);
    assertTrue(rules().contains(":" + masq + " "), masq + " missing from\n" + rules());
    assertTrue(rules().contains(":" + dnat + " "), dnat + " missing from\n" + rules());
    assertTrue(rules().contains("--dport 18080"), rules());

    // The cache file is Go's record.
    JsonNode cached = JSON.readTree(cacheFile.toFile());
    assertEquals("cniCacheV1", cached.get("kind").asText());
    assertEquals(id, cached.get("containerId").asText());
    assertArrayEquals(Files.readAllBytes(confFile), Base64.getDecoder().decode(cached.get("config").asText()));
    assertEquals(JSON.readTree(CAP_ARGS), cached.get("capabilityArgs"));
    assertEquals(result, cached.get("result"));

    // CHECK without CAP_ARGS: portmap gets its mappings from the cache, bridge gets prevResult from it. Portmap
    // 1.1.1 then trips over its own bug (see the class comment); its message names our v4 address and port.
    Cli.Run check = cli().run("check", NET, ctr.path());
    assertEquals(1, check.exit(), check.toString());
    assertTrue(check.stderr().startsWith("jcni: could not check ipv6 dnat: rule [[-p tcp --dport 18080 -s " + v4),
        check.toString());
    assertEquals(1, check.stderr().lines().count(), check.stderr());
    // The same network without portmap (same name, so the same cache entry) passes CHECK.
    Path noPortmap = Files.createDirectories(tmp.resolve("net.d-check"));
    Files.writeString(noPortmap.resolve("10-jtgo.conflist"), conflist(NET, dataDir, false));
    check = cli().env("NETCONFPATH", noPortmap.toString()).run("check", NET, ctr.path());
    assertEquals(0, check.exit(), check.toString());

    // The same attachment remembered in a file written by hand in Go's layout (reference §4): bridge's CHECK
    // refuses to run without a prevResult, so passing proves the hand-written record is read and used.
    String goRecord = "{\"kind\":\"cniCacheV1\",\"containerId\":\"" + id + "\",\"config\":\""
        + Base64.getEncoder().encodeToString(Files.readAllBytes(confFile)) + "\",\"ifName\":\"eth0\","
        + "\"networkName\":\"" + NET + "\",\"netns\":\"" + ctr.path() + "\",\"capabilityArgs\":" + CAP_ARGS
        + ",\"result\":" + JSON.writeValueAsString(result) + "}";
    Files.writeString(cacheFile, goRecord);
    check = cli().env("NETCONFPATH", noPortmap.toString()).run("check", NET, ctr.path());
    assertEquals(0, check.exit(), check.toString());

    Files.delete(cacheFile);
    check = cli().env("NETCONFPATH", noPortmap.toString()).run("check", NET, ctr.path());
    assertEquals(1, check.exit(), "without a cached result bridge has no prevResult\n" + check);
    assertTrue(check.stderr().contains("prevResult"), check.toString());
    Files.writeString(cacheFile, goRecord);

    Cli.Run del = cli().run("del", NET, ctr.path());
    assertEquals(0, del.exit(), del.toString());
    assertEquals(List.of("lo"), linkNames(ctr));
    assertEquals(0, JSON.readTree(host.ip("-j", "link", "show", "type", "veth")).size());
    assertEquals(List.of(), ipFiles());
    assertFalse(rules().contains(masq), rules());
    assertFalse(rules().contains(dnat), rules());
    assertFalse(rules().contains("--dport 18080"), rules());
    assertFalse(Files.exists(cacheFile));

    Cli.Run again = cli().run("del", NET, ctr.path());
    assertEquals(0, again.exit(), again.toString());
  }

  @Test
  void versionValidateAndListOfTheGoNetwork() throws Exception {
    Cli.Run v = cli().run("version", "bridge");
    assertEquals(0, v.exit(), v.toString());
    // Oracle: the binary's own answer to VERSION.
    JsonNode info = JSON.readTree(TestNetns.run("env", "CNI_COMMAND=VERSION", "/usr/lib/cni/bridge"));
    List<String> supported = new ArrayList<>();
    info.get("supportedVersions").forEach(s -> supported.add(s.asText()));
    assertEquals("bridge: CNI " + info.get("cniVersion").asText() + ", supports " + String.join(", ", supported),
        v.stdout().trim());

    Cli.Run val = cli().run("validate", NET);
    assertEquals(0, val.exit(), val.toString());
    assertEquals("network " + NET + " is valid; capabilities: portMappings", val.stdout().trim());

    Files.writeString(confDir.resolve("20-newer.conflist"), conflist("jtnewer", dataDir).replace("1.0.0", "1.1.0"));
    Cli.Run bad = cli().run("validate", "jtnewer");
    assertEquals(1, bad.exit(), bad.toString());
    assertEquals("jcni: [plugin bridge does not support config version \"1.1.0\" plugin portmap does not support "
        + "config version \"1.1.0\" plugin tuning does not support config version \"1.1.0\"] (CNI error 7)",
        bad.stderr().trim());

    Cli.Run list = cli().run("list");
    assertEquals(0, list.exit(), list.toString());
    List<String> lines = list.stdout().lines().toList();
    assertEquals(2, lines.size(), list.stdout());
    assertTrue(lines.get(0).matches(NET + " +1\\.0\\.0 +" + confFile + " +bridge,portmap,tuning"), lines.get(0));
    assertTrue(lines.get(1).startsWith("jtnewer "), lines.get(1));
  }

  static List<String> linkNames(TestNetns ns) throws Exception {
    List<String> names = new ArrayList<>();
    JSON.readTree(ns.ip("-j", "link", "show")).forEach(l -> names.add(l.get("ifname").asText()));
    return names;
  }
}
