package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.CniConfig;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Result100;
import io.jcni.plugins.internal.hostlocal.HostLocalPlugin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A failed ADD never harms an attachment that existed before it: a retried ADD (same namespace, or a new one with
 * the same container ID), a second network with the same container ID and interface name, and attachments that
 * libcni's cache does not know about, each with the in-process plugins and with Debian's Go binaries exec'd.
 *
 * <p>The first attachment's state is read back from the kernel ({@code ip -j}, {@code iptables-save}) and the
 * host-local store before and after the failed ADD and must be unchanged; CHECK must still pass and a DEL must
 * still remove it all.
 */
@RequiresCapabilities
class AddNeverHarmsTest {

  /** One throw-away world, in one of the two modes. */
  private static final class World implements AutoCloseable {
    final BridgeEnv env;
    final boolean inline;
    final Path bin;

    World(boolean inline) throws Exception {
      this.env = BridgeEnv.create();
      this.inline = inline;
      // Exec mode: a wrapper runs Go's bridge with the world's namespace as its host (host-local needs none).
      this.bin = Files.createTempDirectory(env.dataDir, "bin");
      Path wrapper = bin.resolve("bridge");
      Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + env.hostNs.name() + " " + GoPlugin.DIR
          + "/bridge\n");
      Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A bridge + host-local network with masquerading; Debian's Go plugins speak at most 1.0.0. */
    NetworkConfigList list(String network, String bridge, String subnet) throws Exception {
      String conflist = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"plugins\":[{\"type\":\"bridge\","
          + "\"bridge\":\"" + bridge + "\",\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\","
          + "\"dataDir\":\"" + env.dataDir + "\",\"subnet\":\"" + subnet + "\"}}]}";
      return ConfLoader.confListFromBytes(conflist.getBytes(StandardCharsets.UTF_8));
    }

    NetworkConfigList list() throws Exception {
      return list(env.network, env.bridge, "10.243.0.0/24");
    }

    CniConfig cni(Path cache) {
      PluginRegistry registry = PluginRegistry.empty().register(env.plugin).register(new HostLocalPlugin());
      return CniConfig.builder().path(List.of(bin.toString(), GoPlugin.DIR)).cacheDir(cache)
          .inline(registry, type -> inline).build();
    }

    Path cache(String name) throws Exception {
      return Files.createTempDirectory(env.dataDir, name);
    }

    @Override
    public void close() throws Exception {
      env.close();
    }
  }

  /**
   * Everything attachment {@code id} in {@code c} has: its container links and addresses, its host-local files,
   * its masquerade chain's rules, its cache file.
   */
  private static String stateOf(World w, String id, TestNetns c, Path cache) throws Exception {
    String chainRules = Arrays.stream(KernelState.iptablesNat(w.env.hostNs, false).split("\n"))
        .filter(l -> l.contains("id: \"" + id + "\"") || l.contains("\"" + id + "\""))
        .collect(Collectors.joining("\n"));
    StringBuilder s = new StringBuilder();
    s.append("links ").append(BridgeEnv.linkNames(c)).append('\n');
    s.append("eth0 ").append(KernelState.cidrs(c, "eth0", true)).append('\n');
    for (String f : w.env.reserved()) {
      s.append("ip ").append(f).append(' ').append(Files.readString(w.env.store().resolve(f))).append('\n');
    }
    s.append("nat\n").append(chainRules).append('\n');
    Path file = cache.resolve("results").resolve(w.env.network + "-" + id + "-eth0");
    s.append("cache ").append(Files.exists(file) ? Files.readString(file) : "none").append('\n');
    return s.toString();
  }

  private static String ipOf(Result100 r) {
    return r.ips().get(0).address().ip().getHostAddress();
  }

  private static Result100 add(CniConfig cni, NetworkConfigList list, String id, TestNetns c) throws Exception {
    return (Result100) cni.addNetworkList(list, RuntimeConf.of(id, c.path(), "eth0")).convertTo("1.0.0");
  }

  /** The first attachment still works and still goes away completely. */
  private static void assertIntactThenDelete(World w, CniConfig cni, NetworkConfigList list, String id, TestNetns c)
      throws Exception {
    RuntimeConf rt = RuntimeConf.of(id, c.path(), "eth0");
    cni.checkNetworkList(list, rt);
    cni.delNetworkList(list, rt);
    assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
    assertEquals(List.of(), w.env.reserved());
    assertEquals(-1, KernelState.iptablesNat(w.env.hostNs, false).indexOf("\"" + id + "\""));
  }

