package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream api_test.go's single-plugin cases (AddNetwork, CheckNetwork, DelNetwork, versions) against noop. */
class CniConfigSingleTest {
  static final String CURRENT = "1.1.0";
  // 1.x results omit an empty dns (reference §5), so the plugin prints none and nothing is lost on the way.
  static final String IP_RESULT = "{\"cniVersion\":\"" + CURRENT + "\",\"ips\":[{\"address\":\"10.1.2.3/24\"}]}";
  static final List<Map<String, Object>> PORT_MAPPINGS =
      List.of(Map.of("hostPort", 8080, "containerPort", 90, "protocol", "tcp"));

  @TempDir Path tmp;
  Path debugFile;
  Path cacheDir;
  CniConfig cni;
  RuntimeConf rt;
  PluginConf net;
  byte[] netBytes;

  @BeforeEach
  void setUp() throws Exception {
    debugFile = tmp.resolve("debug.json");
    Noop.writeDebug(debugFile, Noop.reportResult(IP_RESULT));
    cacheDir = tmp.resolve("cache");
    cni = CniConfig.builder().path(List.of(TestBin.dir().toString())).cacheDir(cacheDir).build();
    rt = new RuntimeConf("some-container-id", "/some/netns/path", "some-eth0",
        List.of(Map.entry("DEBUG", debugFile.toString())), Map.of("portMappings", PORT_MAPPINGS), null);
    net = conf(CURRENT);
  }

  PluginConf conf(String version) throws CniException {
    netBytes = ("{\"type\":\"noop\",\"name\":\"apitest\",\"some-key\":\"some-value\",\"cniVersion\":\"" + version
        + "\",\"capabilities\":{\"portMappings\":true}}").getBytes(StandardCharsets.UTF_8);
    return ConfLoader.pluginConfFromBytes(netBytes);
  }

  Path cacheFile() {
    return cacheDir.resolve("results").resolve("apitest-some-container-id-some-eth0");
  }

  /** The stdin the spec asks for: the config with runtimeConfig for the declared, supplied capabilities. */
  ObjectNode expectedStdin(PluginConf p) {
    ObjectNode o = (ObjectNode) Noop.parse(p.bytes());
    o.putObject("runtimeConfig").set("portMappings", Noop.JSON.valueToTree(PORT_MAPPINGS));
    return o;
  }

  @Nested
  class Capabilities {
    @Test
    void onlyTrueAndSuppliedCapabilitiesReachRuntimeConfig() throws Exception {
      PluginConf p = ConfLoader.pluginConfFromBytes(("{\"type\":\"noop\",\"name\":\"apitest\",\"cniVersion\":\""
          + CURRENT + "\",\"capabilities\":{\"portMappings\":true,\"somethingElse\":true,\"noCapability\":false,"
          + "\"notSupplied\":true}}").getBytes(StandardCharsets.UTF_8));
      RuntimeConf r = rt.withCapabilityArgs(Map.of("portMappings", PORT_MAPPINGS, "somethingElse", List.of("a", "b"),
          "noCapability", List.of("x"), "undeclared", 1));
      cni.addNetwork(p, r);
      JsonNode rc = Noop.lastCall(debugFile).stdinJson().get("runtimeConfig");
      JsonNode want = Noop.parse("{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":90,\"protocol\":\"tcp\"}],"
          + "\"somethingElse\":[\"a\",\"b\"]}");
      assertEquals(want, rc);
    }

    @Test
    void noSuppliedCapabilitiesMeansNoRuntimeConfigKey() throws Exception {
      cni.addNetwork(net, rt.withCapabilityArgs(Map.of()));
      assertFalse(Noop.lastCall(debugFile).stdinJson().has("runtimeConfig"));
    }

    @Test
    void validateNetworkReportsTrueCapabilities() throws Exception {
      PluginConf p = ConfLoader.pluginConfFromBytes(("{\"type\":\"noop\",\"name\":\"apitest\",\"cniVersion\":\""
          + CURRENT + "\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":true,\"mac\":false}}")
          .getBytes(StandardCharsets.UTF_8));
      assertEquals(Set.of("portMappings", "bandwidth"), cni.validateNetwork(p));
    }
  }

