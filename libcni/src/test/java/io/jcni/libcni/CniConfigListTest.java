package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Upstream api_test.go's network-list cases: a list of three noop plugins, plus GC and STATUS. */
class CniConfigListTest {
  static final String CURRENT = "1.1.0";
  static final String IP_RESULT =
      "{\"cniVersion\":\"" + CURRENT + "\",\"ips\":[{\"address\":\"10.1.2.3/24\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}";
  static final List<Map<String, Object>> PORT_MAPPINGS =
      List.of(Map.of("hostPort", 8080, "containerPort", 90, "protocol", "tcp"));
  static final List<String> OTHER = List.of("a", "b");
  static final String[] KEYS = {"some-value", "some-other-value", "yet-another-value"};

  @TempDir Path tmp;
  Path cacheDir;
  Path log;
  List<Path> debug = new ArrayList<>();
  CniConfig cni;
  RuntimeConf rt;

  @BeforeEach
  void setUp() {
    cacheDir = tmp.resolve("cache");
    log = tmp.resolve("commands.log");
    cni = CniConfig.builder().path(List.of(TestBin.dir().toString())).cacheDir(cacheDir).build();
    rt = new RuntimeConf("some-container-id", "/some/netns/path", "some-eth0", List.of(Map.entry("FOO", "BAR")),
        Map.of("portMappings", PORT_MAPPINGS, "otherCapability", OTHER), null);
    String[] results = {IP_RESULT, "PASSTHROUGH", "INJECT-DNS"};
    for (int i = 0; i < 3; i++) {
      debug.add(Noop.writeDebug(tmp.resolve("debug" + i), Noop.reportResult(results[i])));
    }
  }

  /** The conflist: plugin 1 declares two capabilities, all three log to one command log. */
  ObjectNode listJson(String version) {
    ObjectNode l = Noop.JSON.createObjectNode().put("name", "some-list").put("cniVersion", version);
    ArrayNode ps = l.putArray("plugins");
    for (int i = 0; i < 3; i++) {
      ObjectNode p = ps.addObject().put("type", "noop").put("some-key", KEYS[i])
          .put("debugFile", debug.get(i).toString()).put("commandLog", log.toString());
      if (i == 0) {
        p.putObject("capabilities").put("portMappings", true).put("otherCapability", true);
      }
    }
    return l;
  }

  NetworkConfigList list(String version) throws Exception {
    return ConfLoader.confListFromBytes(Noop.JSON.writeValueAsBytes(listJson(version)));
  }

  NetworkConfigList list(ObjectNode json) throws Exception {
    return ConfLoader.confListFromBytes(Noop.JSON.writeValueAsBytes(json));
  }

  Path cacheFile() {
    return cacheDir.resolve("results").resolve("some-list-some-container-id-some-eth0");
  }

  /** What plugin i must get on stdin by the spec: its object, the list's name and version, prevResult, caps. */
  ObjectNode expectedStdin(NetworkConfigList l, int i, JsonNode prevResult) {
    ObjectNode o = (ObjectNode) Noop.parse(l.plugins().get(i).bytes());
    o.put("name", l.name()).put("cniVersion", l.cniVersion());
    if (prevResult != null) {
      o.set("prevResult", prevResult);
    }
    if (i == 0) {
      ObjectNode rc = o.putObject("runtimeConfig");
      rc.set("portMappings", Noop.JSON.valueToTree(PORT_MAPPINGS));
      rc.set("otherCapability", Noop.JSON.valueToTree(OTHER));
    }
    return o;
  }

  /** Which plugin (0, 1, 2) a logged call went to, by its "some-key". */
  static int plugin(Noop.Call c) {
    return List.of(KEYS).indexOf(c.stdinJson().get("some-key").asText());
  }

  static List<String> trace(Path log) {
    return Noop.log(log).stream().map(c -> c.command() + (plugin(c) + 1)).toList();
  }

  JsonNode expectedFinalResult() {
    ObjectNode r = (ObjectNode) Noop.parse(IP_RESULT);
    r.putObject("dns").putArray("nameservers").add("1.2.3.4");
    return r;
  }

