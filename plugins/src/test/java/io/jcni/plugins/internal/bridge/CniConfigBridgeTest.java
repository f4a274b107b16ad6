package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.CniConfig;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.hostlocal.HostLocalPlugin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bridge as a runtime uses it: through libcni's {@link CniConfig} with a conflist, inline or with its IPAM
 * exec'd, including the result cache and the façade's rollback of a failed ADD.
 */
@RequiresCapabilities
class CniConfigBridgeTest {

  private static NetworkConfigList list(BridgeEnv env, String version, String ipamExtra) throws Exception {
    String conflist = "{\"cniVersion\":\"" + version + "\",\"name\":\"" + env.network + "\",\"plugins\":[{\"type\":"
        + "\"bridge\",\"bridge\":\"" + env.bridge + "\",\"isDefaultGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":"
        + "\"host-local\",\"dataDir\":\"" + env.dataDir + "\"" + ipamExtra + "}}]}";
    return ConfLoader.confListFromBytes(conflist.getBytes(StandardCharsets.UTF_8));
  }

  private static CniConfig cni(BridgeEnv env, Path cache, Set<String> inline) {
    PluginRegistry registry = PluginRegistry.empty().register(env.plugin).register(new HostLocalPlugin());
    return CniConfig.builder().path(List.of(GoPlugin.DIR)).cacheDir(cache).inline(registry, inline::contains).build();
  }

  @Test
  void addCheckDelThroughLibcni() throws Exception {
    for (Set<String> inline : List.of(Set.of("bridge", "host-local"), Set.of("bridge"))) {
      try (BridgeEnv env = BridgeEnv.create()) {
        Path cache = Files.createTempDirectory(env.dataDir, "cache");
        // Debian's Go host-local speaks at most 1.0.0
        String version = inline.contains("host-local") ? "1.1.0" : "1.0.0";
        NetworkConfigList list = list(env, version, ",\"subnet\":\"10.241.0.0/24\"");
        CniConfig cni = cni(env, cache, inline);
        TestNetns c = env.container();
        RuntimeConf rt = RuntimeConf.of("lib-1", c.path(), "eth0");

        JsonNode r = BridgeEnv.JSON.readTree(cni.addNetworkList(list, rt).toJson());
        assertEquals(version, r.path("cniVersion").asText());
        assertEquals("10.241.0.2/24", r.path("ips").get(0).path("address").asText(), inline.toString());
        assertEquals(List.of("10.241.0.2/24"), KernelState.cidrs(c, "eth0", true));
        try (Stream<Path> files = Files.list(cache.resolve("results"))) {
          assertEquals(List.of(env.network + "-lib-1-eth0"), files.map(p -> p.getFileName().toString()).toList());
        }
        cni.checkNetworkList(list, rt);
        cni.delNetworkList(list, rt);
        assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
        assertEquals(List.of(), env.reserved());
        assertEquals(-1, KernelState.iptablesNat(env.hostNs, false).indexOf("CNI-"));
      }
    }
  }

  @Test
  void aFailedAddLeavesNothingThroughLibcniEither() throws Exception {
    try (BridgeEnv env = BridgeEnv.create()) {
      Path cache = Files.createTempDirectory(env.dataDir, "cache");
      // a range of one address: the second ADD finds the pool exhausted
      NetworkConfigList list = list(env, "1.1.0",
          ",\"subnet\":\"10.242.0.0/24\",\"rangeStart\":\"10.242.0.7\",\"rangeEnd\":\"10.242.0.7\"");
      CniConfig cni = cni(env, cache, Set.of("bridge", "host-local"));
      TestNetns c1 = env.container();
      cni.addNetworkList(list, RuntimeConf.of("one", c1.path(), "eth0"));
      List<String> host = BridgeEnv.linkNames(env.hostNs);
      String nat = KernelState.iptablesNat(env.hostNs, false).replaceAll("(?m)^#.*$", "");

      TestNetns c2 = env.container();
      CniException e = assertThrows(CniException.class,
          () -> cni.addNetworkList(list, RuntimeConf.of("two", c2.path(), "eth0")));
      assertTrue(e.getMessage().contains("no IP addresses available"), e.getMessage());
      assertEquals(List.of("lo"), BridgeEnv.linkNames(c2));
      assertEquals(host, BridgeEnv.linkNames(env.hostNs));
      assertEquals(List.of("10.242.0.7"), env.reserved());
      assertEquals(nat, KernelState.iptablesNat(env.hostNs, false).replaceAll("(?m)^#.*$", ""));
      try (Stream<Path> files = Files.list(cache.resolve("results"))) {
        assertEquals(List.of(env.network + "-one-eth0"), files.map(p -> p.getFileName().toString()).toList());
      }
    }
  }
}
