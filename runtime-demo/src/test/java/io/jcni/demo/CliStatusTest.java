package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jcni status}, {@code validate} and usage errors on a 1.1.0 list of test-bin/noop plugins (no root needed). */
class CliStatusTest {
  @TempDir Path tmp;
  Path confDir;
  Path debug;
  Path log;

  @BeforeEach
  void setUp() throws Exception {
    confDir = Files.createDirectories(tmp.resolve("net.d"));
    debug = tmp.resolve("debug.json");
    log = tmp.resolve("commands.log");
    Files.writeString(debug, "{}");
    Files.writeString(confDir.resolve("10-noop.conflist"), "{\"cniVersion\":\"1.1.0\",\"name\":\"jtstatus\","
        + "\"plugins\":[{\"type\":\"noop\",\"commandLog\":\"" + log + "\"},{\"type\":\"noop\",\"debugFile\":\"" + debug
        + "\",\"commandLog\":\"" + log + "\",\"capabilities\":{\"mac\":true}}]}");
  }

  Cli cli() {
    return new Cli().env("NETCONFPATH", confDir.toString()).env("CNI_PATH", TestBin.dir().toString())
        .env("CNI_CACHE_DIR", tmp.resolve("cache").toString());
  }

  long statusCalls() throws Exception {
    return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains("\"STATUS\"")).count() : 0;
  }

  @Test
  void statusOfAReadyNetwork() throws Exception {
    Cli.Run r = cli().run("status", "jtstatus");
    assertEquals(0, r.exit(), r.toString());
    assertEquals("network jtstatus is ready", r.stdout().trim());
    assertEquals(2, statusCalls());
  }

  @Test
  void statusOfAnUnavailablePluginKeepsCode50() throws Exception {
    Files.writeString(debug, "{\"ReportError\":\"no leases left\",\"ReportErrorCode\":50}");
    Cli.Run r = cli().run("status", "jtstatus");
    assertEquals(1, r.exit(), r.toString());
    assertEquals("jcni: no leases left (CNI error 50)", r.stderr().trim());
  }

  @Test
  void gcDeletesEveryCachedAttachmentOfTheNetworkThenGcsThePlugins() throws Exception {
    Path netns = Files.createFile(tmp.resolve("fake-netns"));
    for (String id : new String[] {"ctr-a", "ctr-b"}) {
      Cli.Run add = cli().env("CNI_CONTAINERID", id).run("add", "jtstatus", netns.toString());
      assertEquals(0, add.exit(), add.toString());
    }
    Files.delete(log);
    Cli.Run gc = cli().run("gc", "jtstatus");
    assertEquals(0, gc.exit(), gc.toString());
    // cnitool gc passes no valid attachments: both are stale, each DEL runs the list in reverse, then GC per plugin.
    java.util.List<String> cmds = Files.readAllLines(log).stream()
        .map(l -> l.replaceAll(".*\"Command\":\"([A-Z]+)\".*\"ContainerID\":\"([^\"]*)\".*", "$1 $2")).toList();
    assertEquals(java.util.List.of("DEL ctr-a", "DEL ctr-a", "DEL ctr-b", "DEL ctr-b", "GC ", "GC "), cmds);
    try (var s = Files.list(tmp.resolve("cache/results"))) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void listShowsABrokenFileWithoutFailing() throws Exception {
    Path bad = confDir.resolve("05-broken.conflist");
    Files.writeString(bad, "{\"name\":");
    Cli.Run r = cli().run("list");
    assertEquals(0, r.exit(), r.toString());
    java.util.List<String> lines = r.stdout().lines().toList();
    assertEquals(2, lines.size(), r.toString());
    assertTrue(lines.get(0).startsWith("?") && lines.get(0).contains(bad.toString()) && lines.get(0).contains("error: "),
        lines.get(0));
    assertTrue(lines.get(1).matches("jtstatus +1\\.1\\.0 +.*10-noop\\.conflist +noop,noop"), lines.get(1));
  }

  @Test
  void validateReportsCapabilities() throws Exception {
    Cli.Run r = cli().run("validate", "jtstatus");
    assertEquals(0, r.exit(), r.toString());
    assertEquals("network jtstatus is valid; capabilities: mac", r.stdout().trim());
  }

  @Test
  void usageErrorsAreShortAndExit2() throws Exception {
    Cli.Run r = cli().run("frobnicate");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.stderr().startsWith("jcni: unknown command frobnicate\nusage: jcni"), r.toString());
    assertFalse(r.stderr().contains("\tat "), r.toString());
    r = cli().run("--timeout", "soon", "add", "jtstatus", "/x");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.stderr().startsWith("jcni: --timeout wants a positive number of seconds, not soon"), r.toString());
  }

  @Test
  void benchRefusesTheFloorWithAConflist() throws Exception {
    // refused before it needs root or touches anything: the one error line, then the usage
    Cli.Run r = cli().run("bench", "--floor", "--conf", "x.conflist");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.stderr().startsWith("jcni: bench: --floor is for the bench's own network, not with --conf\n"
        + "usage: jcni"), r.toString());
    assertEquals("", r.stdout(), r.toString());
  }

  @Test
  void delWithoutNetnsNeedsTheContainerId() throws Exception {
    // The default container ID derives from the namespace path, so a DEL with neither would silently miss.
    Cli.Run r = cli().run("del", "jtstatus");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.stderr().startsWith("jcni: del needs <netns-path>, or CNI_CONTAINERID"), r.toString());
    r = cli().env("CNI_CONTAINERID", "gone-sandbox").run("del", "jtstatus");
    assertEquals(0, r.exit(), r.toString());
  }

  @Test
  void badCniArgsAndCapArgsAreOneLine() throws Exception {
    Path netns = Files.createFile(tmp.resolve("fake-netns"));
    Cli.Run r = cli().env("CNI_ARGS", "K=V;broken").run("add", "jtstatus", netns.toString());
    assertEquals(1, r.exit(), r.toString());
    assertEquals(1, r.stderr().lines().count(), r.toString());
    assertTrue(r.stderr().contains("\"broken\""), r.toString());
    r = cli().env("CAP_ARGS", "[1,2").run("add", "jtstatus", netns.toString());
    assertEquals(1, r.exit(), r.toString());
    assertEquals(1, r.stderr().lines().count(), r.toString());
    assertTrue(r.stderr().startsWith("jcni: CAP_ARGS is not a JSON object"), r.toString());
    assertFalse(Files.exists(tmp.resolve("cache/results")));
  }
}