  @Nested
  class AddNetworkList {
    @Test
    void chainsPrevResultThroughThePluginsAndCachesTheFinalResult() throws Exception {
      NetworkConfigList l = list(CURRENT);
      Result r = cni.addNetworkList(l, rt);

      assertEquals(expectedFinalResult(), Noop.parse(r.toJson()));
      assertEquals(List.of("ADD1", "ADD2", "ADD3"), trace(log));
      JsonNode ip = Noop.parse(IP_RESULT);
      JsonNode[] prev = {null, ip, ip};
      for (int i = 0; i < 3; i++) {
        Noop.Call c = Noop.lastCall(debug.get(i));
        assertEquals("ADD", c.command());
        assertEquals("some-container-id", c.containerId());
        assertEquals("/some/netns/path", c.netns());
        assertEquals("some-eth0", c.ifName());
        assertEquals("FOO=BAR", c.args());
        assertEquals(TestBin.dir().toString(), c.path());
        assertEquals(expectedStdin(l, i, prev[i]), c.stdinJson(), "stdin of plugin " + (i + 1));
      }

      JsonNode cached = Noop.parse(Files.readAllBytes(cacheFile()));
      assertArrayEquals(l.bytes(), Base64.getDecoder().decode(cached.get("config").asText()));
      assertEquals(expectedFinalResult(), cached.get("result"));
      assertEquals(expectedFinalResult(), Noop.parse(cni.getNetworkListCachedResult(l, rt).orElseThrow().toJson()));
      CachedConfig cc = cni.getNetworkListCachedConfig(l, rt).orElseThrow();
      assertArrayEquals(l.bytes(), cc.config());
      assertEquals(rt.args(), cc.runtimeConf().args());
    }

    @Test
    void aMissingPluginStopsTheChainAndRollsBackWhatRan() throws Exception {
      ObjectNode j = listJson(CURRENT);
      ((ObjectNode) j.get("plugins").get(1)).put("type", "does-not-exist");
      CniException e = assertThrows(CniException.class, () -> cni.addNetworkList(list(j), rt));
      assertEquals("plugin type=\"does-not-exist\" failed (add): failed to find plugin \"does-not-exist\" in path ["
          + TestBin.dir() + "]", e.getMessage());
      assertEquals(List.of("ADD1", "DEL1"), trace(log));
      assertFalse(Files.exists(cacheFile()));
    }

    static Stream<Arguments> badNames() {
      String sixteen = "1234567890123456";
      return Stream.of(
          Arguments.of("", "some-list", "eth0", ErrorCode.UNKNOWN_CONTAINER, "missing containerID", ""),
          Arguments.of("some/id", "some-list", "eth0", ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "invalid characters in containerID", "some/id"),
          Arguments.of("-leading-dash", "some-list", "eth0", ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "invalid characters in containerID", "-leading-dash"),
          Arguments.of("cid", "", "eth0", ErrorCode.INVALID_NETWORK_CONFIG, "missing network name:", ""),
          Arguments.of("cid", "some list", "eth0", ErrorCode.INVALID_NETWORK_CONFIG,
              "invalid characters found in network name", "some list"),
          Arguments.of("cid", "some-list", "", ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "interface name is empty", ""),
          Arguments.of("cid", "some-list", sixteen, ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "interface name is too long", "interface name should be less than 16 characters"),
          Arguments.of("cid", "some-list", ".", ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "interface name is . or ..", ""),
          Arguments.of("cid", "some-list", "..", ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "interface name is . or ..", ""),
          Arguments.of("cid", "some-list", "eth/0", ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "interface name contains / or : or whitespace characters", ""),
          Arguments.of("cid", "some-list", "eth:0", ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "interface name contains / or : or whitespace characters", ""),
          Arguments.of("cid", "some-list", "eth 0", ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
              "interface name contains / or : or whitespace characters", ""));
    }

