package io.jcni.plugins.internal.routed;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.jcni.plugins.internal.attach.AttachEnv;
import io.jcni.plugins.internal.hostlocal.HostLocalPlugin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code jcni-routed} as a runtime uses it on a node: discovered like the other in-process plugins, and run from a
 * conflist through libcni with the plugin bound to a namespace acting as the node.
 */
@RequiresCapabilities
class RoutedConflistTest {
  @Test
  void discoveredWithPtp() {
    PluginRegistry r = PluginRegistry.discover();
    assertTrue(r.has("jcni-routed"));
    assertTrue(r.has("ptp"));
  }

  @Test
  void addCheckDelFromAConflistOnANode() throws Exception {
    try (AttachEnv node = AttachEnv.create()) {
      Path cache = Files.createTempDirectory(node.dataDir, "cache");
      String conflist = "{\"cniVersion\":\"1.1.0\",\"name\":\"" + node.network + "\",\"plugins\":[{\"type\":"
          + "\"jcni-routed\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + node.dataDir + "\",\"subnet\":"
          + "\"10.252.1.0/24\"}}]}";
      NetworkConfigList list = ConfLoader.confListFromBytes(conflist.getBytes(StandardCharsets.UTF_8));
      PluginRegistry registry = PluginRegistry.empty().register(new RoutedPlugin(node.host))
          .register(new HostLocalPlugin());
      CniConfig cni = CniConfig.builder().path(List.of(GoPlugin.DIR)).cacheDir(cache)
          .inline(registry, t -> true).build();
      TestNetns pod = node.container();
      RuntimeConf rt = RuntimeConf.of("pod-1", pod.path(), "eth0");

      JsonNode r = AttachEnv.JSON.readTree(cni.addNetworkList(list, rt).toJson());
      assertEquals("10.252.1.2/32", r.path("ips").get(0).path("address").asText());
      assertEquals("[{\"dst\":\"10.252.1.2\",\"dev\":\"" + r.path("interfaces").get(0).path("name").asText()
          + "\",\"scope\":\"link\",\"flags\":[]}]",
          AttachEnv.ipJson(node.hostNs, "-4", "route", "show", "10.252.1.2").toString());
      cni.checkNetworkList(list, rt);
      cni.delNetworkList(list, rt);
      assertEquals(List.of("lo"), AttachEnv.linkNames(pod));
      assertEquals(List.of("lo"), AttachEnv.linkNames(node.hostNs));
      assertEquals(List.of(), node.reserved());
    }
  }
}
