package io.jcni.plugins.internal.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.plugins.skel.Skel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both new plugins are discovered like bridge and host-local, and run as CNI executables through Skel. */
class SkelLoopbackTest {
  @Test
  void registeredForDiscovery() {
    PluginRegistry r = PluginRegistry.discover();
    assertTrue(r.has("loopback"));
    assertTrue(r.has("tuning"));
  }

  @RequiresCapabilities
  @Test
  void addThroughSkel() throws Exception {
    try (TestNetns ns = TestNetns.create("lo-skel")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"t\",\"type\":\"loopback\"}";
      int rc = Skel.run(new LoopbackPlugin(), Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_NETNS",
          ns.path(), "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"),
          new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)), out, new ByteArrayOutputStream());
      assertEquals(0, rc, out.toString(StandardCharsets.UTF_8));
      assertEquals("127.0.0.1/8", new ObjectMapper().readTree(out.toByteArray()).at("/ips/0/address").asText());
      assertTrue(ns.ip("-j", "link", "show", "lo").contains("\"UP\""));
    }
  }
}