    @ParameterizedTest(name = "cid={0} net={1} if={2}")
    @MethodSource("badNames")
    void badNamesFailBeforeAnyPluginRuns(String cid, String net, String ifName, ErrorCode code, String msg,
        String details) throws Exception {
      NetworkConfigList l = list(CURRENT);
      NetworkConfigList renamed = new NetworkConfigList(net, l.cniVersion(), l.disableCheck(), l.disableGC(),
          l.loadOnlyInlinedPlugins(), l.plugins(), l.bytes());
      RuntimeConf r = new RuntimeConf(cid, rt.netNs(), ifName, rt.args(), rt.capabilityArgs(), null);
      CniException e = assertThrows(CniException.class, () -> cni.addNetworkList(renamed, r));
      assertEquals(code, e.errorCode());
      assertEquals("plugin type=\"noop\" failed (add): " + msg, e.msg());
      assertEquals(details, e.details());
      // errors.Unwrap in Go: the plain validation error is underneath.
      CniException cause = assertInstanceOf(CniException.class, e.getCause());
      assertEquals(msg, cause.msg());
      assertEquals(code, cause.errorCode());
      assertEquals(List.of(), Noop.commands(log), "no plugin may run, not even a rollback DEL");
      assertFalse(Files.exists(cacheDir.resolve("results")));
    }

    @Test
    void aSecondPluginErrorWritesNoCacheAndRollsBackInReverse() throws Exception {
      Noop.writeDebug(debug.get(1), Noop.JSON.createObjectNode().put("ReportError", "plugin error: banana")
          .put("ReportErrorCode", 11));
      CniException e = assertThrows(CniException.class, () -> cni.addNetworkList(list(CURRENT), rt));
      assertEquals("plugin type=\"noop\" failed (add): plugin error: banana", e.getMessage());
      assertEquals(ErrorCode.TRY_AGAIN_LATER, e.errorCode());
      assertFalse(Files.exists(cacheFile()));
      // Ours: the plugin that completed is deleted again; the failed one is not asked to delete anything.
      assertEquals(List.of("ADD1", "ADD2", "DEL1"), trace(log));
    }

    @Test
    void aCacheWriteFailureReturnsNoResultAndRollsBackTheWholeChain() throws Exception {
      Files.createDirectories(cacheFile().resolve("blocker"));
      Result[] got = {null};
      CniException e = assertThrows(CniException.class, () -> got[0] = cni.addNetworkList(list(CURRENT), rt));
      assertNull(got[0]);
      assertTrue(e.getMessage().startsWith("failed to set network \"some-list\" cached result: "), e.getMessage());
      assertEquals(List.of("ADD1", "ADD2", "ADD3", "DEL3", "DEL2", "DEL1"), trace(log));
    }
  }

  @Nested
  class CheckNetworkList {
    @Test
    void runsInOrderWithTheCachedResult() throws Exception {
      NetworkConfigList l = list(CURRENT);
      cni.addNetworkList(l, rt);
      Files.delete(log);
      cni.checkNetworkList(l, rt);
      assertEquals(List.of("CHECK1", "CHECK2", "CHECK3"), trace(log));
      for (int i = 0; i < 3; i++) {
        assertEquals(expectedStdin(l, i, expectedFinalResult()), Noop.lastCall(debug.get(i)).stdinJson());
      }
    }

    @Test
    void disableCheckRunsNothing() throws Exception {
      ObjectNode j = listJson(CURRENT).put("disableCheck", true);
      cni.checkNetworkList(list(j), rt);
      assertEquals(List.of(), Noop.commands(log));
    }

    @Test
    void below040IsRefusedEvenWithDisableCheck() throws Exception {
      ObjectNode j = listJson("0.3.1").put("disableCheck", true);
      CniException e = assertThrows(CniException.class, () -> cni.checkNetworkList(list(j), rt));
      assertEquals("configuration version \"0.3.1\" does not support the CHECK command", e.getMessage());
      assertEquals(List.of(), Noop.commands(log));
    }

    @Test
    void anInvalidCacheIsAnError() throws Exception {
      Files.createDirectories(cacheFile().getParent());
      Files.writeString(cacheFile(), "adfadsfasdfasfdsafaf");
      CniException e = assertThrows(CniException.class, () -> cni.checkNetworkList(list(CURRENT), rt));
      assertTrue(e.msg().startsWith("failed to get network \"some-list\" cached result: "), e.getMessage());
      assertEquals(List.of(), Noop.commands(log));
    }

