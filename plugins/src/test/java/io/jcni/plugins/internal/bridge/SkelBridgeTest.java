package io.jcni.plugins.internal.bridge;

import static io.jcni.plugins.internal.bridge.BridgeAddDelTest.ipam;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bridge as a CNI executable: found through META-INF/services and run by Skel in its own JVM. */
class SkelBridgeTest {

  @Test
  void registeredAsAService() {
    assertTrue(PluginRegistry.discover().lookup("bridge").orElseThrow() instanceof BridgePlugin);
  }

  /** Runs {@code java … Skel bridge} inside the host namespace, exactly as a runtime would exec a plugin. */
  private static String[] skel(BridgeEnv env, String command, String netns, String conf) throws Exception {
    return skel(env, command, netns, conf, GoPlugin.DIR);
  }

  /** {@link #skel(BridgeEnv, String, String, String)} with another {@code CNI_PATH}. */
  private static String[] skel(BridgeEnv env, String command, String netns, String conf, String cniPath)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", env.hostNs.name()));
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.jcni.plugins.skel.Skel", "bridge"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("CNI_"));
    e.putAll(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "skel-1", "CNI_NETNS", netns, "CNI_IFNAME", "eth0",
        "CNI_PATH", cniPath));
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(conf.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new String[] {String.valueOf(p.waitFor()), out};
  }

  @Test
  @RequiresCapabilities
  void addAndDelThroughTheExecutable() throws Exception {
    try (BridgeEnv env = BridgeEnv.create()) {
      TestNetns c = env.container();
      String conf = env.conf("1.0.0", "{\"isDefaultGateway\":true,\"ipMasq\":true,\"ipam\":" + ipam("10.240.0.0/24") + "}");
      String[] add = skel(env, "ADD", c.path(), conf);
      assertEquals("0", add[0], add[1]);
      JsonNode r = BridgeEnv.JSON.readTree(add[1]);
      assertEquals("10.240.0.2/24", r.path("ips").get(0).path("address").asText());
      assertEquals(List.of("10.240.0.2/24"), KernelState.cidrs(c, "eth0", true));
      assertTrue(KernelState.iptablesNat(env.hostNs, false).contains("-s 10.240.0.2/32"));

      String[] del = skel(env, "DEL", c.path(), BridgeEnv.withPrev(conf, r));
      assertEquals("0", del[0], del[1]);
      assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
      assertEquals(List.of(), env.reserved());
      assertEquals(-1, KernelState.iptablesNat(env.hostNs, false).indexOf("CNI-"));

      String[] bad = skel(env, "ADD", c.path(), env.conf("1.0.0", "{\"vlan\":5000}"));
      assertEquals("1", bad[0]);
      assertEquals("invalid VLAN ID 5000 (must be between 0 and 4094)",
          BridgeEnv.JSON.readTree(bad[1]).path("msg").asText());
    }
  }

  /** host-local is in the registry, so the bridge runs it in-process: CNI_PATH holds no plugin at all. */
  @Test
  @RequiresCapabilities
  void ipamOfAnInProcessTypeRunsInProcess() throws Exception {
    try (BridgeEnv env = BridgeEnv.create()) {
      TestNetns c = env.container();
      String conf = env.conf("1.0.0", "{\"ipam\":" + ipam("10.240.1.0/24") + "}");
      String[] add = skel(env, "ADD", c.path(), conf, "/nonexistent");
      assertEquals("0", add[0], add[1]);
      assertEquals(List.of("10.240.1.2/24"), KernelState.cidrs(c, "eth0", true));
      assertEquals(List.of("10.240.1.2"), env.reserved());
      String[] del = skel(env, "DEL", c.path(), conf, "/nonexistent");
      assertEquals("0", del[0], del[1]);
      assertEquals(List.of(), env.reserved());
    }
  }
}
