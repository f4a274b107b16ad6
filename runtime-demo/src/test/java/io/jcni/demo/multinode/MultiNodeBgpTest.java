package io.jcni.demo.multinode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.demo.DemoTcp;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pods on three nodes reach each other through routes that BIRD carries over iBGP: each node's jcni attaches its
 * pods, its daemon announces their routes, and the other nodes' kernels get them. The oracle for routes is each
 * node's {@code ip -j route}; for reachability a TCP exchange between pods.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/sbin/bird", "/usr/sbin/birdc", "/usr/lib/cni/ptp", "/usr/lib/cni/host-local"})
class MultiNodeBgpTest {
  /** The pod network under test; a routed attachment with one host route per pod. */
  static final NodeNetwork NETWORK = NodeNetwork.JCNI_ROUTED;

  static List<NodeNetwork> networks() {
    return List.of(NodeNetwork.JCNI_ROUTED, NodeNetwork.GO_PTP, NodeNetwork.JCNI_BRIDGE);
  }

  /** Also on jcni's in-process bridge, where BGP carries each node's whole pod CIDR (as {@code jcni demo}). */
  @ParameterizedTest
  @MethodSource("networks")
  void podsOnDifferentNodesExchangeTcp(NodeNetwork network) throws Exception {
    try (Cluster c = Cluster.create(network, 3)) {
      Pod a = c.addPod(c.node(1));
      Pod b = c.addPod(c.node(3));
      Cluster.awaitRoute(c.node(3), c.routeTo(a), true);
      Cluster.awaitRoute(c.node(1), c.routeTo(b), true);
      // the learned route leads to the pod's node over the underlay
      assertEquals(c.node(1).address(), c.node(3).routes().get(c.routeTo(a)).path("gateway").asText());
      assertEquals("bird", c.node(3).routes().get(c.routeTo(a)).path("protocol").asText());

      DemoTcp.Exchange ex = DemoTcp.exchange(a.handle(), a.ip(), b.handle(), "hello from " + b.id(), "back: ");
      assertEquals("hello from " + b.id(), ex.received());
      assertEquals("back: hello from " + b.id(), ex.reply());
    }
  }

  @Test
  void deletingAPodWithdrawsItsRouteOnEveryOtherNode() throws Exception {
    try (Cluster c = Cluster.create(NETWORK, 3)) {
      List<Pod> pods = new ArrayList<>();
      for (Node n : c.nodes()) {
        pods.add(c.addPod(n));
      }
      for (Pod p : pods) {
        for (Node n : c.nodes()) {
          if (n != p.node()) {
            Cluster.awaitRoute(n, c.routeTo(p), true);
          }
        }
      }
      Pod gone = pods.get(1);
      c.deletePod(gone);
      for (Node n : c.nodes()) {
        Cluster.awaitRoute(n, c.routeTo(gone), false);
      }
      // the other pods keep their routes everywhere
      for (Pod p : List.of(pods.get(0), pods.get(2))) {
        for (Node n : c.nodes()) {
          assertTrue(n.routes().containsKey(c.routeTo(p)), n + " lost the route to " + p);
        }
      }
    }
  }

  /**
   * Reports (does not assert) how long a pod's route takes to reach every other node after its ADD returns, and
   * to leave them after its DEL returns, polling {@code ip -j route} every 10 ms.
   */
  @Test
  void routePropagationIsReported() throws Exception {
    int rounds = 12;
    List<Long> add = new ArrayList<>();
    List<Long> propagate = new ArrayList<>();
    List<Long> withdraw = new ArrayList<>();
    try (Cluster c = Cluster.create(NETWORK, 3)) {
      for (int i = 0; i < rounds; i++) {
        Node home = c.node(1 + i % 3);
        long t0 = System.nanoTime();
        Pod p = c.addPod(home);
        long added = System.nanoTime();
        long seen = added;
        for (Node n : c.nodes()) {
          if (n != home) {
            seen = Math.max(seen, Cluster.awaitRoute(n, c.routeTo(p), true));
          }
        }
        add.add(added - t0);
        propagate.add(seen - added);
        if (i % 2 == 1) {
          c.deletePod(p);
          long deleted = System.nanoTime();
          long gone = deleted;
          for (Node n : c.nodes()) {
            gone = Math.max(gone, Cluster.awaitRoute(n, c.routeTo(p), false));
          }
          withdraw.add(gone - deleted);
        }
      }
    }
    System.out.println("route propagation over BGP, " + NETWORK + ", 3 nodes: ADD " + ms(add)
        + "; ADD returned -> route on both other nodes " + ms(propagate) + "; DEL returned -> route gone everywhere "
        + ms(withdraw));
    assertEquals(rounds, propagate.size());
  }

  /** "p50 X ms, max Y ms (n=N)" of nanosecond samples. */
  static String ms(List<Long> nanos) {
    List<Long> s = nanos.stream().sorted().toList();
    return String.format("p50 %.1f ms, max %.1f ms (n=%d)", s.get(s.size() / 2) / 1e6, s.get(s.size() - 1) / 1e6,
        s.size());
  }

  @Test
  void closingTheClusterLeavesNoDaemonNamespaceOrFile() throws Exception {
    Cluster c = Cluster.create(NETWORK, 3);
    List<String> names;
    try {
      c.addPod(c.node(2));
      names = c.namespaceNames();
      assertTrue(c.leftovers().size() > names.size(), "a running cluster shows up as leftovers: " + c.leftovers());
    } finally {
      c.close();
    }
    assertEquals(List.of(), c.leftovers());
    String listed = io.jcni.libcni.testing.TestNetns.run("ip", "netns", "list");
    for (String n : names) {
      assertTrue(!listed.contains(n), n + " still listed by ip netns list");
    }
  }
}
