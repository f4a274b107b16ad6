package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream api_test.go's cache cases: file per interface, cached configs, path errors, bad and missing files. */
class CniConfigCacheTest {
  static final String RESULT = "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.2.3/24\"}]}";

  @TempDir Path tmp;
  Path cacheDir;
  Path debugFile;
  CniConfig cni;
  NetworkConfigList list;
  byte[] listBytes;

  @BeforeEach
  void setUp() throws Exception {
    cacheDir = tmp.resolve("cache");
    debugFile = Noop.writeDebug(tmp.resolve("debug"), Noop.reportResult(RESULT));
    cni = CniConfig.builder().path(List.of(TestBin.dir().toString())).cacheDir(cacheDir).build();
    listBytes = ("{\"name\":\"cachenet\",\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"noop\",\"debugFile\":\""
        + debugFile + "\",\"capabilities\":{\"portMappings\":true}}]}").getBytes(StandardCharsets.UTF_8);
    list = ConfLoader.confListFromBytes(listBytes);
  }

  RuntimeConf rt(String ifName) {
    return new RuntimeConf("cid-1", "/some/netns", ifName, List.of(Map.entry("K", "V")),
        Map.of("portMappings", List.of(Map.of("hostPort", 80))), null);
  }

  Path results() {
    return cacheDir.resolve("results");
  }