    @Test
    void theFirstErrorStopsTheCheck() throws Exception {
      Noop.writeDebug(debug.get(1), Noop.JSON.createObjectNode().put("ReportError", "not ok"));
      CniException e = assertThrows(CniException.class, () -> cni.checkNetworkList(list(CURRENT), rt));
      assertEquals("not ok", e.getMessage());
      assertEquals(List.of("CHECK1", "CHECK2"), trace(log));
    }
  }

  @Nested
  class DelNetworkList {
    @Test
    void runsInReverseOrderWithTheCachedResultAndRemovesTheCache() throws Exception {
      NetworkConfigList l = list(CURRENT);
      cni.addNetworkList(l, rt);
      Files.delete(log);
      cni.delNetworkList(l, rt);
      assertEquals(List.of("DEL3", "DEL2", "DEL1"), trace(log));
      for (int i = 0; i < 3; i++) {
        assertEquals(expectedStdin(l, i, expectedFinalResult()), Noop.lastCall(debug.get(i)).stdinJson());
      }
      assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void anInvalidCacheIsTolerated() throws Exception {
      Files.createDirectories(cacheFile().getParent());
      Files.writeString(cacheFile(), "adfadsfasdfasfdsafaf");
      for (Path d : debug) {
        Noop.writeDebug(d, Noop.JSON.createObjectNode()); // PASSTHROUGH would insist on a prevResult
      }
      cni.delNetworkList(list(CURRENT), rt);
      assertEquals(List.of("DEL3", "DEL2", "DEL1"), trace(log));
      assertFalse(Noop.lastCall(debug.get(0)).stdinJson().has("prevResult"));
      assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void aPluginErrorIsWrappedAndKeepsTheCache() throws Exception {
      NetworkConfigList l = list(CURRENT);
      cni.addNetworkList(l, rt);
      Noop.writeDebug(debug.get(1), Noop.JSON.createObjectNode().put("ReportError", "busy"));
      CniException e = assertThrows(CniException.class, () -> cni.delNetworkList(l, rt));
      assertEquals("plugin type=\"noop\" failed (delete): busy", e.getMessage());
      assertTrue(Files.exists(cacheFile()));
    }
  }

  @Nested
  class ValidateNetworkList {
    @Test
    void returnsTheUnionOfCapabilities() throws Exception {
      ObjectNode j = listJson(CURRENT);
      ((ObjectNode) j.get("plugins").get(2)).putObject("capabilities").put("mac", true).put("ips", false);
      assertEquals(Set.of("portMappings", "otherCapability", "mac"), cni.validateNetworkList(list(j)));
    }

    @Test
    void collectsAllErrorsInBrackets() throws Exception {
      ObjectNode j = listJson(CURRENT);
      ((ObjectNode) j.get("plugins").get(0)).put("type", "nope");
      ((ObjectNode) j.get("plugins").get(2)).put("type", "nope2");
      CniException e = assertThrows(CniException.class, () -> cni.validateNetworkList(list(j)));
      String dir = TestBin.dir().toString();
      assertEquals("[failed to find plugin \"nope\" in path [" + dir + "] failed to find plugin \"nope2\" in path ["
          + dir + "]]", e.getMessage());
    }

    @Test
    void anUnsupportedVersionIsReported() throws Exception {
      CniException e = assertThrows(CniException.class, () -> cni.validateNetworkList(list("broken")));
      String one = "plugin noop does not support config version \"broken\"";
      assertEquals("[" + one + " " + one + " " + one + "]", e.getMessage());
    }
  }

  @Nested
  class Gc {
    NetworkConfigList single(boolean disableGC) throws Exception {
      ObjectNode j = Noop.JSON.createObjectNode().put("name", "some-list").put("cniVersion", CURRENT)
          .put("disableGC", disableGC);
      j.putArray("plugins").addObject().put("type", "noop").put("some-key", KEYS[0])
          .put("debugFile", debug.get(0).toString()).put("commandLog", log.toString());
      return list(j);
    }

    @Test
    void keepsValidAttachmentsAndDeletesTheRest() throws Exception {
      NetworkConfigList l = single(false);
      Noop.writeDebug(debug.get(0), Noop.reportResult(IP_RESULT));
      cni.addNetworkList(l, rt);

      GcAttachment valid = new GcAttachment("some-container-id", "some-eth0");
      cni.gcNetworkList(l, List.of(valid));
      cni.gcNetworkList(l, List.of());

      List<Noop.Call> calls = Noop.log(log);
      assertEquals(List.of("ADD", "GC", "DEL", "GC"), calls.stream().map(Noop.Call::command).toList());
      JsonNode oneValid = Noop.parse("[{\"containerID\":\"some-container-id\",\"ifname\":\"some-eth0\"}]");
      assertEquals(oneValid, calls.get(1).stdinJson().get("cni.dev/valid-attachments"));
      assertEquals(oneValid, calls.get(1).stdinJson().get("cni.dev/attachments"));
      assertEquals("", calls.get(1).containerId());
      assertEquals("", calls.get(1).ifName());
      // The stale attachment is deleted with what the cache remembers of it.
      assertEquals("some-container-id", calls.get(2).containerId());
      assertEquals("/some/netns/path", calls.get(2).netns());
      assertEquals("FOO=BAR", calls.get(2).args());
      assertEquals(Noop.parse(IP_RESULT), calls.get(2).stdinJson().get("prevResult"));
      assertEquals(Noop.parse("[]"), calls.get(3).stdinJson().get("cni.dev/valid-attachments"));
      assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void errorsAreCollectedAndJoined() throws Exception {
      NetworkConfigList l = single(false);
      Noop.writeDebug(debug.get(0), Noop.reportResult(IP_RESULT));
      cni.addNetworkList(l, rt);
      Noop.writeDebug(debug.get(0), Noop.JSON.createObjectNode().put("ReportError", "nope"));
      CniException e = assertThrows(CniException.class, () -> cni.gcNetworkList(l, List.of()));
      assertEquals("failed to delete stale attachment some-container-id some-eth0: plugin type=\"noop\" failed "
          + "(delete): nope\nfailed to GC plugin noop: nope", e.getMessage());
      assertEquals(List.of("ADD", "DEL", "GC"), Noop.commands(log));
      assertTrue(Files.exists(cacheFile()), "a failed DEL keeps the cache for the next GC");
    }

    @Test
    void below110OnlyStaleAttachmentsAreDeleted() throws Exception {
      ObjectNode j = Noop.JSON.createObjectNode().put("name", "some-list").put("cniVersion", "1.0.0");
      j.putArray("plugins").addObject().put("type", "noop").put("some-key", KEYS[0])
          .put("debugFile", debug.get(0).toString()).put("commandLog", log.toString());
      NetworkConfigList l = list(j);
      Noop.writeDebug(debug.get(0), Noop.reportResult(IP_RESULT.replace(CURRENT, "1.0.0")));
      cni.addNetworkList(l, rt);
      cni.gcNetworkList(l, null);
      assertEquals(List.of("ADD", "DEL"), Noop.commands(log));
    }

    @Test
    void disableGcRunsNothing() throws Exception {
      NetworkConfigList on = single(false);
      Noop.writeDebug(debug.get(0), Noop.reportResult(IP_RESULT));
      cni.addNetworkList(on, rt);
      Files.delete(log);
      cni.gcNetworkList(single(true), List.of());
      assertEquals(List.of(), Noop.commands(log));
      assertTrue(Files.exists(cacheFile()));
    }
  }

  @Nested
  class Status {
    @Test
    void keepsCode50AndStopsAtTheFailingPlugin() throws Exception {
      Noop.writeDebug(debug.get(1), Noop.JSON.createObjectNode().put("ReportError", "plugin not available")
          .put("ReportErrorCode", 50));
      CniException e = assertThrows(CniException.class, () -> cni.getStatusNetworkList(list(CURRENT)));
      assertEquals(ErrorCode.PLUGIN_NOT_AVAILABLE, e.errorCode());
      assertEquals("plugin not available", e.getMessage());
      assertEquals(List.of("STATUS1", "STATUS2"), trace(log));
      Noop.Call c = Noop.log(log).get(0);
      assertEquals("", c.containerId());
      assertEquals("", c.netns());
      assertEquals("", c.ifName());
      assertEquals("", c.args());
    }

    @Test
    void below110ReportsReadyWithoutRunningPlugins() throws Exception {
      cni.getStatusNetworkList(list("1.0.0"));
      assertEquals(List.of(), Noop.commands(log));
    }
  }
}
