package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What the bridge has done when it hands over to IPAM, as in Go: the host end of the veth is up and a port of the
 * bridge, and the container end is still down. An IPAM plugin such as dhcp brings the container end up itself and
 * needs the path through the bridge; a gratuitous ARP sent when the container end comes up needs it too.
 */
@RequiresCapabilities
class IpamOrderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theHostEndIsUpBeforeIpamRuns() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    String[] hostNs = new String[1];
    String[] bridge = new String[1];
    String[] container = new String[1];
    ScriptedIpam looking = new ScriptedIpam("jt-looking-ipam", a -> {
      try {
        for (JsonNode l : JSON.readTree(TestNetns.run("ip", "-j", "-n", hostNs[0], "link", "show", "master",
            bridge[0]))) {
          seen.add("host " + l.path("ifname").asText() + " " + l.path("flags"));
        }
        for (JsonNode l : JSON.readTree(TestNetns.run("ip", "-j", "-n", container[0], "link", "show", "eth0"))) {
          seen.add("container " + l.path("flags"));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.227.9.2/24\",\"gateway\":\"10.227.9.1\"}]}";
    }, a -> { });
    try (BridgeEnv env = BridgeEnv.create(new TestContext(Map.of("jt-looking-ipam", looking)))) {
      TestNetns c = env.container();
      hostNs[0] = env.hostNs.name();
      bridge[0] = env.bridge;
      container[0] = c.name();
      String conf = env.conf("1.0.0", "{\"ipam\":{\"type\":\"jt-looking-ipam\"}}");
      env.add(BridgeEnv.args("o1", c.path(), "eth0", conf));
      List<String> hosts = new ArrayList<>(seen.stream().filter(s -> s.startsWith("host ")).toList());
      assertEquals(1, hosts.size(), seen.toString());
      assertTrue(hosts.get(0).matches("host veth[0-9a-f]{8} .*\"UP\".*"), seen.toString());
      List<String> conts = seen.stream().filter(s -> s.startsWith("container ")).toList();
      assertEquals(1, conts.size(), seen.toString());
      assertTrue(!conts.get(0).contains("\"UP\""), "container end still down: " + seen);
    }
  }
}