  @Test
  void oneFilePerInterface() throws Exception {
    cni.addNetworkList(list, rt("eth0"));
    cni.addNetworkList(list, rt("eth1"));
    try (var s = Files.list(results())) {
      assertEquals(List.of("cachenet-cid-1-eth0", "cachenet-cid-1-eth1"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals(List.of("eth0", "eth1"), cni.getCachedAttachments("cid-1").stream().map(NetworkAttachment::ifName)
        .toList());
    cni.delNetworkList(list, rt("eth0"));
    assertEquals(List.of("eth1"), cni.getCachedAttachments("").stream().map(NetworkAttachment::ifName).toList());
  }

  @Test
  void cachedConfigFillsTheRuntimeConf() throws Exception {
    cni.addNetworkList(list, rt("eth0"));
    RuntimeConf bare = new RuntimeConf("cid-1", "/other/netns", "eth0", List.of(), Map.of("stale", true), null);
    CachedConfig cc = cni.getNetworkListCachedConfig(list, bare).orElseThrow();
    assertArrayEquals(listBytes, cc.config());
    assertEquals(List.of(Map.entry("K", "V")), cc.runtimeConf().args());
    assertEquals(Noop.JSON.valueToTree(Map.of("portMappings", List.of(Map.of("hostPort", 80)))),
        Noop.JSON.valueToTree(cc.runtimeConf().capabilityArgs()));
    // The identity stays the caller's.
    assertEquals("/other/netns", cc.runtimeConf().netNs());
    assertEquals("cid-1", cc.runtimeConf().containerId());
  }

  @Test
  void cachedConfigWithoutCachedArgsKeepsTheCallersArgsButAlwaysReplacesCapabilityArgs() throws Exception {
    cni.addNetworkList(list, RuntimeConf.of("cid-1", "/some/netns", "eth0"));
    RuntimeConf caller = new RuntimeConf("cid-1", "", "eth0", List.of(Map.entry("MINE", "1")), Map.of("x", 1), null);
    CachedConfig cc = cni.getNetworkListCachedConfig(list, caller).orElseThrow();
    assertEquals(List.of(Map.entry("MINE", "1")), cc.runtimeConf().args());
    assertEquals(Map.of(), cc.runtimeConf().capabilityArgs());
  }

  @Test
  void missingNamePartsGiveGosText() {
    CniException e = assertThrows(CniException.class,
        () -> cni.getNetworkListCachedResult(list, RuntimeConf.of("", "/ns", "eth0")));
    assertEquals("cache file path requires network name (\"cachenet\"), container ID (\"\"), and interface name "
        + "(\"eth0\")", e.getMessage());
    e = assertThrows(CniException.class, () -> cni.getNetworkListCachedConfig(list, RuntimeConf.of("x", "/ns", "")));
    assertEquals("cache file path requires network name (\"cachenet\"), container ID (\"x\"), and interface name "
        + "(\"\")", e.getMessage());
    NetworkConfigList unnamed = new NetworkConfigList("", "1.0.0", false, false, false, list.plugins(), listBytes);
    e = assertThrows(CniException.class,
        () -> cni.getNetworkListCachedResult(unnamed, RuntimeConf.of("x", "/ns", "eth0")));
    assertEquals("cache file path requires network name (\"\"), container ID (\"x\"), and interface name "
        + "(\"eth0\")", e.getMessage());
  }

  @Test
  void aContainerIdThatJustFitsTheFileNameIsCachedReadAndRemoved() throws Exception {
    // "cachenet-" + 230 + "-eth0" is 244 bytes: legal, though prefix + name of the temporary file was not.
    String cid = "c".repeat(230);
    RuntimeConf rt = new RuntimeConf(cid, "/some/netns", "eth0", List.of(), Map.of(), null);
    cni.addNetworkList(list, rt);
    assertTrue(Files.exists(results().resolve("cachenet-" + cid + "-eth0")));
    assertEquals(RESULT, new String(cni.getNetworkListCachedResult(list, rt).orElseThrow().toJson(),
        StandardCharsets.UTF_8));
    assertEquals(List.of(cid), cni.getCachedAttachments(cid).stream().map(NetworkAttachment::containerId).toList());
    cni.delNetworkList(list, rt);
    try (var s = Files.list(results())) {
      assertEquals(List.of(), s.toList());
    }
  }

  @Test
  void invalidCachedConfigJsonIsAnError() throws Exception {
    Files.createDirectories(results());
    Files.writeString(results().resolve("cachenet-cid-1-eth0"), "{\"kind\":\"cniCacheV1\",");
    CniException e = assertThrows(CniException.class, () -> cni.getNetworkListCachedConfig(list, rt("eth0")));
    assertTrue(e.getMessage().startsWith("failed to unmarshal cached network \"cachenet\" config: "), e.getMessage());
  }

  @Test
  void aCacheOfAnotherKindIsAnError() throws Exception {
    Files.createDirectories(results());
    Files.writeString(results().resolve("cachenet-cid-1-eth0"), RESULT);
    CniException e = assertThrows(CniException.class, () -> cni.getNetworkListCachedConfig(list, rt("eth0")));
    assertTrue(e.getMessage().startsWith("read cached network \"cachenet\" config has wrong kind: "), e.getMessage());
  }

  @Test
  void aMissingFileIsEmptyNotAnError() throws Exception {
    assertTrue(cni.getNetworkListCachedConfig(list, rt("eth0")).isEmpty());
    assertTrue(cni.getNetworkListCachedResult(list, rt("eth0")).isEmpty());
    assertTrue(cni.getCachedAttachments("cid-1").isEmpty());
  }

  @Test
  void aGoWrittenCacheFileIsReadAndUsedAsPrevResult() throws Exception {
    // Written by hand in Go's cniCacheV1 layout (reference §4), not by jcni.
    Files.createDirectories(results());
    String goFile = "{\"kind\":\"cniCacheV1\",\"containerId\":\"cid-1\",\"config\":\""
        + Base64.getEncoder().encodeToString(listBytes) + "\",\"ifName\":\"eth0\",\"networkName\":\"cachenet\","
        + "\"netns\":\"/some/netns\",\"cniArgs\":[[\"K\",\"V\"]],\"capabilityArgs\":{\"portMappings\":"
        + "[{\"hostPort\":80}]},\"result\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"192.0.2.9/24\"}]}}";
    Files.writeString(results().resolve("cachenet-cid-1-eth0"), goFile);

    NetworkAttachment a = cni.getCachedAttachments("cid-1").get(0);
    assertArrayEquals(listBytes, a.config());
    assertEquals("/some/netns", a.netNs());
    Noop.writeDebug(debugFile, Noop.JSON.createObjectNode());
    cni.checkNetworkList(list, a.runtimeConf());
    Noop.Call check = Noop.lastCall(debugFile);
    assertEquals("CHECK", check.command());
    assertEquals("K=V", check.args());
    assertEquals(Noop.parse("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"192.0.2.9/24\"}]}"),
        check.stdinJson().get("prevResult"));
    assertEquals(Noop.parse("{\"portMappings\":[{\"hostPort\":80}]}"), check.stdinJson().get("runtimeConfig"));
    cni.delNetworkList(list, a.runtimeConf());
    assertEquals("DEL", Noop.lastCall(debugFile).command());
    assertEquals(Noop.parse("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"192.0.2.9/24\"}]}"),
        Noop.lastCall(debugFile).stdinJson().get("prevResult"));
    assertTrue(cni.getCachedAttachments("").isEmpty());
  }
}
