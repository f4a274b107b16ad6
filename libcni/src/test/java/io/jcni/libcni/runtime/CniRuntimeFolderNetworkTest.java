package io.jcni.libcni.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network whose plugins come partly from its {@code <dir>/<name>/} folder is DEL'd and GC'd through every
 * plugin that ran at ADD after its files are removed; noop's command log is the record of which plugins were
 * called.
 */
class CniRuntimeFolderNetworkTest {
  private static final String NS = "/var/run/netns/jt-none";

  @TempDir Path tmp;
  NoopNetworks nets;
  Path list;
  Path folder;

  @BeforeEach
  void setUp() throws Exception {
    nets = new NoopNetworks(tmp);
    nets.answer("fold", "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.203.1.5/24\"}]}");
    list = nets.confDir.resolve("10-fold.conflist");
    Files.writeString(list, "{\"cniVersion\":\"1.0.0\",\"name\":\"fold\",\"plugins\":[" + plugin("head") + "]}");
    folder = Files.createDirectories(nets.confDir.resolve("fold"));
    Files.writeString(folder.resolve("10-mid.conf"), plugin("mid"));
    Files.writeString(folder.resolve("20-tail.conf"), plugin("tail"));
  }

  private String plugin(String tag) {
    return "{\"type\":\"noop\",\"tag\":\"" + tag + "\",\"debugFile\":\"" + nets.debugFile("fold")
        + "\",\"commandLog\":\"" + nets.log + "\"}";
  }

  /** {@code "<cid> <tag>"} of every logged call of {@code command}, in order. */
  private List<String> calls(String command) {
    List<String> out = new ArrayList<>();
    for (NoopNetworks.Call c : nets.calls()) {
      if (c.command().equals(command)) {
        out.add(c.containerId() + " " + c.stdin().path("tag").asText());
      }
    }
    return out;
  }

  private void removeNetworkFiles() throws Exception {
    Files.delete(folder.resolve("10-mid.conf"));
    Files.delete(folder.resolve("20-tail.conf"));
    Files.delete(folder);
    Files.delete(list);
  }

  private Path cacheFile(String cid) {
    return nets.cacheDir.resolve("results").resolve("fold-" + cid + "-eth0");
  }

  @Test
  void detachAfterTheFilesAreRemovedReachesEveryPlugin() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("c1", NS, List.of(NetworkRequest.of("fold", "eth0")));
      assertEquals(List.of("c1 head", "c1 mid", "c1 tail"), calls("ADD"));
      removeNetworkFiles();
      assertFalse(rt.reload().get("fold").isPresent());

      rt.detach("c1", NS, List.of(NetworkRequest.of("fold", "eth0")));
      assertEquals(List.of("c1 tail", "c1 mid", "c1 head"), calls("DEL"));
      assertEquals(List.of(), nets.cacheFiles());
    }
  }

  @Test
  void gcAfterTheFilesAreRemovedReachesEveryPlugin() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("c2", NS, List.of(NetworkRequest.of("fold", "eth0")));
    }
    removeNetworkFiles();
    try (CniRuntime rt = nets.runtime().build()) {
      rt.gc(List.of());
    }
    assertEquals(List.of("c2 tail", "c2 mid", "c2 head"), calls("DEL"));
    assertEquals(List.of(), nets.cacheFiles());
  }

  @Test
  void theCachedConfigIsAConflistOfEveryPlugin() throws Exception {
    Files.writeString(nets.confDir.resolve("20-plain.conflist"),
        "{\"cniVersion\":\"1.0.0\",\"name\":\"plain\",\"plugins\":[" + plugin("only") + "]}");
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("c3", NS, List.of(NetworkRequest.of("fold", "eth0"), NetworkRequest.of("plain", "eth1")));
    }
    JsonNode cached = NoopNetworks.JSON.readTree(cachedConfig(cacheFile("c3")));
    assertEquals("fold", cached.get("name").asText());
    assertTrue(cached.get("loadOnlyInlinedPlugins").asBoolean());
    List<String> tags = new ArrayList<>();
    cached.get("plugins").forEach(p -> tags.add(p.get("tag").asText()));
    assertEquals(List.of("head", "mid", "tail"), tags);
    // a network without folder plugins keeps Go libcni's form: the file's bytes as they are
    assertArrayEquals(Files.readAllBytes(nets.confDir.resolve("20-plain.conflist")),
        cachedConfig(nets.cacheDir.resolve("results").resolve("plain-c3-eth1")));
  }

  @Test
  void aCachedConfigWithoutPluginsIsReportedAndKept() throws Exception {
    Files.writeString(list, "{\"cniVersion\":\"1.0.0\",\"name\":\"fold\"}");
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("c4", NS, List.of(NetworkRequest.of("fold", "eth0")));
      // the record Go libcni (or an older jcni) writes for this network: the main file only, no plugins
      ObjectNode record = (ObjectNode) NoopNetworks.JSON.readTree(cacheFile("c4").toFile());
      record.put("config", Base64.getEncoder().encodeToString(Files.readAllBytes(list)));
      Files.writeString(cacheFile("c4"), NoopNetworks.JSON.writeValueAsString(record));
      removeNetworkFiles();
      rt.reload();

      CniException e = assertThrows(CniException.class,
          () -> rt.detach("c4", NS, List.of(NetworkRequest.of("fold", "eth0"))));
      assertEquals(7, e.code());
      assertEquals("network \"fold\" (eth0): the configuration cached at ADD names no plugin (they came from "
          + folder + "/, now gone); the cache record is kept", e.getMessage());
      assertEquals(List.of("fold-c4-eth0"), nets.cacheFiles());
      assertEquals(List.of(), calls("DEL"));
    }
  }

  private static byte[] cachedConfig(Path cacheFile) throws Exception {
    JsonNode record = NoopNetworks.JSON.readTree(Files.readString(cacheFile, StandardCharsets.UTF_8));
    return Base64.getDecoder().decode(record.get("config").asText());
  }
}
