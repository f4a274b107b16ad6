package io.jcni.plugins.internal.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.RequiresExecutable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same sequence of host-local requests against two fresh stores, one served by Go's binary and one by jcni
 * (behind {@link io.jcni.plugins.skel.Skel}, so skel's checks are compared too): same answers at every step, and
 * the same files byte for byte.
 */
@RequiresExecutable(HostLocalRunner.GO_BINARY)
class GoEquivalenceTest {
  @TempDir Path tmp;

  /** One request: command, container id, ifname, CNI_ARGS and extra top-level config keys. */
  record Step(Command cmd, String id, String ifname, String cniArgs, String extra) {
    static Step add(String id, String ifname) {
      return new Step(Command.ADD, id, ifname, "", "");
    }

    static Step add(String id, String ifname, String cniArgs, String extra) {
      return new Step(Command.ADD, id, ifname, cniArgs, extra);
    }

    static Step del(String id, String ifname) {
      return new Step(Command.DEL, id, ifname, "", "");
    }

    static Step check(String id, String ifname) {
      return new Step(Command.CHECK, id, ifname, "", "");
    }
  }

  static final List<Step> SEQUENCE =
      List.of(
          Step.add("c1", "eth0"),
          Step.add("c2", "eth0", "IP=10.250.1.5", ""),
          Step.add("c3", "eth0", "", "\"args\":{\"cni\":{\"ips\":[\"2001:db8:1::6\"]}},"),
          Step.add("c1", "eth1"),
          Step.check("c1", "eth1"),
          Step.del("c2", "eth0"),
          Step.check("c2", "eth0"),
          Step.add("c4", "eth0", "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.250.1.5/24", ""),
          Step.add("c4", "eth0"),
          Step.add("c5", "eth0", "", "\"runtimeConfig\":{\"ips\":[\"10.250.2.2/30\",\"2001:db8:1::3\"]},"),
          Step.add("c6", "eth0", "IP=10.250.1.5", ""),
          Step.add("c7", "eth0"),
          Step.add("c8", "eth0"),
          Step.add("c9", "eth0"),
          Step.del("c1", "eth0"),
          Step.add("   c10\n ", "eth0"),
          Step.add("c11", "eth0"),
          Step.del("c3", "eth0"),
          Step.del("nobody", "eth0"),
          Step.add("c12", "eth0"),
          Step.del("c10", "eth0"),
          Step.check("c10", "eth0"),
          Step.add("c13", "eth0"));

  @ParameterizedTest
  @ValueSource(strings = {"0.2.0", "0.3.1", "0.4.0", "1.0.0"})
  void sameAnswersAndSameFiles(String version) throws IOException {
    Path goDir = Files.createDirectories(tmp.resolve("go"));
    Path jDir = Files.createDirectories(tmp.resolve("jcni"));
    int failures = 0;
    for (Step s : SEQUENCE) {
      HostLocalRunner.Outcome go =
          HostLocalRunner.GO.run(s.cmd(), s.id(), s.ifname(), s.cniArgs(), conf(version, goDir, s.extra()));
      HostLocalRunner.Outcome ours =
          HostLocalRunner.JCNI_SKEL.run(s.cmd(), s.id(), s.ifname(), s.cniArgs(), conf(version, jDir, s.extra()));
      assertEquals(go.ok(), ours.ok(), s + ": Go " + go + ", jcni " + ours);
      if (go.ok()) {
        assertEquals(normalized(go.json()), normalized(ours.json()), s.toString());
      } else {
        failures++;
        assertEquals(go.msg(), ours.msg(), s.toString());
        if (go.code() != 999) {
          assertEquals(go.json(), ours.json(), "skel-level errors match exactly: " + s);
        }
      }
      assertEquals(snapshot(goDir.resolve("mynet")), snapshot(jDir.resolve("mynet")), "store after " + s);
    }
    assertTrue(failures >= 3, "the sequence exercises the error paths too");
    assertFalse(snapshot(jDir.resolve("mynet")).isEmpty());
    try (Stream<Path> files = Files.list(jDir.resolve("mynet"))) {
      for (Path p : files.filter(p -> !p.getFileName().toString().equals("lock")).toList()) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
      }
    }
    assertEquals(
        "rwxr-x---",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(jDir.resolve("mynet/lock"))));
  }

  @Test
  void aLaterNullKeyKeepsTheEarlierDataDir() throws IOException {
    Map<String, Map<String, String>> stores = new TreeMap<>();
    for (Map.Entry<String, HostLocalRunner> r : Map.of("go", HostLocalRunner.GO, "jcni", HostLocalRunner.JCNI)
        .entrySet()) {
      Path dir = Files.createDirectories(tmp.resolve(r.getKey()));
      // Go applies keys in order and a null leaves the field as it was; a reader that let the null win would
      // use the default data directory instead.
      String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"jt-nulldir\",\"type\":\"bridge\","
          + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + dir + "\",\"DataDir\":null,"
          + "\"ranges\":[[{\"subnet\":\"10.250.1.0/29\"}]]}}";
      try {
        HostLocalRunner.Outcome o = r.getValue().add("c1", "eth0", conf);
        assertTrue(o.ok(), r.getKey() + ": " + o);
        stores.put(r.getKey(), snapshot(dir.resolve("jt-nulldir")));
      } finally {
        // Releases the address wherever it went, also if it went to the default directory.
        r.getValue().del("c1", "eth0", conf);
      }
    }
    assertTrue(stores.get("go").containsKey("10.250.1.2"), "Go wrote into the given dataDir: " + stores);
    assertEquals(stores.get("go"), stores.get("jcni"));
  }

  /**
   * The network: a v4 set of two ranges (5 + 1 addresses, so allocation wraps across ranges and runs out) and a
   * v6 set of 6 addresses.
   */
  static String conf(String version, Path dataDir, String extra) {
    return "{\"cniVersion\":\"" + version + "\",\"name\":\"mynet\",\"type\":\"bridge\"," + extra
        + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\","
        + "\"ranges\":[[{\"subnet\":\"10.250.1.0/29\"},{\"subnet\":\"10.250.2.0/30\"}],"
        + "[{\"subnet\":\"2001:db8:1::/125\"}]],"
        + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"2001:db8:9::/48\",\"gw\":\"2001:db8:1::1\"}]}}";
  }

  /** Result JSON without an empty {@code dns}, which Go 1.1.1 prints and the 1.x result of today leaves out. */
  static JsonNode normalized(JsonNode n) {
    ObjectNode c = n.deepCopy();
    if (c.path("dns").isObject() && c.get("dns").isEmpty()) {
      c.remove("dns");
    }
    return c;
  }

  /** Every file of a store with its exact content. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        out.put(p.getFileName().toString(), new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
