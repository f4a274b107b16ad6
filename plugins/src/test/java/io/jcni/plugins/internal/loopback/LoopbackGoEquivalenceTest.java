package io.jcni.plugins.internal.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-process loopback plugin against Debian's Go {@code loopback}: lo state (ip -j), results, CHECK, DEL. */
class LoopbackGoEquivalenceTest {
  private static final String GO = "/usr/lib/cni/loopback";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PluginContext NONE = (c, t, a) -> {
    throw new CniException(999, "unexpected delegation");
  };
  private final LoopbackPlugin plugin = new LoopbackPlugin();

  private static CmdArgs args(String netns, String conf) {
    return new CmdArgs("c1", netns, "eth0", "", List.of("/usr/lib/cni"), conf.getBytes(StandardCharsets.UTF_8));
  }

  /** Runs the Go plugin; returns stdout, or throws its error. */
  private static byte[] go(String command, CmdArgs a) throws Exception {
    return GoPlugin.of("loopback").run(io.jcni.libcni.spi.Command.valueOf(command), a).orThrow();
  }

  private static String loFlags(TestNetns ns) throws Exception {
    JsonNode lo = JSON.readTree(ns.ip("-j", "addr", "show", "lo")).get(0);
    return lo.path("flags") + " " + lo.path("addr_info").size();
  }

  /** Debian's Go prints an empty "dns": {} in 1.x results; current upstream leaves it out. */
  private static JsonNode withoutEmptyDns(byte[] out) throws Exception {
    ObjectNode n = (ObjectNode) JSON.readTree(out);
    if (n.path("dns").isEmpty()) {
      n.remove("dns");
    }
    return n;
  }

  @RequiresCapabilities
  @RequiresExecutable(GO)
  @Test
  void addCheckDelAsGo() throws Exception {
    try (TestNetns goNs = TestNetns.create("lo-go"); TestNetns ourNs = TestNetns.create("lo-j")) {
      for (String v : List.of("0.3.1", "0.4.0", "1.0.0")) {
        String c = "{\"cniVersion\":\"" + v + "\",\"name\":\"t\",\"type\":\"loopback\"}";
        byte[] g = go("ADD", args(goNs.path(), c));
        byte[] ours = plugin.add(args(ourNs.path(), c), NONE);
        assertEquals(loFlags(goNs), loFlags(ourNs));
        ObjectNode expected = (ObjectNode) withoutEmptyDns(g);
        expected.withArray("interfaces").forEach(i -> ((ObjectNode) i).put("sandbox", ourNs.path()));
        assertEquals(expected, withoutEmptyDns(ours), v);
        boolean checkable = !v.startsWith("0.3"); // CHECK came with 0.4.0
        if (checkable) {
          go("CHECK", args(goNs.path(), c));
          plugin.check(args(ourNs.path(), c), NONE);
        }

        go("DEL", args(goNs.path(), c));
        plugin.del(args(ourNs.path(), c), NONE);
        assertEquals(loFlags(goNs), loFlags(ourNs));
        if (!checkable) {
          continue;
        }
        CniException goCheck = assertThrows(CniException.class, () -> go("CHECK", args(goNs.path(), c)));
        CniException ourCheck = assertThrows(CniException.class, () -> plugin.check(args(ourNs.path(), c), NONE));
        assertEquals(goCheck.getMessage(), ourCheck.getMessage());
        assertEquals("loopback interface is down", ourCheck.getMessage());
      }
    }
  }

  @RequiresCapabilities
  @RequiresExecutable(GO)
  @Test
  void prevResultPassesThrough() throws Exception {
    try (TestNetns ns = TestNetns.create("lo-p")) {
      String c = "{\"cniVersion\":\"0.4.0\",\"name\":\"t\",\"type\":\"loopback\",\"prevResult\":{\"cniVersion\":"
          + "\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.2/24\"}]}}";
      assertEquals(JSON.readTree(go("ADD", args(ns.path(), c))), JSON.readTree(plugin.add(args(ns.path(), c), NONE)));
    }
  }

  @RequiresExecutable(GO)
  @Test
  void delWithoutNamespaceSucceedsAndCheckFailsAsGo() throws Exception {
    String c = "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"loopback\"}";
    String gone = "/var/run/netns/jt-never-made";
    go("DEL", args(gone, c));
    plugin.del(args(gone, c), NONE);
    plugin.del(args("", c), NONE);
    CniException g = assertThrows(CniException.class, () -> go("CHECK", args(gone, c)));
    CniException ours = assertThrows(CniException.class, () -> plugin.check(args(gone, c), NONE));
    assertEquals(g.getMessage(), ours.getMessage());
    g = assertThrows(CniException.class, () -> go("ADD", args(gone, c)));
    ours = assertThrows(CniException.class, () -> plugin.add(args(gone, c), NONE));
    assertEquals(g.getMessage(), ours.getMessage());
    assertEquals(g.code(), ours.code());
  }
}