  @Nested
  class AddNetwork {
    @Test
    void execsThePluginWithTheExactCmdArgsAndCachesConfigAndResult() throws Exception {
      Result r = cni.addNetwork(net, rt);

      assertEquals(Noop.parse(IP_RESULT), Noop.parse(r.toJson()));
      Noop.Call call = Noop.lastCall(debugFile);
      assertEquals("ADD", call.command());
      assertEquals("some-container-id", call.containerId());
      assertEquals("/some/netns/path", call.netns());
      assertEquals("some-eth0", call.ifName());
      assertEquals("DEBUG=" + debugFile, call.args());
      assertEquals(TestBin.dir().toString(), call.path());
      assertEquals(expectedStdin(net), call.stdinJson());

      JsonNode cached = Noop.parse(Files.readAllBytes(cacheFile()));
      assertEquals("cniCacheV1", cached.get("kind").asText());
      assertArrayEquals(netBytes, Base64.getDecoder().decode(cached.get("config").asText()));
      assertEquals(Noop.parse(IP_RESULT), cached.get("result"));

      CachedConfig cc = cni.getNetworkListCachedConfig(ConfLoader.confListFromConf(net), rt).orElseThrow();
      assertArrayEquals(netBytes, cc.config());
      assertEquals(Noop.parse(IP_RESULT),
          Noop.parse(cni.getNetworkListCachedResult(ConfLoader.confListFromConf(net), rt).orElseThrow().toJson()));
    }

    @Test
    void theAttachmentIsListedForAllAndForItsContainer() throws Exception {
      cni.addNetwork(net, rt);
      for (String cid : List.of("", "some-container-id")) {
        List<NetworkAttachment> as = cni.getCachedAttachments(cid);
        assertEquals(1, as.size(), "attachments for \"" + cid + "\"");
        NetworkAttachment a = as.get(0);
        assertEquals("some-container-id", a.containerId());
        assertEquals("apitest", a.network());
        assertEquals("some-eth0", a.ifName());
        assertEquals("/some/netns/path", a.netNs());
        assertArrayEquals(netBytes, a.config());
        assertEquals(List.of(Map.entry("DEBUG", debugFile.toString())), a.cniArgs());
        assertEquals(Noop.JSON.valueToTree(Map.of("portMappings", PORT_MAPPINGS)),
            Noop.JSON.valueToTree(a.capabilityArgs()));
      }
      assertTrue(cni.getCachedAttachments("other-container").isEmpty());
    }

