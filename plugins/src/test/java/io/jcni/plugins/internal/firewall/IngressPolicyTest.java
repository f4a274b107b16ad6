package io.jcni.plugins.internal.firewall;

import static io.jcni.plugins.internal.firewall.FirewallRig.JSON;
import static io.jcni.plugins.internal.firewall.FirewallRig.NO_DELEGATION;
import static io.jcni.plugins.internal.firewall.FirewallRig.args;
import static io.jcni.plugins.internal.firewall.FirewallRig.conf;
import static io.jcni.plugins.internal.firewall.FirewallRig.filter;
import static io.jcni.plugins.internal.firewall.FirewallRig.go;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NetNs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingressPolicy}: the isolation chains against Debian's Go firewall, and real traffic between containers of
 * two bridges (blocked) and of one bridge (allowed).
 */
@RequiresCapabilities
@RequiresExecutable(FirewallRig.GO_DIR + "/firewall")
class IngressPolicyTest {
  private static final int PORT = 7411;
  private static final String SAME_BRIDGE = "\"ingressPolicy\":\"same-bridge\"";

  @RegisterExtension
  final TestNetnsPool namespaces = new TestNetnsPool();
  @TempDir
  Path dataDir;

  /** Bridge ADD of container {@code cid} on {@code bridge} in {@code host}; returns the result. */
  private JsonNode attach(TestNetns host, TestNetns cont, String cid, String bridge, String subnet)
      throws Exception {
    String conf = FirewallRig.bridgeConf(bridge, "[[{\"subnet\":\"" + subnet + "\"}]]", dataDir);
    return JSON.readTree(go(host.name(), "bridge", "ADD", cid, cont.path(), conf));
  }

