package io.jcni.libcni.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.GcAttachment;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Result100;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The façade driving exec'd plugins (test-bin noop): multi-network attach in request order, rollback, best-effort
 * detach, GC at start-up and STATUS, checked against noop's own command log and the cache files on disk.
 */
class CniRuntimeExecTest {
  @TempDir Path tmp;
  NoopNetworks nets;

  @BeforeEach
  void setUp() throws Exception {
    nets = new NoopNetworks(tmp);
    nets.network("10-alpha.conflist", "alpha", "1.1.0", "10.201.1.5/24");
    nets.network("20-beta.conflist", "beta", "1.1.0", "10.201.2.5/24");
  }

  private static List<NetworkRequest> betaThenAlpha() {
    return List.of(NetworkRequest.of("beta", "eth1"), NetworkRequest.of("alpha", "eth0"));
  }

  private static String address(Attachment a) {
    return ((Result100) a.result()).ips().get(0).address().toString();
  }

  @Test
  void serialAttachRunsInRequestOrderAndReturnsResultsInOrder() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      List<Attachment> got = rt.attach("c1", "/var/run/netns/jt-none", betaThenAlpha());
      assertEquals(List.of("beta", "alpha"), got.stream().map(Attachment::network).toList());
      assertEquals(List.of("10.201.2.5/24", "10.201.1.5/24"), got.stream().map(CniRuntimeExecTest::address).toList());
      assertEquals(List.of("ADD c1 beta eth1", "ADD c1 alpha eth0"), nets.callLines());
      assertEquals(List.of("alpha-c1-eth0", "beta-c1-eth1"), nets.cacheFiles());
      assertEquals("/var/run/netns/jt-none", nets.calls().get(0).netns());
    }
  }

  @Test
  void concurrentAttachReturnsResultsInRequestOrder() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      List<Attachment> got = rt.attachConcurrently("c1", "/var/run/netns/jt-none", betaThenAlpha());
      assertEquals(List.of("10.201.2.5/24", "10.201.1.5/24"), got.stream().map(CniRuntimeExecTest::address).toList());
      assertEquals(List.of("eth1", "eth0"), got.stream().map(Attachment::ifName).toList());
      assertEquals(2, nets.calls().size());
      assertEquals(List.of("alpha-c1-eth0", "beta-c1-eth1"), nets.cacheFiles());
    }
  }

  @Test
  void failedSecondNetworkRollsBackTheFirst() throws Exception {
    nets.fail("alpha", "banana", 117);
    try (CniRuntime rt = nets.runtime().build()) {
      CniException e = assertThrows(CniException.class,
          () -> rt.attach("c1", "/var/run/netns/jt-none", betaThenAlpha()));
      assertEquals(117, e.code());
      assertEquals("network \"alpha\" (eth0): plugin type=\"noop\" failed (add): banana", e.getMessage());
      // The façade DELs the network attached before it; the failed plugin is not asked to delete anything.
      assertEquals(List.of("ADD c1 beta eth1", "ADD c1 alpha eth0", "DEL c1 beta eth1"),
          nets.callLines());
      assertEquals(List.of(), nets.cacheFiles());
    }
  }

  @Test
  void failedConcurrentAttachRollsBackTheOthers() throws Exception {
    nets.fail("alpha", "banana", 117);
    nets.network("30-gamma.conflist", "gamma", "1.1.0", "10.201.3.5/24");
    try (CniRuntime rt = nets.runtime().build()) {
      List<NetworkRequest> reqs = List.of(NetworkRequest.of("beta", "eth1"), NetworkRequest.of("alpha", "eth0"),
          NetworkRequest.of("gamma", "eth2"));
      CniException e = assertThrows(CniException.class,
          () -> rt.attachConcurrently("c1", "/var/run/netns/jt-none", reqs));
      assertTrue(e.getMessage().startsWith("network \"alpha\" (eth0): "), e.getMessage());
      List<String> calls = nets.callLines();
      for (String s : List.of("beta c1 eth1", "alpha c1 eth0", "gamma c1 eth2")) {
        String[] p = s.split(" ");
        assertTrue(calls.contains("ADD " + p[1] + " " + p[0] + " " + p[2]), calls::toString);
        // The networks that attached are detached again; the failed one gets no DEL.
        assertEquals(!p[0].equals("alpha"), calls.contains("DEL " + p[1] + " " + p[0] + " " + p[2]), calls::toString);
      }
      assertEquals(List.of(), nets.cacheFiles());
    }
  }

  @Test
  void unknownNetworkFailsBeforeAnyPluginRuns() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      CniException e = assertThrows(CniException.class,
          () -> rt.attach("c1", "/var/run/netns/jt-none",
              List.of(NetworkRequest.of("alpha", "eth0"), NetworkRequest.of("nope", "eth1"))));
      assertEquals("no net configuration with name \"nope\" in " + nets.confDir, e.getMessage());
      assertEquals(List.of(), nets.calls());
    }
  }

  @Test
  void duplicateInterfaceNameIsRefused() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      CniException e = assertThrows(CniException.class, () -> rt.attach("c1", "/x",
          List.of(NetworkRequest.of("alpha", "eth0"), NetworkRequest.of("beta", "eth0"))));
      assertTrue(e.getMessage().contains("\"eth0\""), e.getMessage());
      assertEquals(List.of(), nets.calls());
    }
  }

  @Test
  void detachWithMissingNamespacePassesNoNetnsAndClearsTheCache() throws Exception {
    Path ns = Files.createFile(tmp.resolve("fake-netns"));
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("c1", ns.toString(), betaThenAlpha());
      Files.delete(ns);
      rt.detach("c1", ns.toString(), betaThenAlpha());
      List<NoopNetworks.Call> dels = nets.calls().stream().filter(c -> c.command().equals("DEL")).toList();
      assertEquals(List.of("DEL c1 alpha eth0", "DEL c1 beta eth1"), dels.stream().map(Object::toString).toList());
      assertTrue(dels.stream().allMatch(c -> c.netns().isEmpty()), dels::toString);
      // the cached ADD result reaches the plugins as prevResult
      assertEquals("10.201.1.5/24", dels.get(0).stdin().at("/prevResult/ips/0/address").asText());
      assertEquals(List.of(), nets.cacheFiles());
    }
  }

  @Test
  void detachGoesOnPastAFailingNetworkAndReportsIt() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("c1", "/var/run/netns/jt-none", betaThenAlpha());
      nets.fail("alpha", "cannot let go", 111);
      CniException e = assertThrows(CniException.class,
          () -> rt.detach("c1", "/var/run/netns/jt-none", betaThenAlpha()));
      assertEquals(111, e.code());
      assertEquals("network \"alpha\" (eth0): plugin type=\"noop\" failed (delete): cannot let go", e.getMessage());
      assertTrue(nets.callLines().contains("DEL c1 beta eth1"));
      // the failed one keeps its cache entry for a retry, as libcni does
      assertEquals(List.of("alpha-c1-eth0"), nets.cacheFiles());
    }
  }

  @Test
  void detachOfANetworkGoneFromTheDirectoryUsesTheCachedConfig() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("c1", "/var/run/netns/jt-none", betaThenAlpha());
      Files.delete(nets.confDir.resolve("10-alpha.conflist"));
      assertFalse(rt.reload().get("alpha").isPresent());
      rt.detachAll("c1", "/var/run/netns/jt-none");
      assertTrue(nets.callLines().containsAll(List.of("DEL c1 alpha eth0", "DEL c1 beta eth1")),
          () -> String.valueOf(nets.calls()));
      assertEquals(List.of(), nets.cacheFiles());
      // detaching again is a no-op: nothing loaded or cached names alpha any more
      rt.detach("c1", "/var/run/netns/jt-none", betaThenAlpha());
    }
  }

  @Test
  void detachUsesTheCachedArgumentsOfTheAdd() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      NetworkRequest withArgs = NetworkRequest.of("alpha", "eth0")
          .withCniArgs(List.of(Map.entry("K8S_POD_NAME", "web")));
      rt.attach("c1", "/var/run/netns/jt-none", List.of(withArgs));
      rt.detach("c1", "/var/run/netns/jt-none", List.of(NetworkRequest.of("alpha", "eth0")));
      String delArgs = NoopNetworks.JSON.readTree(Files.readString(nets.debugFile("alpha")))
          .at("/CmdArgs/Args").asText();
      assertEquals("K8S_POD_NAME=web", delArgs);
    }
  }

  @Test
  void checkSendsTheCachedResultAndArgumentsAndReportsTheFirstFailure() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      NetworkRequest withArgs = NetworkRequest.of("alpha", "eth0")
          .withCniArgs(List.of(Map.entry("K8S_POD_NAME", "web")));
      rt.attach("c1", "/var/run/netns/jt-none", List.of(withArgs, NetworkRequest.of("beta", "eth1")));
      rt.check("c1", "/var/run/netns/jt-none",
          List.of(NetworkRequest.of("alpha", "eth0"), NetworkRequest.of("beta", "eth1")));
      List<NoopNetworks.Call> checks = nets.calls().stream().filter(c -> c.command().equals("CHECK")).toList();
      assertEquals(List.of("CHECK c1 alpha eth0", "CHECK c1 beta eth1"),
          checks.stream().map(Object::toString).toList());
      assertEquals("10.201.1.5/24", checks.get(0).stdin().at("/prevResult/ips/0/address").asText());
      assertEquals("K8S_POD_NAME=web", NoopNetworks.JSON.readTree(Files.readString(nets.debugFile("alpha")))
          .at("/CmdArgs/Args").asText());

      nets.fail("beta", "drifted", 112);
      CniException e = assertThrows(CniException.class, () -> rt.check("c1", "/var/run/netns/jt-none",
          List.of(NetworkRequest.of("alpha", "eth0"), NetworkRequest.of("beta", "eth1"))));
      assertEquals(112, e.code());
      assertEquals("network \"beta\" (eth1): drifted", e.getMessage());
    }
  }

  @Test
  void gcAtStartupDeletesStaleAttachmentsAndKeepsValidOnes() throws Exception {
    try (CniRuntime first = nets.runtime().build()) {
      for (String c : List.of("c1", "c2", "c3")) {
        first.attach(c, "/var/run/netns/jt-" + c, List.of(NetworkRequest.of("alpha", "eth0")));
      }
    }
    Files.delete(nets.log);
    try (CniRuntime restarted = nets.runtime().build()) {
      restarted.gc(List.of(new GcAttachment("c1", "eth0")));
    }
    List<NoopNetworks.Call> calls = nets.calls();
    List<String> lines = calls.stream().map(Object::toString).toList();
    assertTrue(lines.containsAll(List.of("DEL c2 alpha eth0", "DEL c3 alpha eth0")), lines::toString);
    assertFalse(lines.contains("DEL c1 alpha eth0"), lines::toString);
    NoopNetworks.Call gc = calls.stream().filter(c -> c.command().equals("GC") && c.network().equals("alpha"))
        .findFirst().orElseThrow();
    assertEquals("[{\"containerID\":\"c1\",\"ifname\":\"eth0\"}]",
        gc.stdin().get("cni.dev/valid-attachments").toString());
    assertEquals(List.of("alpha-c1-eth0"), nets.cacheFiles());
  }

  @Test
  void gcDeletesAttachmentsOfNetworksThatLeftTheDirectory() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("c9", "/var/run/netns/jt-c9", List.of(NetworkRequest.of("beta", "eth0")));
    }
    Files.delete(nets.confDir.resolve("20-beta.conflist"));
    try (CniRuntime rt = nets.runtime().build()) {
      rt.gc(List.of());
    }
    assertTrue(nets.callLines().contains("DEL c9 beta eth0"), () -> String.valueOf(nets.calls()));
    assertEquals(List.of(), nets.cacheFiles());
  }

  @Test
  void statusPerNetwork() throws Exception {
    nets.network("30-old.conflist", "old", "1.0.0", "10.201.4.5/24");
    nets.fail("old", "never asked: STATUS needs 1.1.0", 50);
    try (CniRuntime rt = nets.runtime().build()) {
      nets.fail("beta", "no uplink", 50);
      NetworkStatus beta = rt.status("beta");
      assertFalse(beta.ready());
      assertEquals(50, beta.code());
      assertEquals("no uplink", beta.error().getMessage());
      assertTrue(rt.status("alpha").ready());
      assertEquals(List.of(true, false, true), rt.status().stream().map(NetworkStatus::ready).toList());
      assertEquals(List.of("STATUS  alpha ", "STATUS  alpha "),
          nets.callLines().stream().filter(s -> s.contains("alpha")).toList());
    }
  }
}