  @ParameterizedTest(name = "inline={0}")
  @ValueSource(booleans = {true, false})
  void theSameAddTwiceInTheSameNamespaceIsRefusedWithoutRunningAPlugin(boolean inline) throws Exception {
    try (World w = new World(inline)) {
      Path cache = w.cache("cache");
      CniConfig cni = w.cni(cache);
      NetworkConfigList list = w.list();
      TestNetns c1 = w.env.container();
      add(cni, list, "pod-a", c1);
      String before = stateOf(w, "pod-a", c1, cache);
      List<String> hostLinks = BridgeEnv.linkNames(w.env.hostNs);

      CniException e = assertThrows(CniException.class, () -> add(cni, list, "pod-a", c1));
      assertEquals(4, e.code());
      assertEquals("container \"pod-a\" already has interface \"eth0\" attached to network \"" + w.env.network + "\"",
          e.msg());
      assertTrue(e.details().contains(cache.resolve("results").toString()), e.details());
      assertEquals(before, stateOf(w, "pod-a", c1, cache));
      assertEquals(hostLinks, BridgeEnv.linkNames(w.env.hostNs));
      assertIntactThenDelete(w, cni, list, "pod-a", c1);
    }
  }

  @ParameterizedTest(name = "inline={0}")
  @ValueSource(booleans = {true, false})
  void aRetryFromANewNamespaceNeitherFreesNorSharesTheAddress(boolean inline) throws Exception {
    try (World w = new World(inline)) {
      Path cache = w.cache("cache");
      CniConfig cni = w.cni(cache);
      NetworkConfigList list = w.list();
      TestNetns c1 = w.env.container();
      Result100 first = add(cni, list, "pod-a", c1);
      String before = stateOf(w, "pod-a", c1, cache);

      TestNetns c2 = w.env.container();
      CniException e = assertThrows(CniException.class, () -> add(cni, list, "pod-a", c2));
      assertEquals(4, e.code());
      assertEquals(before, stateOf(w, "pod-a", c1, cache));
      assertEquals(List.of("lo"), BridgeEnv.linkNames(c2));

      // The next pod must not get the first one's address.
      TestNetns c3 = w.env.container();
      Result100 next = add(cni, list, "pod-b", c3);
      assertNotEquals(ipOf(first), ipOf(next));
      cni.delNetworkList(list, RuntimeConf.of("pod-b", c3.path(), "eth0"));
      assertIntactThenDelete(w, cni, list, "pod-a", c1);
    }
  }

  @ParameterizedTest(name = "inline={0}")
  @ValueSource(booleans = {true, false})
  void aSecondNetworkWithTheSameIdAndInterfaceIsRefused(boolean inline) throws Exception {
    try (World w = new World(inline)) {
      Path cache = w.cache("cache");
      CniConfig cni = w.cni(cache);
      NetworkConfigList list = w.list();
      NetworkConfigList other = w.list(w.env.network + "o", w.env.bridge + "o", "10.243.1.0/24");
      TestNetns c1 = w.env.container();
      add(cni, list, "pod-a", c1);
      String before = stateOf(w, "pod-a", c1, cache);

      CniException e = assertThrows(CniException.class, () -> add(cni, other, "pod-a", c1));
      assertEquals(4, e.code());
      assertTrue(e.msg().endsWith("attached to network \"" + w.env.network + "\""), e.msg());
      assertEquals(before, stateOf(w, "pod-a", c1, cache));
      assertEquals(-1, BridgeEnv.linkNames(w.env.hostNs).indexOf(w.env.bridge + "o"));
      assertIntactThenDelete(w, cni, list, "pod-a", c1);
    }
  }

  @ParameterizedTest(name = "inline={0}")
  @ValueSource(booleans = {true, false})
  void anAttachmentTheCacheDoesNotKnowIsNotTouchedByTheRollback(boolean inline) throws Exception {
    try (World w = new World(inline)) {
      Path cacheA = w.cache("cache-a");
      CniConfig made = w.cni(cacheA);
      NetworkConfigList list = w.list();
      TestNetns c1 = w.env.container();
      add(made, list, "pod-a", c1);
      String before = stateOf(w, "pod-a", c1, cacheA);

      // Another runtime, with a cache of its own, retries the same container from a new namespace: host-local
      // refuses the duplicate, and the bridge's undo must not release pod-a's address or rules.
      CniConfig stranger = w.cni(w.cache("cache-b"));
      TestNetns c2 = w.env.container();
      CniException dup = assertThrows(CniException.class, () -> add(stranger, list, "pod-a", c2));
      assertTrue(dup.getMessage().contains("duplicate allocation is not allowed"), dup.getMessage());
      assertEquals(before, stateOf(w, "pod-a", c1, cacheA));

      // ... and a second network in pod-a's own namespace: the bridge fails on the existing eth0, and no DEL may
      // reach pod-a's eth0, address or rules.
      NetworkConfigList other = w.list(w.env.network + "o", w.env.bridge + "o", "10.243.1.0/24");
      CniException clash = assertThrows(CniException.class, () -> add(stranger, other, "pod-a", c1));
      assertTrue(clash.getMessage().contains("already exists"), clash.getMessage());
      assertEquals(before, stateOf(w, "pod-a", c1, cacheA));
      if (inline) {
        assertEquals(List.of("lo"), BridgeEnv.linkNames(c2));
      }
      assertIntactThenDelete(w, made, list, "pod-a", c1);
    }
  }
}
