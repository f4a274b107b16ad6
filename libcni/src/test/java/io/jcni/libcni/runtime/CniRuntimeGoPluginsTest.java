package io.jcni.libcni.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.GcAttachment;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Result100;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The façade driving the real Go bridge and host-local plugins, each test in its own throw-away host namespace.
 * Kernel state is read back with {@code ip -j}, address reservations from host-local's own store files.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/lib/cni/host-local", "/usr/lib/cni/bridge"})
class CniRuntimeGoPluginsTest {
  @TempDir Path tmp;
  GoBridgeNetworks go;

  @BeforeEach
  void setUp() throws Exception {
    go = new GoBridgeNetworks(tmp);
    go.network("jt-red", "jtred0", "10.231.1.0/24");
    go.network("jt-blue", "jtblue0", "10.231.2.0/24");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (go != null) {
      go.close();
    }
  }

  private static String ip(Attachment a) {
    return ((Result100) a.result()).ips().get(0).address().toString();
  }

  @Test
  void concurrentAttachToTwoNetworksThenDetachLeavesNothing() throws Exception {
    String c = go.namespace("c");
    List<NetworkRequest> reqs = List.of(NetworkRequest.of("jt-blue", "eth1"), NetworkRequest.of("jt-red", "eth0"));
    try (CniRuntime rt = go.runtime().build()) {
      List<Attachment> got = rt.attachConcurrently("jt-c1", GoBridgeNetworks.path(c), reqs);
      assertEquals(List.of("jt-blue", "jt-red"), got.stream().map(Attachment::network).toList());
      assertEquals(List.of(ip(got.get(0))), GoBridgeNetworks.addresses(c, "eth1"));
      assertEquals(List.of(ip(got.get(1))), GoBridgeNetworks.addresses(c, "eth0"));
      assertTrue(ip(got.get(0)).startsWith("10.231.2."));
      assertEquals(List.of(ip(got.get(1)).split("/")[0]), go.reserved("jt-red"));
      assertEquals("jt-c1", go.holder("jt-red", ip(got.get(1)).split("/")[0]));

      rt.detach("jt-c1", GoBridgeNetworks.path(c), reqs);
      assertEquals(List.of("lo"), GoBridgeNetworks.links(c));
      assertEquals(List.of(), go.reserved("jt-red"));
      assertEquals(List.of(), go.reserved("jt-blue"));
      assertEquals(List.of(), rt.cachedAttachments(""));
    }
  }

  @Test
  void failedSecondNetworkRollsBackTheGoNetwork() throws Exception {
    String c = go.namespace("c");
    NoopNetworks noop = new NoopNetworks(tmp.resolve("noop"));
    noop.network("x.conflist", "jt-failing", "1.0.0", "10.231.9.5/24");
    Files.copy(noop.confDir.resolve("x.conflist"), go.confDir.resolve("90-failing.conflist"));
    noop.fail("jt-failing", "no luck", 120);
    try (CniRuntime rt = go.runtime().build()) {
      CniException e = assertThrows(CniException.class, () -> rt.attach("jt-c1", GoBridgeNetworks.path(c),
          List.of(NetworkRequest.of("jt-red", "eth0"), NetworkRequest.of("jt-failing", "eth1"))));
      assertEquals(120, e.code());
      assertEquals(List.of("lo"), GoBridgeNetworks.links(c));
      assertEquals(List.of(), go.reserved("jt-red"));
      assertEquals(List.of(), rt.cachedAttachments(""));
      // the bridge itself stays (Go's bridge DEL never removes it), but no port is left on it
      assertEquals(0, GoBridgeNetworks.ipJson(go.host, "link", "show", "master", "jtred0").size());
    }
  }

  @Test
  void detachAfterTheSandboxDiedReleasesTheAddress() throws Exception {
    String c = go.namespace("c");
    try (CniRuntime rt = go.runtime().build()) {
      rt.attach("jt-c1", GoBridgeNetworks.path(c), List.of(NetworkRequest.of("jt-red", "eth0")));
      assertEquals(1, go.reserved("jt-red").size());
      go.deleteNamespace(c);
      assertFalse(Files.exists(Path.of(GoBridgeNetworks.path(c))));
      rt.detach("jt-c1", GoBridgeNetworks.path(c), List.of(NetworkRequest.of("jt-red", "eth0")));
      assertEquals(List.of(), go.reserved("jt-red"));
      assertEquals(List.of(), rt.cachedAttachments(""));
      // (the host end of the veth goes with the namespace, in the kernel's own time: not checked here)
    }
  }

  @Test
  void gcAtStartupTearsDownStaleGoAttachments() throws Exception {
    String c1 = go.namespace("c1");
    String c2 = go.namespace("c2");
    try (CniRuntime rt = go.runtime().build()) {
      rt.attach("jt-c1", GoBridgeNetworks.path(c1), List.of(NetworkRequest.of("jt-red", "eth0")));
      rt.attach("jt-c2", GoBridgeNetworks.path(c2), List.of(NetworkRequest.of("jt-red", "eth0")));
    }
    String keptIp = GoBridgeNetworks.addresses(c1, "eth0").get(0).split("/")[0];
    try (CniRuntime restarted = go.runtime().build()) {
      restarted.gc(List.of(new GcAttachment("jt-c1", "eth0")));
      assertEquals(List.of(keptIp), go.reserved("jt-red"));
      assertEquals("jt-c1", go.holder("jt-red", keptIp));
      assertEquals(List.of("lo"), GoBridgeNetworks.links(c2));
      assertEquals(1, GoBridgeNetworks.addresses(c1, "eth0").size());
      assertEquals(List.of("jt-c1"),
          restarted.cachedAttachments("").stream().map(a -> a.containerId()).toList());
    }
  }
}
