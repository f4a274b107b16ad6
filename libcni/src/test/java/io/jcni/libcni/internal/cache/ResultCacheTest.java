package io.jcni.libcni.internal.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result cache: upstream's cache tests, the Go byte format both ways, atomicity and bad files. */
class ResultCacheTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private ResultCache cache() {
    return new ResultCache(tmp.resolve("cni"));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ResultCacheTest.class.getResourceAsStream("/cache/" + name)) {
      return in.readAllBytes();
    }
  }

  /** The fixture's entry as a runtime would hand it over: result in struct order, args in insertion order. */
  private static CacheEntry fixtureEntry() throws Exception {
    ObjectNode caps = (ObjectNode) JSON.readTree(
        "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}],"
            + "\"ips\":[\"10.200.0.5/24\"]}");
    ObjectNode result = (ObjectNode) JSON.readTree(
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"0a:58:0a:c8:00:05\","
            + "\"sandbox\":\"/var/run/netns/jt-x\"}],\"ips\":[{\"interface\":0,\"address\":\"10.200.0.5/24\","
            + "\"gateway\":\"10.200.0.1\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\",\"mtu\":1500}],\"dns\":{}}");
    return new CacheEntry("mynet", "ctr-1", "eth0", resource("go-format.config"), "/var/run/netns/jt-x",
        List.of(new CacheEntry.Arg("IgnoreUnknown", "1"), new CacheEntry.Arg("K8S_POD_NAME", "p<1>&")), caps,
        result);
  }

  @Test
  void writesGoFormatByteForByte() throws Exception {
    ResultCache c = cache();
    c.put(fixtureEntry());
    Path file = tmp.resolve("cni/results/mynet-ctr-1-eth0");
    assertArrayEquals(resource("go-format.json"), Files.readAllBytes(file));
    CacheEntry minimal = new CacheEntry("n", "c", "eth1", "{}".getBytes(StandardCharsets.UTF_8), "", null, null,
        null);
    c.put(minimal);
    assertArrayEquals(resource("go-format-minimal.json"), Files.readAllBytes(tmp.resolve("cni/results/n-c-eth1")));
  }

  @Test
  void readsGoFormat() throws Exception {
    Path results = Files.createDirectories(tmp.resolve("cni/results"));
    Files.write(results.resolve("mynet-ctr-1-eth0"), resource("go-format.json"));
    CacheFile f = cache().get("mynet", "ctr-1", "eth0").orElseThrow();
    CacheFile.Current cur = assertInstanceOf(CacheFile.Current.class, f);
    assertEquals(fixtureEntry(), cur.entry());
    assertEquals(results.resolve("mynet-ctr-1-eth0"), cur.path());
  }

  @Test
  void permissionsAndNoTempFilesLeft() throws Exception {
    ResultCache c = cache();
    c.put(fixtureEntry());
    c.put(fixtureEntry());
    Path results = tmp.resolve("cni/results");
    try (Stream<Path> s = Files.list(results)) {
      assertEquals(List.of("mynet-ctr-1-eth0"), s.map(p -> p.getFileName().toString()).toList());
    }
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(results.resolve("mynet-ctr-1-eth0"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(results)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("cni"))));
  }

  @Test
  void failedWriteLeavesOldFileAndNoTemp() throws Exception {
    ResultCache c = cache();
    CacheEntry e = fixtureEntry();
    c.put(e);
    Path target = tmp.resolve("cni/results/mynet-ctr-1-eth0");
    byte[] before = Files.readAllBytes(target);
    // A directory where the file should be makes the rename fail after the temp file was written.
    Files.delete(target);
    Files.createDirectories(target.resolve("block"));
    CniException x = assertThrows(CniException.class, () -> c.put(e));
    assertEquals(5, x.code());
    assertTrue(x.getMessage().startsWith("failed to write cache file " + target + ": "), x.getMessage());
    try (Stream<Path> s = Files.list(target.getParent())) {
      assertEquals(List.of("mynet-ctr-1-eth0"), s.map(p -> p.getFileName().toString()).toList());
    }
    assertTrue(before.length > 0);
  }

  @Test
  void unwritableCacheDirIsAClearError() throws Exception {
    Files.createDirectories(tmp.resolve("cni"));
    Files.writeString(tmp.resolve("cni/results"), "in the way");
    CniException x = assertThrows(CniException.class, () -> cache().put(fixtureEntry()));
    assertEquals(5, x.code());
    assertEquals("failed to create cache directory " + tmp.resolve("cni/results") + ": not a directory",
        x.getMessage());
    Files.writeString(tmp.resolve("file"), "");
    CniException y = assertThrows(CniException.class,
        () -> new ResultCache(tmp.resolve("file/sub")).put(fixtureEntry()));
    assertEquals("failed to create cache directory " + tmp.resolve("file/sub/results") + ": not a directory",
        y.getMessage());
  }

  @Test
  void longestLegalNameIsWrittenReadListedAndDeleted() throws Exception {
    ResultCache c = cache();
    // 255 bytes, NAME_MAX: the temporary file's name must not grow with it.
    String cid = "x".repeat(255 - "n--eth0".length());
    byte[] conf = "{}".getBytes(StandardCharsets.UTF_8);
    c.put(new CacheEntry("n", cid, "eth0", conf, "/ns", null, null, null));
    c.put(new CacheEntry("n", cid, "eth0", conf, "/ns2", null, null, null));
    assertEquals(255, c.path("n", cid, "eth0").getFileName().toString().length());
    CacheFile.Current cur = assertInstanceOf(CacheFile.Current.class, c.get("n", cid, "eth0").orElseThrow());
    assertEquals("/ns2", cur.entry().netns());
    assertEquals(List.of(cid), c.attachments(cid).stream().map(CacheEntry::containerId).toList());
    assertTrue(c.delete("n", cid, "eth0"));
    try (Stream<Path> s = Files.list(tmp.resolve("cni/results"))) {
      assertEquals(List.of(), s.toList());
    }
  }

  @Test
  void aLeftoverTemporaryFileIsNeverAnAttachment() throws Exception {
    ResultCache c = cache();
    c.put(new CacheEntry("n", "c", "eth0", "{}".getBytes(StandardCharsets.UTF_8), "/ns", null, null, null));
    // What a crash between write and rename leaves: a complete record under the temporary name.
    Path results = tmp.resolve("cni/results");
    Files.copy(results.resolve("n-c-eth0"), results.resolve(ResultCache.TEMP_PREFIX + "12345"));
    assertEquals(List.of("eth0"), c.attachments("").stream().map(CacheEntry::ifName).toList());
    assertEquals(1, c.attachments("c").size());
  }

  @Test
  void oneFilePerIfName() throws Exception {
    ResultCache c = cache();
    byte[] conf = "{}".getBytes(StandardCharsets.UTF_8);
    c.put(new CacheEntry("net", "cid", "eth0", conf, "/ns", null, null, null));
    c.put(new CacheEntry("net", "cid", "eth1", conf, "/ns", null, null, null));
    try (Stream<Path> s = Files.list(tmp.resolve("cni/results"))) {
      assertEquals(List.of("net-cid-eth0", "net-cid-eth1"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals(List.of("eth0", "eth1"), c.attachments("cid").stream().map(CacheEntry::ifName).toList());
    assertEquals(2, c.attachments("").size());
    assertTrue(c.delete("net", "cid", "eth0"));
    assertFalse(c.delete("net", "cid", "eth0"));
    assertEquals(List.of("eth1"), c.attachments("").stream().map(CacheEntry::ifName).toList());
  }

  @Test
  void missingPartsGiveUpstreamText() {
    ResultCache c = cache();
    assertEquals("cache file path requires network name (\"\"), container ID (\"x\"), and interface name "
        + "(\"eth0\")", assertThrows(CniException.class, () -> c.get("", "x", "eth0")).getMessage());
    assertEquals("cache file path requires network name (\"n\"), container ID (\"\"), and interface name "
        + "(\"eth0\")", assertThrows(CniException.class, () -> c.delete("n", "", "eth0")).getMessage());
    assertEquals("cache file path requires network name (\"n\"), container ID (\"x\"), and interface name "
        + "(\"\")", assertThrows(CniException.class,
            () -> c.put(new CacheEntry("n", "x", "", null, "", null, null, null))).getMessage());
    assertThrows(CniException.class, () -> c.get("n", "../../etc", "passwd"));
  }

  @Test
  void missingFileIsEmpty() throws Exception {
    assertEquals(Optional.empty(), cache().get("n", "c", "eth0"));
    assertEquals(List.of(), cache().attachments("c"));
  }

  @Test
  void emptyOrInvalidFileIsCorruptNotAnError() throws Exception {
    Path results = Files.createDirectories(tmp.resolve("cni/results"));
    Files.write(results.resolve("n-c-eth0"), new byte[0]);
    CacheFile.Corrupt empty =
        assertInstanceOf(CacheFile.Corrupt.class, cache().get("n", "c", "eth0").orElseThrow());
    assertEquals("unexpected end of JSON input", empty.reason());
    Files.writeString(results.resolve("n-c-eth0"), "{\"kind\":\"cniCacheV1\",\"containerId\":\"c\",\"conf");
    assertEquals("unexpected end of JSON input",
        assertInstanceOf(CacheFile.Corrupt.class, cache().get("n", "c", "eth0").orElseThrow()).reason());
    Files.writeString(results.resolve("n-c-eth0"), "{\"kind\":\"cniCacheV1\",\"containerId\":7}");
    assertEquals("json: cannot unmarshal number into Go struct field cachedInfo.ContainerID of type string",
        assertInstanceOf(CacheFile.Corrupt.class, cache().get("n", "c", "eth0").orElseThrow()).reason());
    // The DEL path can always remove it.
    assertTrue(cache().delete("n", "c", "eth0"));
    assertEquals(Optional.empty(), cache().get("n", "c", "eth0"));
  }

  @Test
  void nonRecordObjectIsLegacyResult() throws Exception {
    Path results = Files.createDirectories(tmp.resolve("cni/results"));
    String raw = "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.200.1.2/24\"}]}";
    Files.writeString(results.resolve("n-c-eth0"), raw);
    CacheFile.Legacy legacy =
        assertInstanceOf(CacheFile.Legacy.class, cache().get("n", "c", "eth0").orElseThrow());
    assertEquals(raw, new String(legacy.content(), StandardCharsets.UTF_8));
    assertEquals("", legacy.kind());
    Files.writeString(results.resolve("n-c-eth0"), "{\"kind\":\"cniCacheV2\"}");
    assertEquals("cniCacheV2",
        assertInstanceOf(CacheFile.Legacy.class, cache().get("n", "c", "eth0").orElseThrow()).kind());
  }

  @Test
  void attachmentListingFollowsGoRules() throws Exception {
    Path results = Files.createDirectories(tmp.resolve("cni/results"));
    String ok = "{\"kind\":\"cniCacheV1\",\"containerId\":\"abc\",\"config\":\"e30=\",\"ifName\":\"%s\","
        + "\"networkName\":\"%s\"}";
    Files.writeString(results.resolve("net-abc-eth1"), String.format(ok, "eth1", "net"));
    Files.writeString(results.resolve("net-abc-eth0"), String.format(ok, "eth0", "net"));
    Files.writeString(results.resolve("abc-abc-x"), String.format(ok, "x", "abc"));
    // "-abc-" at the very start, or ending the name, does not count as the container part.
    Files.writeString(results.resolve("-abc-eth2"), String.format(ok, "eth2", "net"));
    Files.writeString(results.resolve("net-abc-"), String.format(ok, "eth3", "net"));
    Files.writeString(results.resolve("other-abc-eth4"), "{\"kind\":\"cniCacheV1\",\"containerId\":\"zzz\","
        + "\"ifName\":\"eth4\",\"networkName\":\"other\"}");
    Files.writeString(results.resolve("other-abc-eth5"), "{\"kind\":\"cniCacheV1\",\"containerId\":\"abc\","
        + "\"ifName\":\"\",\"networkName\":\"other\"}");
    Files.writeString(results.resolve("other-abc-eth6"), "{\"kind\":\"old\",\"containerId\":\"abc\"}");
    Files.writeString(results.resolve("other-abc-eth7"), "");
    Files.createDirectories(results.resolve("other-abc-eth8"));
    List<CacheEntry> forAbc = cache().attachments("abc");
    assertEquals(List.of("abc-abc-x", "net-abc-eth0", "net-abc-eth1"),
        forAbc.stream().map(e -> e.networkName() + "-" + e.containerId() + "-" + e.ifName()).toList());
    assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), forAbc.get(0).config());
    // Without a container ID every valid record counts, including those whose names do not match.
    assertEquals(List.of("eth2", "x", "eth3", "eth0", "eth1", "eth4"),
        cache().attachments("").stream().map(CacheEntry::ifName).toList());
  }

  @Test
  void keysMatchCaseInsensitivelyLikeGo() throws Exception {
    Path results = Files.createDirectories(tmp.resolve("cni/results"));
    Files.writeString(results.resolve("n-c-eth0"),
        "{\"Kind\":\"cniCacheV1\",\"CONTAINERID\":\"c\",\"ifname\":\"eth0\",\"NetworkName\":\"n\"}");
    CacheFile.Current cur = assertInstanceOf(CacheFile.Current.class, cache().get("n", "c", "eth0").orElseThrow());
    assertEquals(new CacheEntry("n", "c", "eth0", null, "", null, null, null), cur.entry());
  }
}