    @Test
    void aMissingPluginIsReported() throws Exception {
      PluginConf p = ConfLoader.pluginConfFromBytes(
          "{\"type\":\"does-not-exist\",\"name\":\"apitest\",\"cniVersion\":\"1.1.0\"}".getBytes(StandardCharsets.UTF_8));
      CniException e = assertThrows(CniException.class, () -> cni.addNetwork(p, rt));
      assertTrue(e.getMessage().startsWith("failed to find plugin \"does-not-exist\""), e.getMessage());
      assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void aPluginErrorIsReturnedUnwrapped() throws Exception {
      ObjectNode d = Noop.reportResult(IP_RESULT).put("ReportError", "plugin error: banana");
      Noop.writeDebug(debugFile, d);
      CniException e = assertThrows(CniException.class, () -> cni.addNetwork(net, rt));
      assertEquals("plugin error: banana", e.getMessage());
      assertEquals(ErrorCode.INTERNAL, e.errorCode());
      assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void aBlockedCacheDirFailsTheAddAndRollsThePluginBack() throws Exception {
      // The cache file's own name is taken by a directory: the ADD runs, then its result cannot be stored.
      Files.createDirectories(cacheFile().resolve("blocker"));
      Path log = tmp.resolve("log");
      PluginConf p = ConfLoader.pluginConfFromBytes(("{\"type\":\"noop\",\"name\":\"apitest\",\"cniVersion\":\""
          + CURRENT + "\",\"commandLog\":\"" + log + "\"}").getBytes(StandardCharsets.UTF_8));
      Result[] got = {null};
      CniException e = assertThrows(CniException.class, () -> got[0] = cni.addNetwork(p, rt));
      assertNull(got[0]);
      assertTrue(e.getMessage().startsWith("failed to set network \"apitest\" cached result: "), e.getMessage());
      // Ours, not Go's: the attachment the plugin made is deleted again, with its result as prevResult.
      assertEquals(List.of("ADD", "DEL"), Noop.commands(log));
      assertEquals(Noop.parse(IP_RESULT), Noop.log(log).get(1).stdinJson().get("prevResult"));
    }

    @Test
    void aRefusedNameRunsNoPluginAtAll() throws Exception {
      Path log = tmp.resolve("log");
      PluginConf p = ConfLoader.pluginConfFromBytes(("{\"type\":\"noop\",\"name\":\"apitest\",\"cniVersion\":\""
          + CURRENT + "\",\"commandLog\":\"" + log + "\"}").getBytes(StandardCharsets.UTF_8));
      RuntimeConf bad = new RuntimeConf("some-container-id", "/ns", "../x", rt.args(), Map.of(), null);
      CniException e = assertThrows(CniException.class, () -> cni.addNetwork(p, bad));
      assertEquals("interface name contains / or : or whitespace characters", e.getMessage());
      assertEquals(ErrorCode.INVALID_ENVIRONMENT_VARIABLES, e.errorCode());
      assertEquals(List.of(), Noop.commands(log));
    }

    @Test
    void aFailedPluginIsNotAskedToDeleteWhatItMayNotHaveMade() throws Exception {
      Path log = tmp.resolve("log");
      PluginConf p = ConfLoader.pluginConfFromBytes(("{\"type\":\"noop\",\"name\":\"apitest\",\"cniVersion\":\""
          + CURRENT + "\",\"commandLog\":\"" + log + "\"}").getBytes(StandardCharsets.UTF_8));
      Noop.writeDebug(debugFile, Noop.reportResult(IP_RESULT).put("ReportError", "banana"));
      assertThrows(CniException.class, () -> cni.addNetwork(p, rt));
      // A DEL would remove whatever the plugin finds under this container ID and name, made by this ADD or not.
      assertEquals(List.of("ADD"), Noop.commands(log));
    }

    @Test
    void theRollbackCanBeTurnedOff() throws Exception {
      Files.createDirectories(cacheFile().resolve("blocker"));
      Path log = tmp.resolve("log");
      PluginConf p = ConfLoader.pluginConfFromBytes(("{\"type\":\"noop\",\"name\":\"apitest\",\"cniVersion\":\""
          + CURRENT + "\",\"commandLog\":\"" + log + "\"}").getBytes(StandardCharsets.UTF_8));
      CniConfig noRollback = CniConfig.builder().path(List.of(TestBin.dir().toString())).cacheDir(cacheDir)
          .rollbackOnFailure(false).build();
      assertThrows(CniException.class, () -> noRollback.addNetwork(p, rt));
      assertEquals(List.of("ADD"), Noop.commands(log));
    }

    @Test
    void aCacheThatCannotBeListedRefusesTheAddBeforeAnyPlugin() throws Exception {
      Files.createDirectories(cacheDir);
      Files.writeString(cacheDir.resolve("results"), "not a directory");
      Path log = tmp.resolve("log");
      PluginConf p = ConfLoader.pluginConfFromBytes(("{\"type\":\"noop\",\"name\":\"apitest\",\"cniVersion\":\""
          + CURRENT + "\",\"commandLog\":\"" + log + "\"}").getBytes(StandardCharsets.UTF_8));
      CniException e = assertThrows(CniException.class, () -> cni.addNetwork(p, rt));
      assertEquals(ErrorCode.IO_FAILURE, e.errorCode());
      assertTrue(e.getMessage().contains(cacheDir.resolve("results").toString()), e.getMessage());
      assertFalse(Files.exists(log));
    }
  }

  @Nested
  class CheckNetwork {
    @Test
    void passesTheCachedResultAsPrevResult() throws Exception {
      cni.addNetwork(net, rt);
      Noop.writeDebug(debugFile, Noop.JSON.createObjectNode());
      cni.checkNetwork(net, rt);
      Noop.Call call = Noop.lastCall(debugFile);
      assertEquals("CHECK", call.command());
      ObjectNode want = expectedStdin(net);
      want.set("prevResult", Noop.parse(IP_RESULT));
      assertEquals(want, call.stdinJson());
    }

    @Test
    void withoutACacheThereIsNoPrevResult() throws Exception {
      cni.checkNetwork(net, rt);
      Noop.Call call = Noop.lastCall(debugFile);
      assertEquals("CHECK", call.command());
      assertFalse(call.stdinJson().has("prevResult"));
    }

    @Test
    void aPluginErrorIsReturned() throws Exception {
      cni.addNetwork(net, rt);
      Noop.writeDebug(debugFile, Noop.JSON.createObjectNode().put("ReportError", "plugin error: banana"));
      CniException e = assertThrows(CniException.class, () -> cni.checkNetwork(net, rt));
      assertEquals("plugin error: banana", e.getMessage());
    }

    @Test
    void versionsBelow040DoNotSupportCheck() throws Exception {
      PluginConf old = conf("0.3.1");
      CniException e = assertThrows(CniException.class, () -> cni.checkNetwork(old, rt));
      assertEquals("configuration version \"0.3.1\" does not support the CHECK command", e.getMessage());
      assertNull(Noop.lastCall(debugFile), "the plugin must not run");
    }

    @Test
    void aLegacyRawCacheIsPassedAsPrevResult() throws Exception {
      Files.createDirectories(cacheFile().getParent());
      Files.writeString(cacheFile(), IP_RESULT);
      cni.checkNetwork(net, rt);
      JsonNode prev = Noop.lastCall(debugFile).stdinJson().get("prevResult");
      assertEquals(Noop.parse(IP_RESULT), prev);
      assertFalse(prev.has("config"));
      assertFalse(prev.has("kind"));
    }

    @Test
    void anInvalidCacheIsAnError() throws Exception {
      Files.createDirectories(cacheFile().getParent());
      Files.writeString(cacheFile(), "adfadsfasdfasfdsafaf");
      CniException e = assertThrows(CniException.class, () -> cni.checkNetwork(net, rt));
      assertEquals("failed to get network \"apitest\" cached result: decoding version from network config: "
          + "invalid character 'a' looking for beginning of value", e.msg());
      assertEquals(cacheFile().toString(), e.details());
      assertNull(Noop.lastCall(debugFile));
    }

    @Test
    void aCached031ResultIsConvertedToTheConfigVersion() throws Exception {
      Files.createDirectories(cacheFile().getParent());
      Files.writeString(cacheFile(), "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.2.3/24\"}],"
          + "\"dns\":{}}");
      cni.checkNetwork(net, rt);
      JsonNode prev = Noop.lastCall(debugFile).stdinJson().get("prevResult");
      assertEquals(Noop.parse(IP_RESULT), prev);
    }

    @Test
    void anUnknownCachedResultVersionIsAnError() throws Exception {
      Files.createDirectories(cacheFile().getParent());
      Files.writeString(cacheFile(), "{\"cniVersion\":\"0.4567.0\",\"ips\":[{\"address\":\"10.1.2.3/24\"}],\"dns\":{}}");
      CniException e = assertThrows(CniException.class, () -> cni.checkNetwork(net, rt));
      assertEquals("failed to get network \"apitest\" cached result: unsupported CNI result version \"0.4567.0\"",
          e.getMessage());
      assertNull(Noop.lastCall(debugFile));
    }
  }

  @Nested
  class DelNetwork {
    @Test
    void deletesTwiceAndTheFirstRemovesTheCache() throws Exception {
      cni.addNetwork(net, rt);
      assertTrue(Files.exists(cacheFile()));
      cni.delNetwork(net, rt);
      Noop.Call call = Noop.lastCall(debugFile);
      assertEquals("DEL", call.command());
      ObjectNode want = expectedStdin(net);
      want.set("prevResult", Noop.parse(IP_RESULT));
      assertEquals(want, call.stdinJson());
      assertFalse(Files.exists(cacheFile()));

      cni.delNetwork(net, rt);
      assertEquals("DEL", Noop.lastCall(debugFile).command());
      assertFalse(Noop.lastCall(debugFile).stdinJson().has("prevResult"));
    }

    @Test
    void below040NoPrevResultIsSent() throws Exception {
      PluginConf old = conf("0.3.1");
      Noop.writeDebug(debugFile, Noop.reportResult(
          "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.2.3/24\"}],\"dns\":{}}"));
      cni.addNetwork(old, rt);
      assertTrue(Files.exists(cacheFile()));
      cni.delNetwork(old, rt);
      Noop.Call call = Noop.lastCall(debugFile);
      assertEquals("DEL", call.command());
      assertFalse(call.stdinJson().has("prevResult"));
      assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void anInvalidCacheIsToleratedAndRemoved() throws Exception {
      Files.createDirectories(cacheFile().getParent());
      Files.writeString(cacheFile(), "adfadsfasdfasfdsafaf");
      cni.delNetwork(net, rt);
      Noop.Call call = Noop.lastCall(debugFile);
      assertEquals("DEL", call.command());
      assertFalse(call.stdinJson().has("prevResult"));
      assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void anUnconvertibleCacheIsTolerated() throws Exception {
      Files.createDirectories(cacheFile().getParent());
      Files.writeString(cacheFile(), "{\"cniVersion\":\"0.4567.0\",\"ips\":[]}");
      cni.delNetwork(net, rt);
      assertEquals("DEL", Noop.lastCall(debugFile).command());
      assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void aPluginErrorKeepsTheCacheForARetry() throws Exception {
      cni.addNetwork(net, rt);
      Noop.writeDebug(debugFile, Noop.JSON.createObjectNode().put("ReportError", "plugin error: banana"));
      CniException e = assertThrows(CniException.class, () -> cni.delNetwork(net, rt));
      assertEquals("plugin error: banana", e.getMessage());
      assertTrue(Files.exists(cacheFile()));
    }
  }

  @Nested
  class Versions {
    @Test
    void getVersionInfoReturnsThePluginsList() throws Exception {
      Noop.writeDebug(debugFile, Noop.JSON.createObjectNode().set("ReportVersionSupport",
          Noop.JSON.valueToTree(List.of("2.3.4", "0.1.0", "1.1.0"))));
      // VERSION carries no CNI_ARGS, so noop finds its debug file through a plugin folder of its own.
      Path bin = pluginDirWithDebug();
      CniConfig c = CniConfig.builder().path(List.of(bin.toString())).cacheDir(cacheDir).build();
      assertEquals(List.of("2.3.4", "0.1.0", "1.1.0"), c.getVersionInfo("noop").supportedVersions());
    }

    @Test
    void getVersionInfoDefaultListOfNoop() throws Exception {
      assertEquals(List.of("0.-42.0", "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"),
          cni.getVersionInfo("noop").supportedVersions());
    }

    @Test
    void getVersionInfoOfAMissingPlugin() {
      CniException e = assertThrows(CniException.class, () -> cni.getVersionInfo("does-not-exist"));
      assertEquals("failed to find plugin \"does-not-exist\" in path [" + TestBin.dir() + "]", e.getMessage());
    }

    @Test
    void validateNetworkOfAMissingPlugin() throws Exception {
      PluginConf p = ConfLoader.pluginConfFromBytes(
          "{\"type\":\"nope\",\"name\":\"apitest\",\"cniVersion\":\"1.1.0\"}".getBytes(StandardCharsets.UTF_8));
      CniException e = assertThrows(CniException.class, () -> cni.validateNetwork(p));
      assertEquals("failed to find plugin \"nope\" in path [" + TestBin.dir() + "]", e.getMessage());
    }

    @Test
    void validateNetworkOfAnUnsupportedVersion() throws Exception {
      CniException e = assertThrows(CniException.class, () -> cni.validateNetwork(conf("broken")));
      assertEquals("plugin noop does not support config version \"broken\"", e.getMessage());
    }

    @Test
    void validateNetworkWithAnEmptyVersionMeans010() throws Exception {
      PluginConf p = ConfLoader.pluginConfFromBytes(
          "{\"type\":\"noop\",\"name\":\"apitest\"}".getBytes(StandardCharsets.UTF_8));
      assertNotNull(cni.validateNetwork(p));
    }

    Path pluginDirWithDebug() throws Exception {
      Path bin = Files.createDirectories(tmp.resolve("bin"));
      // A wrapper that hands noop the debug file via CNI_ARGS, since VERSION calls carry none.
      Path wrapper = bin.resolve("noop");
      Files.writeString(wrapper, "#!/bin/sh\nCNI_ARGS=DEBUG=" + debugFile + " exec " + TestBin.dir().resolve("noop")
          + "\n");
      wrapper.toFile().setExecutable(true);
      return bin;
    }
  }
}