  /**
   * Whether a TCP connection from {@code from} to a listener in {@code to} at {@code ip} completes; false when the
   * SYN is dropped (the connect times out). The kernel completes the handshake from the backlog, so no accept.
   */
  private static boolean reachable(TestNetns from, TestNetns to, String ip) throws Exception {
    try (NetNs dst = FirewallRig.open(to); NetNs src = FirewallRig.open(from);
        ServerSocket listener = dst.runIn(() -> new ServerSocket(PORT, 8, InetAddress.getByName("0.0.0.0")))) {
      return src.runIn(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(InetAddress.getByName(ip), PORT), 1500);
          return true;
        } catch (SocketTimeoutException e) {
          return false;
        }
      });
    }
  }

  /**
   * Go 1.1.1 and jcni write the same chains and rules, except the comment of the shared rules, which upstream
   * v1.7.0 (plugins#1086, "isolated" policy) changed to "(ingressPolicy: same-bridge|isolated)".
   */
  @Test
  void sameBridgeChainsAsGo() throws Exception {
    TestNetns brHost = namespaces.create("fwbr");
    TestNetns cont = namespaces.create("fwc");
    TestNetns goHost = namespaces.create("fwgo");
    TestNetns jHost = namespaces.create("fwj");
    JsonNode prev = attach(brHost, cont, "c1", "jtfw1", "10.211.0.0/24");
    String conf = conf(SAME_BRIDGE, prev);
    go(goHost.name(), "firewall", "ADD", cont.path(), conf);
    try (NetNs host = FirewallRig.open(jHost)) {
      FirewallRig.jcni(host).add(args(cont.path(), conf), NO_DELEGATION);
      FirewallRig.jcni(host).add(args(cont.path(), conf), NO_DELEGATION); // unique: nothing doubles
    }
    String table = filter(jHost, false);
    assertTrue(table.contains("-A FORWARD -m comment --comment \"CNI firewall plugin rules (ingressPolicy:"
        + " same-bridge|isolated)\" -j CNI-ISOLATION-STAGE-1\n-A FORWARD -m comment --comment \"CNI firewall"
        + " plugin rules\" -j CNI-FORWARD"), table);
    assertTrue(table.contains("-A CNI-ISOLATION-STAGE-1 -i jtfw1 ! -o jtfw1 -m comment --comment \"CNI firewall"
        + " plugin rules (ingressPolicy: same-bridge)\" -j CNI-ISOLATION-STAGE-2"), table);
    assertEquals(filter(goHost, false), table.replace("same-bridge|isolated", "same-bridge"));

    // DEL leaves the per-bridge chains (other containers may use the bridge), as Go's
    try (NetNs host = FirewallRig.open(jHost)) {
      FirewallRig.jcni(host).del(args("", conf), NO_DELEGATION);
    }
    go(goHost.name(), "firewall", "DEL", "", conf);
    assertEquals(filter(goHost, false), filter(jHost, false).replace("same-bridge|isolated", "same-bridge"));
    assertTrue(filter(jHost, false).contains("-o jtfw1 -m comment"));
  }

  /** "isolated" (upstream v1.7.0+) also drops traffic within the bridge; Debian's 1.1.1 does not know it. */
  @Test
  void isolatedAddsTheInBridgeDrop() throws Exception {
    TestNetns brHost = namespaces.create("fwbr");
    TestNetns cont = namespaces.create("fwc");
    TestNetns jHost = namespaces.create("fwj");
    String conf = conf("\"ingressPolicy\":\"isolated\"", attach(brHost, cont, "c1", "jtfw1", "10.212.0.0/24"));
    CniException go = assertThrows(CniException.class, () -> go(jHost.name(), "firewall", "ADD", cont.path(), conf));
    assertTrue(go.msg().contains("unknown ingress policy: \"isolated\""), go.msg());
    try (NetNs host = FirewallRig.open(jHost)) {
      FirewallRig.jcni(host).add(args(cont.path(), conf), NO_DELEGATION);
    }
    String table = filter(jHost, false);
    assertTrue(table.contains("-A CNI-ISOLATION-STAGE-1 -i jtfw1 -o jtfw1 -m comment --comment \"CNI firewall"
        + " plugin rules (ingressPolicy: isolated)\" -j DROP\n-A CNI-ISOLATION-STAGE-1 -i jtfw1 ! -o jtfw1"), table);
  }

  /** A bad policy or a prevResult without interfaces fails before anything is written (Go writes CNI-FORWARD). */
  @Test
  void policyErrorsLeaveNothing() throws Exception {
    TestNetns brHost = namespaces.create("fwbr");
    TestNetns cont = namespaces.create("fwc");
    TestNetns jHost = namespaces.create("fwj");
    JsonNode prev = attach(brHost, cont, "c1", "jtfw1", "10.213.0.0/24");
    String pristine = filter(jHost, false);
    try (NetNs host = FirewallRig.open(jHost)) {
      FirewallPlugin p = FirewallRig.jcni(host);
      CniException e = assertThrows(CniException.class,
          () -> p.add(args(cont.path(), conf("\"ingressPolicy\":\"closed\"", prev)), NO_DELEGATION));
      assertEquals("unknown ingress policy: \"closed\"", e.msg());
      ObjectNode noIfs = prev.deepCopy();
      noIfs.remove("interfaces");
      ((ObjectNode) noIfs.path("ips").get(0)).remove("interface");
      e = assertThrows(CniException.class, () -> p.add(args(cont.path(), conf(SAME_BRIDGE, noIfs)), NO_DELEGATION));
      assertEquals("interface needs to be set for ingress policy \"same-bridge\", make sure to chain \"firewall\""
          + " plugin with \"bridge\"", e.msg());
      CniException goErr = assertThrows(CniException.class,
          () -> go(jHost.name(), "firewall", "ADD", cont.path(), conf(SAME_BRIDGE, noIfs)));
      assertEquals(goErr.msg(), e.msg());
    }
    assertEquals(pristine, filter(jHost, false).replaceAll("(?m)^:CNI-.*\n|^-A .*CNI-.*\n", ""));
  }

  /** Containers on different same-bridge networks cannot reach each other; containers on one bridge can. */
  @Test
  void sameBridgeTraffic() throws Exception {
    TestNetns host = namespaces.create("fwh");
    TestNetns c1 = namespaces.create("fwc1");
    TestNetns c2 = namespaces.create("fwc2");
    TestNetns c3 = namespaces.create("fwc3");
    JsonNode r1 = attach(host, c1, "c1", "jtbr1", "10.221.0.0/24");
    JsonNode r2 = attach(host, c2, "c2", "jtbr1", "10.221.0.0/24");
    JsonNode r3 = attach(host, c3, "c3", "jtbr2", "10.222.0.0/24");
    String ip1 = r1.path("ips").get(0).path("address").asText().split("/")[0];
    String ip3 = r3.path("ips").get(0).path("address").asText().split("/")[0];
    assertTrue(reachable(c3, c1, ip1), "routed between bridges before the firewall");
    assertTrue(reachable(c2, c1, ip1));

    try (NetNs h = FirewallRig.open(host)) {
      FirewallPlugin p = FirewallRig.jcni(h);
      for (TestNetns c : new TestNetns[] {c1, c2, c3}) {
        JsonNode r = c == c1 ? r1 : c == c2 ? r2 : r3;
        p.add(args(c.path(), conf(SAME_BRIDGE, r)), NO_DELEGATION);
      }
    }
    assertFalse(reachable(c3, c1, ip1), "other bridge blocked");
    assertFalse(reachable(c1, c3, ip3), "other bridge blocked");
    assertTrue(reachable(c2, c1, ip1), "same bridge allowed");
  }
}
