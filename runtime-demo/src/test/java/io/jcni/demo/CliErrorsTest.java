package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the CLI: each failure is one line on stderr (no stack trace), a non-zero exit, and nothing
 * left behind — no cache file, no host-local IP file, no link. Failing plugins sit behind Debian's Go bridge +
 * host-local, so "nothing left" also proves the rollback of the plugins that did run.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/lib/cni/bridge", "/usr/lib/cni/host-local"})
class CliErrorsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  @RegisterExtension final TestNetnsPool namespaces = new TestNetnsPool();
  TestNetns host;
  TestNetns ctr;
  Path confDir;
  Path dataDir;
  Path cacheDir;

  @BeforeEach
  void setUp() throws Exception {
    host = namespaces.createWithLoopback("errhost");
    ctr = namespaces.createWithLoopback("errctr");
    confDir = Files.createDirectories(tmp.resolve("net.d"));
    dataDir = tmp.resolve("ipam");
    cacheDir = tmp.resolve("cache");
    write("10-ok.conflist", "jtok", null);
    write("20-slow.conflist", "jtslow", "sleep");
    write("30-garbage.conflist", "jtgarbage", "garbage");
    write("40-killed.conflist", "jtkilled", "killed");
    write("50-absent.conflist", "jtabsent", "jt-absent-plugin");
  }

  /** bridge + host-local, then optionally a second plugin of type {@code second}. */
  void write(String file, String name, String second) throws IOException {
    Files.writeString(confDir.resolve(file), "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"plugins\":["
        + "{\"type\":\"bridge\",\"bridge\":\"jtbr1\",\"isGateway\":true,\"ipam\":{\"type\":\"host-local\","
        + "\"dataDir\":\"" + dataDir + "\",\"ranges\":[[{\"subnet\":\"10.231.9.0/24\"}]]}}"
        + (second == null ? "" : ",{\"type\":\"" + second + "\"}") + "]}");
  }

  Cli cli() {
    return new Cli().inNetns(host.name()).env("NETCONFPATH", confDir.toString())
        .env("CNI_PATH", "/usr/lib/cni:" + TestBin.dir()).env("CNI_CACHE_DIR", cacheDir.toString());
  }

  /** One line on stderr, starting "jcni: " and containing {@code want}; no stack trace; exit non-zero. */
  static void assertCleanFailure(Cli.Run run, String want) {
    assertNotEquals(0, run.exit(), run.toString());
    assertFalse(run.stderr().contains("\tat "), run.toString());
    assertFalse(run.stderr().contains("Exception"), run.toString());
    assertEquals(1, run.stderr().lines().count(), run.toString());
    assertTrue(run.stderr().startsWith("jcni: "), run.toString());
    assertTrue(run.stderr().contains(want), "want \"" + want + "\" in\n" + run);
  }

  void assertNothingLeft() throws Exception {
    List<String> left = new ArrayList<>();
    if (Files.isDirectory(cacheDir.resolve("results"))) {
      try (Stream<Path> s = Files.list(cacheDir.resolve("results"))) {
        s.forEach(p -> left.add("cache " + p.getFileName()));
      }
    }
    if (Files.isDirectory(dataDir)) {
      try (Stream<Path> s = Files.walk(dataDir)) {
        s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
            .filter(n -> !n.equals("lock") && !n.startsWith("last_reserved_ip")).forEach(n -> left.add("ip " + n));
      }
    }
    JSON.readTree(ctr.ip("-j", "link", "show")).forEach(l -> {
      if (!l.get("ifname").asText().equals("lo")) {
        left.add("container link " + l.get("ifname").asText());
      }
    });
    for (JsonNode l : JSON.readTree(host.ip("-j", "link", "show", "type", "veth"))) {
      left.add("host veth " + l.get("ifname").asText());
    }
    assertEquals(List.of(), left);
  }

  @Test
  void unknownNetwork() throws Exception {
    Cli.Run r = cli().run("add", "jtnope", ctr.path());
    assertCleanFailure(r, "no net configuration with name \"jtnope\" in " + confDir);
    assertNothingLeft();
  }

  @Test
  void pluginMissingFromCniPathAfterBridgeRan() throws Exception {
    Cli.Run r = cli().run("add", "jtabsent", ctr.path());
    assertCleanFailure(r, "plugin type=\"jt-absent-plugin\" failed (add): failed to find plugin \"jt-absent-plugin\" "
        + "in path [/usr/lib/cni " + TestBin.dir() + "]");
    assertNothingLeft();
  }

  @Test
  void malformedConflistNamesTheFile() throws Exception {
    Path bad = confDir.resolve("05-broken.conflist");
    Files.writeString(bad, "{\"name\":\"jtok\",\"plugins\":[{\"type\":");
    Cli.Run r = cli().run("add", "jtok", ctr.path());
    assertCleanFailure(r, bad.toString());
    assertNothingLeft();
  }

  @Test
  void missingNetns() throws Exception {
    Cli.Run r = cli().run("add", "jtok", "/var/run/netns/jt-no-such-ns");
    assertCleanFailure(r, "/var/run/netns/jt-no-such-ns");
    assertNothingLeft();
  }

  @Test
  void tooLongIfName() throws Exception {
    Cli.Run r = cli().env("CNI_IFNAME", "eth0123456789012").run("add", "jtok", ctr.path());
    assertCleanFailure(r, "plugin type=\"bridge\" failed (add): interface name is too long; "
        + "interface name should be less than 16 characters (CNI error 4)");
    assertNothingLeft();
  }

  @Test
  void badContainerId() throws Exception {
    Cli.Run r = cli().env("CNI_CONTAINERID", "bad/id").run("add", "jtok", ctr.path());
    assertCleanFailure(r, "plugin type=\"bridge\" failed (add): invalid characters in containerID; bad/id (CNI error 4)");
    assertNothingLeft();
  }

  @Test
  void pluginTimeout() throws Exception {
    // sleep writes "<its pid> <its child's pid>"; host-local needs IgnoreUnknown to accept the extra key.
    Path pids = tmp.resolve("sleep.pids");
    Cli.Run r = cli().env("CNI_ARGS", "IgnoreUnknown=1;PIDFILE=" + pids).run("--timeout", "1", "add", "jtslow",
        ctr.path());
    assertCleanFailure(r, "plugin type=\"sleep\" failed (add): plugin " + TestBin.plugin("sleep")
        + " timed out after 1s (the operation's deadline) (CNI error 11)");
    assertNothingLeft();
    // The plugin and its child were killed with it.
    for (String pid : Files.readString(pids).trim().split(" ")) {
      assertFalse(running(Long.parseLong(pid)), "process " + pid + " outlived the timeout");
    }
  }

  /** Whether a process exists and is not a zombie (PID 1 here need not reap orphans). */
  static boolean running(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    try {
      String s = Files.readString(stat);
      return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
  }

  @Test
  void pluginPrintingGarbage() throws Exception {
    Cli.Run r = cli().run("add", "jtgarbage", ctr.path());
    assertCleanFailure(r, "plugin type=\"garbage\" failed (add): netplugin failed but error parsing its diagnostic "
        + "message \"garbage: not JSON\"");
    assertNothingLeft();
  }

  @Test
  void pluginKilledBySignal() throws Exception {
    Cli.Run r = cli().run("add", "jtkilled", ctr.path());
    assertCleanFailure(r, "plugin type=\"killed\" failed (add): netplugin failed with no error message: signal: killed");
    assertNothingLeft();
  }

  @Test
  void unwritableCacheDir() throws Exception {
    // A directory where the cache file should be: the ADD runs, its result cannot be stored, and it is undone.
    Path blocker = Files.createDirectories(cacheDir.resolve("results").resolve("jtok-jt-cache-eth0")
        .resolve("blocker"));
    Cli.Run r = cli().env("CNI_CONTAINERID", "jt-cache").run("add", "jtok", ctr.path());
    assertCleanFailure(r, "failed to set network \"jtok\" cached result: ");
    Files.delete(blocker);
    Files.delete(blocker.getParent());
    assertNothingLeft();
  }

  @Test
  void theGoodNetworkWorksInTheSameSetup() throws Exception {
    // The control case: the fixture itself is sound, so the failures above are the ones asserted.
    Cli.Run add = cli().run("add", "jtok", ctr.path());
    assertEquals(0, add.exit(), add.toString());
    assertEquals("", add.stderr());
    Cli.Run del = cli().run("del", "jtok", ctr.path());
    assertEquals(0, del.exit(), del.toString());
    assertNothingLeft();
  }

  static final java.util.regex.Pattern INTERNALS =
      java.util.regex.Pattern.compile("com\\.fasterxml|java\\.|jackson|Exception|\\bat \\[Source");

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "{\"cniVersion\":\"1.0.0\",\"name\":\"jtbad\",\"plugins\":{}}",
      "{\"cniVersion\":1,\"name\":\"jtbad\",\"plugins\":[{\"type\":\"bridge\"}]}",
      "{\"cniVersion\":\"1.0.0\",\"name\":\"jtbad\",\"plugins\":[\"bridge\"]}",
      "{\"cniVersion\":\"1.0.0\",\"name\":\"jtbad\",\"plugins\":[{\"type\":\"bridge\",\"capabilities\":[]}]}",
      "{\"cniVersion\":\"1.0.0\",\"name\":\"jtbad\",\"plugins\":[{\"type\":\"bridge\",\"ipam\":[]}]}",
  })
  void aWronglyTypedConflistIsOneCniWordedLineNamingTheFile(String json) throws Exception {
    Path bad = Files.writeString(confDir.resolve("06-bad.conflist"), json);
    for (String mode : new String[] {"--inline", "--exec"}) {
      Cli.Run r = cli().run(mode, "add", "jtbad", ctr.path());
      assertCleanFailure(r, "");
      assertFalse(INTERNALS.matcher(r.stderr()).find(), r.toString());
      assertTrue(r.stderr().contains(bad.toString()) || r.stderr().contains("jtbad"), r.toString());
    }
    assertNothingLeft();
  }

  @Test
  void aCorruptCachedResultIsOneCniWordedLineOnCheckAndDel() throws Exception {
    Cli.Run add = cli().env("CNI_CONTAINERID", "jt-corrupt").run("add", "jtok", ctr.path());
    assertEquals(0, add.exit(), add.toString());
    Path cached = cacheDir.resolve("results").resolve("jtok-jt-corrupt-eth0");
    com.fasterxml.jackson.databind.node.ObjectNode rec = (com.fasterxml.jackson.databind.node.ObjectNode)
        JSON.readTree(cached.toFile());
    rec.putObject("result").put("cniVersion", "1.0.0").put("ips", "10.231.9.2/24");
    JSON.writeValue(cached.toFile(), rec);
    Cli.Run check = cli().env("CNI_CONTAINERID", "jt-corrupt").run("check", "jtok", ctr.path());
    assertCleanFailure(check, "failed to get network \"jtok\" cached result: json: cannot unmarshal string into Go "
        + "struct field Result.ips of type []ips");
    assertFalse(INTERNALS.matcher(check.stderr()).find(), check.toString());
    Cli.Run del = cli().env("CNI_CONTAINERID", "jt-corrupt").run("del", "jtok", ctr.path());
    assertFalse(INTERNALS.matcher(del.stderr()).find(), del.toString());
    assertTrue(del.stderr().lines().count() <= 1, del.toString());
  }
}
