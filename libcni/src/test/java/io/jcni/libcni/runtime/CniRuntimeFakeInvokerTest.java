package io.jcni.libcni.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.GcAttachment;
import io.jcni.libcni.OperationLog;
import io.jcni.libcni.invoke.PluginInvoker;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.NetworkResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fake invoker drives {@link CniRuntime} without root and without any plugin binary: ADD, CHECK, DEL and GC go
 * through it, and what it received (command, environment, stdin) is the oracle. Log records are captured from
 * java.util.logging, where {@code System.Logger} writes when no logging library is present. The last tests use
 * test-bin's noop for what only an exec'd plugin shows: the log's mode and the stderr sink.
 */
class CniRuntimeFakeInvokerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path confDir;
  private final List<String> calls = new ArrayList<>();
  private final Map<String, JsonNode> stdins = new LinkedHashMap<>();
  private final List<LogRecord> records = new ArrayList<>();
  private Handler handler;
  private Level savedLevel;

  /** Answers ADD with a 1.1.0 result for eth0; type "failing" fails every command with a vendor code. */
  private final PluginInvoker fake = (Command command, String type, CmdArgs args) -> {
    JsonNode stdin;
    try {
      stdin = JSON.readTree(args.stdinData());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    String line = command + " " + type + " " + stdin.path("name").asText() + " " + args.containerId() + " "
        + args.ifName() + (args.args().isEmpty() ? "" : " " + args.args());
    synchronized (calls) {
      calls.add(line);
      stdins.put(command + " " + stdin.path("name").asText() + " " + args.containerId(), stdin);
    }
    if (type.equals("failing")) {
      throw new CniException(142, "vendor says no");
    }
    if (command != Command.ADD) {
      return new byte[0];
    }
    return ("{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"" + args.ifName() + "\",\"mac\":\"0a:58:00:00:00:01\","
        + "\"sandbox\":\"" + args.netns() + "\"}],\"ips\":[{\"interface\":0,\"address\":\"10.9.0.7/24\","
        + "\"gateway\":\"10.9.0.1\"}]}").getBytes(StandardCharsets.UTF_8);
  };

  @BeforeEach
  void setUp() throws Exception {
    confDir = Files.createDirectories(tmp.resolve("net.d"));
    write("10-a.conflist", "a", "fake", "{\"portMappings\":true}");
    write("20-b.conflist", "b", "fake", "{}");
    write("30-c.conflist", "c", "failing", "{}");
    Logger jul = Logger.getLogger(OperationLog.NAME);
    savedLevel = jul.getLevel();
    jul.setLevel(Level.ALL);
    handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (records) {
          records.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(handler);
  }

  @AfterEach
  void tearDown() {
    Logger jul = Logger.getLogger(OperationLog.NAME);
    jul.removeHandler(handler);
    jul.setLevel(savedLevel);
  }

  private void write(String file, String name, String type, String caps) throws Exception {
    Files.writeString(confDir.resolve(file), "{\"cniVersion\":\"1.1.0\",\"name\":\"" + name
        + "\",\"plugins\":[{\"type\":\"" + type + "\",\"capabilities\":" + caps + "}]}");
  }

  private CniRuntime runtime() {
    return CniRuntime.builder().confDir(confDir).cacheDir(tmp.resolve("cache")).pluginPath(List.of())
        .registry(PluginRegistry.empty()).invoker(fake).build();
  }

  private List<String> messages(Level level) {
    synchronized (records) {
      return records.stream().filter(r -> r.getLevel() == level).map(LogRecord::getMessage).toList();
    }
  }

  @Test
  void addCheckDelThroughTheFakeWithTypedResultAndCapabilities() throws Exception {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("K8S_POD_NAMESPACE", "ns1");
    labels.put("K8S_POD_NAME", "web-0");
    NetworkRequest req = NetworkRequest.of("a", "eth0").withCniArgs(labels)
        .withCapabilities(Capabilities.builder().portMapping(8080, 80, "tcp").mac("c2:11:22:33:44:55").build());
    try (CniRuntime rt = runtime()) {
      Attachment att = rt.attach("sb1", "/var/run/netns/sb1", List.of(req)).get(0);
      NetworkResult view = att.typedResult();
      assertEquals("10.9.0.7/24 via 10.9.0.1", view.iface("eth0").orElseThrow().ips().get(0).toString());
      assertEquals("0a:58:00:00:00:01", view.iface("eth0").orElseThrow().mac());
      assertEquals(view, rt.cachedResult("sb1", "a", "eth0").orElseThrow());
      assertTrue(rt.cachedResult("sb1", "a", "eth1").isEmpty());

      // Only the declared capability reaches the plugin, in the conventions' shape (keys sorted, as Go writes).
      assertEquals("{\"portMappings\":[{\"containerPort\":80,\"hostPort\":8080,\"protocol\":\"tcp\"}]}",
          stdins.get("ADD a sb1").path("runtimeConfig").toString());

      rt.check("sb1", "/var/run/netns/sb1", List.of(NetworkRequest.of("a", "eth0")));
      assertEquals("10.9.0.7/24", stdins.get("CHECK a sb1").path("prevResult").path("ips").get(0).path("address")
          .asText());
      rt.detach("sb1", "/var/run/netns/sb1", List.of(NetworkRequest.of("a", "eth0")));
      assertTrue(rt.cachedResult("sb1", "a", "eth0").isEmpty());
    }
    assertEquals(List.of("ADD fake a sb1 eth0 K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web-0",
        "CHECK fake a sb1 eth0 K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web-0",
        "DEL fake a sb1 eth0 K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web-0"), calls);
    List<String> debug = messages(Level.FINE);
    assertEquals(3, debug.size(), debug::toString);
    assertTrue(debug.get(0).matches("ADD network=a container=sb1 ifname=eth0 plugin=fake mode=custom took [0-9.]+ms"),
        debug.get(0));
    assertTrue(debug.get(2).startsWith("DEL network=a container=sb1 ifname=eth0 plugin=fake"), debug.get(2));
    assertEquals(List.of(), messages(Level.WARNING));
  }

  @Test
  void failureCarriesItsContextAndIsLoggedOnce() throws Exception {
    try (CniRuntime rt = runtime()) {
      CniException e = assertThrows(CniException.class,
          () -> rt.attach("sb2", "/var/run/netns/sb2", List.of(NetworkRequest.of("c", "eth3"))));
      assertEquals(142, e.code());
      assertEquals(ErrorCode.UNRECOGNIZED, e.errorCode());
      assertEquals("c", e.network().orElseThrow());
      assertEquals("failing", e.pluginType().orElseThrow());
      assertEquals("ADD", e.cniCommand().orElseThrow());
      assertEquals("eth3", e.ifName().orElseThrow());
      assertEquals("network \"c\" (eth3): plugin type=\"failing\" failed (add): vendor says no", e.getMessage());
    }
    List<String> warnings = messages(Level.WARNING);
    assertEquals(1, warnings.size(), warnings::toString);
    assertTrue(warnings.get(0).startsWith("ADD network=c container=sb2 ifname=eth3 plugin=failing mode=custom failed "
        + "after "), warnings.get(0));
    assertTrue(warnings.get(0).endsWith(": vendor says no"), warnings.get(0));
  }

  @Test
  void gcPerNetworkReportsAndLeavesUnlistedNetworksAlone() throws Exception {
    try (CniRuntime rt = runtime()) {
      rt.attach("keep", "/ns/keep", List.of(NetworkRequest.of("a", "eth0")));
      rt.attach("stale", "/ns/stale", List.of(NetworkRequest.of("a", "eth0")));
      rt.attach("other", "/ns/other", List.of(NetworkRequest.of("b", "eth0")));
      calls.clear();

      GcReport report = rt.gc(Map.of("a", List.of(new GcAttachment("keep", "eth0")), "c", List.of()));

      assertEquals(List.of("a"), report.collected());
      assertEquals(List.of("b"), report.skipped());
      assertFalse(report.ok());
      CniException c = report.failures().get("c");
      assertEquals(142, c.code());
      assertEquals("c", c.network().orElseThrow());
      assertEquals("failing", c.pluginType().orElseThrow());
      assertEquals("network \"c\": failed to GC plugin failing: vendor says no", c.getMessage());

      assertEquals(List.of("DEL fake a stale eth0", "GC fake a  ", "GC failing c  "), calls);
      assertEquals("[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]",
          stdins.get("GC a ").path("cni.dev/valid-attachments").toString());
      assertTrue(rt.cachedResult("other", "b", "eth0").isPresent());
      assertTrue(rt.cachedResult("keep", "a", "eth0").isPresent());
      assertTrue(rt.cachedResult("stale", "a", "eth0").isEmpty());
    }
  }

  @Test
  void logsSayWhetherAPluginRanInProcessOrWasExeced() throws Exception {
    NoopNetworks nets = new NoopNetworks(tmp.resolve("modes"));
    nets.network("10-x.conflist", "x", "1.1.0", "10.205.1.5/24");
    Files.writeString(nets.confDir.resolve("20-y.conflist"),
        "{\"cniVersion\":\"1.1.0\",\"name\":\"y\",\"plugins\":[{\"type\":\"recorder\",\"address\":\"10.205.2.5/24\"}]}");
    PluginRegistry registry = PluginRegistry.empty().register(new RecordingPlugin("recorder"));
    try (CniRuntime rt = nets.runtime().registry(registry).build()) {
      rt.attach("sb3", "/var/run/netns/jt-sb3", List.of(NetworkRequest.of("x", "eth0"), NetworkRequest.of("y", "eth1")));
    }
    List<String> debug = messages(Level.FINE);
    assertEquals(2, debug.size(), debug::toString);
    assertTrue(debug.get(0).startsWith("ADD network=x container=sb3 ifname=eth0 plugin=noop mode=exec took "),
        debug.get(0));
    assertTrue(debug.get(1).startsWith("ADD network=y container=sb3 ifname=eth1 plugin=recorder mode=inline took "),
        debug.get(1));
  }

  @Test
  void execdPluginStderrGoesToTheConfiguredSink() throws Exception {
    NoopNetworks nets = new NoopNetworks(tmp.resolve("stderr"));
    nets.network("10-x.conflist", "x", "1.1.0", "10.205.1.5/24");
    com.fasterxml.jackson.databind.node.ObjectNode debug =
        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(nets.debugFile("x").toFile());
    debug.put("ReportStderr", "noop says hello");
    Files.writeString(nets.debugFile("x"), JSON.writeValueAsString(debug));
    java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
    try (CniRuntime rt = nets.runtime().pluginStderr(sink).build()) {
      rt.attach("sb4", "/var/run/netns/jt-sb4", List.of(NetworkRequest.of("x", "eth0")));
    }
    assertEquals("noop says hello", sink.toString(StandardCharsets.UTF_8));
  }
}
