package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.GcAttachment;
import io.jcni.libcni.runtime.Attachment;
import io.jcni.libcni.runtime.CniRuntime;
import io.jcni.libcni.runtime.NetworkRequest;
import io.jcni.libcni.runtime.Placement;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.HostLocalStore;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.Result100;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The façade driving jcni's in-process bridge and host-local, as the demo does, but inside a throw-away host
 * namespace: concurrent multi-network attach, a dead sandbox's teardown, GC at start-up, and an in-process bridge
 * with Go's host-local as its IPAM. Kernel state is read with {@code ip -j}, reservations from the store files.
 */
class DemoFacadeBridgeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  final List<String> namespaces = new ArrayList<>();
  NetNs host;
  String hostName;
  Path confDir;
  Path store;

  @BeforeEach
  void setUp() throws IOException {
    if (!Demo.isRoot()) {
      if ("true".equals(System.getenv("CI"))) {
        fail("needs root while CI=true");
      }
      Assumptions.abort("needs root");
    }
    hostName = namespace("host");
    host = NetNs.open(NetNs.pathOf(hostName));
    confDir = Files.createDirectories(tmp.resolve("net.d"));
    store = Files.createDirectories(tmp.resolve("store"));
    network("jt-red", "jtred0", "10.215.1.0/24");
    network("jt-blue", "jtblue0", "10.215.2.0/24");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (host != null) {
      host.close();
    }
    for (String n : namespaces) {
      run("ip", "netns", "del", n);
    }
  }

  private String namespace(String what) throws IOException {
    String n = "jt-dfb-" + what + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
    run("ip", "netns", "add", n);
    namespaces.add(n);
    return n;
  }

  private void network(String name, String bridge, String subnet) throws IOException {
    Files.writeString(confDir.resolve(name + ".conflist"), """
        {"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"bridge","bridge":"%s","isGateway":true,
         "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"%s"}]]}}]}
        """.formatted(name, bridge, store, subnet));
  }

  private CniRuntime runtime(Placement placement) {
    return CniRuntime.builder().confDir(confDir).cacheDir(tmp.resolve("cache")).pluginPath(List.of("/usr/lib/cni"))
        .registry(PluginRegistry.discover()).placement(placement).build();
  }

  /** Runs {@code body} on a thread inside the throw-away host namespace, where the bridge plugin works. */
  private <T> T inHost(NetNs.Body<T, Exception> body) throws Exception {
    return host.runIn(body);
  }

  private static String run(String... cmd) throws IOException {
    return TestNetns.run(cmd);
  }

  private static List<String> addresses(String ns, String dev) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode l : JSON.readTree(run("ip", "-j", "-n", ns, "addr", "show"))) {
      if (l.path("ifname").asText().equals(dev)) {
        for (JsonNode a : l.path("addr_info")) {
          if (a.path("family").asText().equals("inet")) {
            out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
          }
        }
      }
    }
    return out;
  }

  private static List<String> links(String ns) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode l : JSON.readTree(run("ip", "-j", "-n", ns, "link", "show"))) {
      out.add(l.path("ifname").asText());
    }
    return out;
  }

  private List<String> reserved(String network) throws IOException {
    return HostLocalStore.reserved(store.resolve(network));
  }

  private static String cidr(Attachment a) {
    return ((Result100) a.result()).ips().get(0).address().toString();
  }

  @Test
  void concurrentAttachToTwoInProcessBridgesThenDetach() throws Exception {
    String c = namespace("c");
    String path = NetNs.pathOf(c).toString();
    List<NetworkRequest> reqs = List.of(NetworkRequest.of("jt-blue", "eth1"), NetworkRequest.of("jt-red", "eth0"));
    try (CniRuntime rt = runtime(Placement.inlineWhenRegistered())) {
      List<Attachment> got = inHost(() -> rt.attachConcurrently("jt-c1", path, reqs));
      assertEquals(List.of(cidr(got.get(0))), addresses(c, "eth1"));
      assertEquals(List.of(cidr(got.get(1))), addresses(c, "eth0"));
      assertTrue(cidr(got.get(0)).startsWith("10.215.2."), cidr(got.get(0)));
      assertTrue(links(hostName).containsAll(List.of("jtred0", "jtblue0")), () -> ioText(() -> links(hostName)));

      inHost(() -> {
        rt.detach("jt-c1", path, reqs);
        return null;
      });
      assertEquals(List.of("lo"), links(c));
      assertEquals(List.of(), reserved("jt-red"));
      assertEquals(List.of(), reserved("jt-blue"));
      assertEquals(List.of(), rt.cachedAttachments(""));
    }
  }

  @Test
  void deadSandboxAndGcAtStartupReleaseEverything() throws Exception {
    String c1 = namespace("c1");
    String c2 = namespace("c2");
    String c3 = namespace("c3");
    try (CniRuntime rt = runtime(Placement.inlineWhenRegistered())) {
      for (String c : List.of(c1, c2, c3)) {
        inHost(() -> rt.attach("jt-" + c, NetNs.pathOf(c).toString(), List.of(NetworkRequest.of("jt-red", "eth0"))));
      }
      assertEquals(3, reserved("jt-red").size());
      run("ip", "netns", "del", c3);
      namespaces.remove(c3);
      inHost(() -> {
        rt.detach("jt-" + c3, NetNs.pathOf(c3).toString(), List.of(NetworkRequest.of("jt-red", "eth0")));
        return null;
      });
      assertEquals(2, reserved("jt-red").size());
    }
    String kept = addresses(c1, "eth0").get(0).split("/")[0];
    try (CniRuntime restarted = runtime(Placement.inlineWhenRegistered())) {
      inHost(() -> {
        restarted.gc(List.of(new GcAttachment("jt-" + c1, "eth0")));
        return null;
      });
      assertEquals(List.of(kept), reserved("jt-red"));
      assertEquals(List.of("lo"), links(c2));
      assertEquals(1, addresses(c1, "eth0").size());
    }
  }

  @Test
  void inProcessBridgeWithGoHostLocal() throws Exception {
    if (!Files.isExecutable(Path.of("/usr/lib/cni/host-local"))) {
      if ("true".equals(System.getenv("CI"))) {
        fail("/usr/lib/cni/host-local missing while CI=true");
      }
      Assumptions.abort("Go host-local missing");
    }
    String c = namespace("c");
    String path = NetNs.pathOf(c).toString();
    // an in-process host-local that refuses to run: the placement must send IPAM to the Go binary
    PluginRegistry registry = PluginRegistry.discover().register(new RefusingPlugin("host-local"));
    try (CniRuntime rt = CniRuntime.builder().confDir(confDir).cacheDir(tmp.resolve("cache"))
        .pluginPath(List.of("/usr/lib/cni")).registry(registry).placement(Placement.inlineTypes(Set.of("bridge")))
        .build()) {
      Attachment a = inHost(() -> rt.attach("jt-mixed", path, List.of(NetworkRequest.of("jt-red", "eth0")))).get(0);
      String ip = cidr(a).split("/")[0];
      assertEquals(List.of(cidr(a)), addresses(c, "eth0"));
      // the reservation in the store format both implementations share: "<id>\r\n<ifname>"
      assertEquals("jt-mixed\r\neth0", Files.readString(store.resolve("jt-red").resolve(ip)));
      inHost(() -> {
        rt.detach("jt-mixed", path, List.of(NetworkRequest.of("jt-red", "eth0")));
        return null;
      });
      assertEquals(List.of(), reserved("jt-red"));
    }
  }

  /** A registered plugin that fails whenever it is run in-process. */
  record RefusingPlugin(String type) implements io.jcni.libcni.spi.CniPlugin {
    @Override
    public List<String> supportedVersions() {
      return List.of("1.0.0", "1.1.0");
    }

    private static io.jcni.libcni.types.CniException refused() {
      return new io.jcni.libcni.types.CniException(999, "must not run in-process");
    }

    @Override
    public com.fasterxml.jackson.databind.node.ObjectNode addResult(io.jcni.libcni.spi.CmdArgs a,
        io.jcni.libcni.spi.PluginContext c) throws io.jcni.libcni.types.CniException {
      throw refused();
    }

    @Override
    public void check(io.jcni.libcni.spi.CmdArgs a, io.jcni.libcni.spi.PluginContext c)
        throws io.jcni.libcni.types.CniException {
      throw refused();
    }

    @Override
    public void del(io.jcni.libcni.spi.CmdArgs a, io.jcni.libcni.spi.PluginContext c)
        throws io.jcni.libcni.types.CniException {
      throw refused();
    }
  }

  private interface IoText {
    Object get() throws IOException;
  }

  private static String ioText(IoText s) {
    try {
      return String.valueOf(s.get());
    } catch (IOException e) {
      return e.toString();
    }
  }
}
