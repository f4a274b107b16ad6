package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.GcAttachment;
import io.jcni.libcni.runtime.Attachment;
import io.jcni.libcni.runtime.CniRuntime;
import io.jcni.libcni.runtime.NetworkRequest;
import io.jcni.libcni.runtime.Placement;
import io.jcni.libcni.testing.HostLocalStore;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Result100;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The façade the demo stands on, with jcni's in-process host-local (from the class path, as the demo finds it)
 * next to Go's binary on one shared store: placement per network, rollback, teardown of a dead sandbox and GC at
 * start-up, each checked in host-local's own store files. host-local only writes files, so no root is needed.
 */
class DemoFacadeHostLocalTest {
  private static final Path GO_HOST_LOCAL = Path.of("/usr/lib/cni/host-local");

  @TempDir Path tmp;
  Path confDir;
  Path store;

  @BeforeEach
  void setUp() throws Exception {
    confDir = Files.createDirectories(tmp.resolve("net.d"));
    store = Files.createDirectories(tmp.resolve("store"));
    Files.writeString(confDir.resolve("jt-pool.conflist"), """
        {"cniVersion":"1.0.0","name":"jt-pool","plugins":[{"type":"host-local",
         "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.214.3.0/29"}]]}}]}
        """.formatted(store));
  }

  private CniRuntime runtime(Placement placement) {
    return CniRuntime.builder().confDir(confDir).cacheDir(tmp.resolve("cache"))
        .pluginPath(List.of(TestBin.dir().toString(), "/usr/lib/cni"))
        .registry(PluginRegistry.discover()).placement(placement).build();
  }

  /** Addresses reserved in the store, from its file names. */
  private List<String> reserved() throws Exception {
    return HostLocalStore.reserved(store.resolve("jt-pool"));
  }

  private String holder(String ip) throws Exception {
    return Files.readString(store.resolve("jt-pool").resolve(ip)).split("\r\n")[0];
  }

  private static String ip(Attachment a) {
    return ((Result100) a.result()).ips().get(0).address().ip().getHostAddress();
  }

  @Test
  void inProcessAndGoShareOneStoreThroughTheFacade() throws Exception {
    Assumptions.requireGo(GO_HOST_LOCAL);
    NetworkRequest req = NetworkRequest.of("jt-pool", "eth0");
    String inline;
    String exec;
    try (CniRuntime java = runtime(Placement.inlineTypes(Set.of("host-local")))) {
      inline = ip(java.attach("jt-java", "/var/run/netns/jt-none", List.of(req)).get(0));
    }
    try (CniRuntime go = runtime(Placement.execAll())) {
      exec = ip(go.attach("jt-go", "/var/run/netns/jt-none", List.of(req)).get(0));
    }
    assertNotEquals(inline, exec);
    assertEquals(List.of(inline, exec).stream().sorted().toList(), reserved());
    assertEquals("jt-java", holder(inline));
    assertEquals("jt-go", holder(exec));
    // and each can tear down what the other made
    try (CniRuntime go = runtime(Placement.execAll())) {
      go.detach("jt-java", "/var/run/netns/jt-none", List.of(req));
    }
    try (CniRuntime java = runtime(Placement.inlineWhenRegistered())) {
      java.detach("jt-go", "/var/run/netns/jt-none", List.of(req));
    }
    assertEquals(List.of(), reserved());
  }

  @Test
  void aFailingSecondNetworkReleasesTheInProcessAddress() throws Exception {
    Path debug = tmp.resolve("debug.json");
    Files.writeString(debug, "{\"ReportError\":\"refused\",\"ReportErrorCode\":130}");
    Files.writeString(confDir.resolve("jt-fail.conflist"), """
        {"cniVersion":"1.1.0","name":"jt-fail","plugins":[{"type":"noop","debugFile":"%s"}]}
        """.formatted(debug));
    try (CniRuntime rt = runtime(Placement.inlineWhenRegistered())) {
      CniException e = assertThrows(CniException.class, () -> rt.attach("jt-c1", "/var/run/netns/jt-none",
          List.of(NetworkRequest.of("jt-pool", "eth0"), NetworkRequest.of("jt-fail", "eth1"))));
      assertEquals(130, e.code());
      assertEquals(List.of(), reserved());
      assertEquals(List.of(), rt.cachedAttachments(""));
    }
  }

  @Test
  void detachOfADeadSandboxAndGcAtStartupReleaseInProcessAddresses() throws Exception {
    Path alive = Files.createFile(tmp.resolve("netns-alive"));
    try (CniRuntime rt = runtime(Placement.inlineWhenRegistered())) {
      for (String c : List.of("jt-c1", "jt-c2", "jt-c3")) {
        rt.attach(c, alive.toString(), List.of(NetworkRequest.of("jt-pool", "eth0")));
      }
      assertEquals(3, reserved().size());
      Files.delete(alive);
      rt.detach("jt-c3", alive.toString(), List.of(NetworkRequest.of("jt-pool", "eth0")));
      assertEquals(2, reserved().size());
    }
    try (CniRuntime restarted = runtime(Placement.inlineWhenRegistered())) {
      restarted.gc(List.of(new GcAttachment("jt-c1", "eth0")));
      List<String> left = reserved();
      assertEquals(1, left.size());
      assertEquals("jt-c1", holder(left.get(0)));
      assertTrue(restarted.cachedAttachments("jt-c2").isEmpty());
    }
  }

  /** Gates for the Go binary (skipped without it, a failure under CI=true). */
  static final class Assumptions {
    static void requireGo(Path p) {
      if (Files.isExecutable(p)) {
        return;
      }
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(p + " is missing while CI=true");
      }
      org.junit.jupiter.api.Assumptions.abort(p + " is missing");
    }
  }
}
