package io.jcni.plugins.internal.firewall;

import static io.jcni.plugins.internal.firewall.FirewallRig.JSON;
import static io.jcni.plugins.internal.firewall.FirewallRig.NO_DELEGATION;
import static io.jcni.plugins.internal.firewall.FirewallRig.args;
import static io.jcni.plugins.internal.firewall.FirewallRig.conf;
import static io.jcni.plugins.internal.firewall.FirewallRig.filter;
import static io.jcni.plugins.internal.firewall.FirewallRig.go;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.LaunchGuard;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * jcni's firewall against Debian's Go firewall (1.1.1), each in its own throw-away host namespace, with the
 * prevResult of a real Go bridge ADD (dual stack): identical filter tables after ADD, DEL across implementations,
 * DEL twice and without a namespace, CHECK.
 */
@RequiresCapabilities
@RequiresExecutable(FirewallRig.GO_DIR + "/firewall")
class FirewallGoEquivalenceTest {
  @RegisterExtension
  final TestNetnsPool namespaces = new TestNetnsPool();
  @TempDir
  Path dataDir;

  private JsonNode prevResult;
  /** CNI_NETNS for ADD and CHECK (skel requires one; the firewall never enters it). */
  private String netns;

  @BeforeEach
  void bridgeAdd() throws Exception {
    TestNetns brHost = namespaces.create("fwbr");
    TestNetns cont = namespaces.create("fwc");
    String out = go(brHost.name(), "bridge", "ADD", cont.path(), FirewallRig.bridgeConf("jtfw0",
        "[[{\"subnet\":\"10.231.0.0/24\"}],[{\"subnet\":\"fd00:231::/64\"}]]", dataDir));
    prevResult = JSON.readTree(out);
    netns = cont.path();
    assertEquals(2, prevResult.path("ips").size(), out);
  }

  @Test
  void addMakesTheSameTablesAndResultAsGo() throws Exception {
    TestNetns goHost = namespaces.create("fwgo");
    TestNetns jHost = namespaces.create("fwj");
    String conf = conf("", prevResult);
    String goOut = go(goHost.name(), "firewall", "ADD", netns, conf);
    byte[] jOut;
    try (NetNs host = FirewallRig.open(jHost)) {
      jOut = FirewallRig.jcni(host).add(args(netns, conf), NO_DELEGATION);
    }
    // The result is the prevResult; Debian's Go (cni 1.1.x types) prints an empty "dns":{}, which current cni
    // types (and jcni's Result100) leave out.
    com.fasterxml.jackson.databind.node.ObjectNode expected =
        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(goOut);
    if (expected.path("dns").isEmpty()) {
      expected.remove("dns");
    }
    assertEquals(expected, JSON.readTree(jOut));
    for (boolean v6 : new boolean[] {false, true}) {
      String table = filter(jHost, v6);
      assertEquals(filter(goHost, v6), table);
      assertTrue(table.contains("-A CNI-FORWARD -s " + (v6 ? "fd00:231::2/128" : "10.231.0.2/32") + " -j ACCEPT"),
          table);
    }
  }

  @Test
  void addTwiceChangesNothing() throws Exception {
    TestNetns jHost = namespaces.create("fwj");
    String conf = conf("\"iptablesAdminChainName\":\"JT-ADMIN\"", prevResult);
    try (NetNs host = FirewallRig.open(jHost)) {
      FirewallPlugin p = FirewallRig.jcni(host);
      p.add(args(netns, conf), NO_DELEGATION);
      String once = filter(jHost, false);
      assertTrue(once.contains("-j JT-ADMIN"), once);
      p.add(args(netns, conf), NO_DELEGATION);
      assertEquals(once, filter(jHost, false));
    }
  }

  /** Go ADD → jcni DEL, jcni ADD → Go DEL: both leave what Go ADD → Go DEL leaves; DEL again changes nothing. */
  @Test
  void delAcrossImplementations() throws Exception {
    TestNetns goGo = namespaces.create("fwgg");
    TestNetns goJ = namespaces.create("fwgj");
    TestNetns jGo = namespaces.create("fwjg");
    String conf = conf("", prevResult);
    go(goGo.name(), "firewall", "ADD", netns, conf);
    go(goGo.name(), "firewall", "DEL", "", conf);
    go(goJ.name(), "firewall", "ADD", netns, conf);
    try (NetNs a = FirewallRig.open(goJ); NetNs b = FirewallRig.open(jGo)) {
      assertNotEquals(filter(goGo, false), filter(goJ, false));
      FirewallRig.jcni(a).del(args("", conf), NO_DELEGATION);
      FirewallRig.jcni(b).add(args(netns, conf), NO_DELEGATION);
      go(jGo.name(), "firewall", "DEL", "", conf);
      for (boolean v6 : new boolean[] {false, true}) {
        assertEquals(filter(goGo, v6), filter(goJ, v6));
        assertEquals(filter(goGo, v6), filter(jGo, v6));
      }
      // DEL twice, and with CNI_NETNS gone (a path that does not exist)
      FirewallRig.jcni(a).del(args("/var/run/netns/jt-fw-gone", conf), NO_DELEGATION);
      FirewallRig.jcni(a).del(args("", conf), NO_DELEGATION);
      assertEquals(filter(goGo, false), filter(goJ, false));
      assertEquals(filter(goGo, true), filter(goJ, true));
    }
  }

  /**
   * A dual-stack ADD and DEL next to a container Go added launch no program (both families read and written over
   * nf_tables from this process), give the tables Go's own ADD and DEL give, and leave Go's container's rules.
   */
  @Test
  void dualStackAddAndDelLaunchNothing() throws Exception {
    TestNetns goHost = namespaces.create("fwgo");
    TestNetns jHost = namespaces.create("fwj");
    String confA = conf("", prevResult);
    String confB = confA.replace("10.231.0.2/", "10.231.0.3/").replace("fd00:231::2/", "fd00:231::3/");
    go(goHost.name(), "firewall", "ADD", netns, confA);
    go(jHost.name(), "firewall", "ADD", netns, confA);
    String[] goOnlyA = {filter(goHost, false), filter(goHost, true)};
    go(goHost.name(), "firewall", "ADD", "fwtest-2", netns, confB);
    try (NetNs host = FirewallRig.open(jHost)) {
      LaunchGuard guard = new LaunchGuard(host).forbid();
      FirewallPlugin p = new FirewallPlugin(guard, () -> false);
      p.add(args(netns, confB), NO_DELEGATION);
      for (boolean v6 : new boolean[] {false, true}) {
        assertEquals(filter(goHost, v6), filter(jHost, v6));
        assertTrue(filter(jHost, v6).contains(v6 ? "fd00:231::3/128" : "10.231.0.3/32"));
      }
      assertEquals(1, guard.commits(), "both families' rules in one transaction");
      p.del(args("", confB), NO_DELEGATION);
      assertEquals(goOnlyA[0], filter(jHost, false));
      assertEquals(goOnlyA[1], filter(jHost, true));
      assertEquals(2, guard.commits(), "DEL: both families in one transaction");
      assertEquals(java.util.List.of(), guard.forbidden());
    }
  }

  /**
   * Where rules go through programs and another process makes a shared chain (with a rule) between this ADD's
   * read and its making of that chain, the chain counts as made and is not flushed: the other process's rule
   * stays.
   */
  @Test
  void aChainAnotherAddMakesMeanwhileIsNotFlushed() throws Exception {
    TestNetns jHost = namespaces.create("fwj");
    try (NetNs host = FirewallRig.open(jHost)) {
      FirewallExec real = FirewallExec.in(host);
      AtomicBoolean raced = new AtomicBoolean();
      FirewallExec racing = (argv, stdin) -> {
        if (argv.equals(java.util.List.of("iptables", "-w", "-t", "filter", "-N", "CNI-FORWARD"))
            && raced.compareAndSet(false, true)) {
          try {
            jHost.exec("iptables", "-w", "-N", "CNI-FORWARD");
            jHost.exec("iptables", "-w", "-A", "CNI-FORWARD", "-s", "10.231.9.9/32", "-j", "ACCEPT");
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return real.run(argv, stdin);
      };
      new FirewallPlugin(racing, () -> false).add(args(netns, conf("", prevResult)), NO_DELEGATION);
      assertTrue(raced.get());
      String table = filter(jHost, false);
      assertTrue(table.contains("-A CNI-FORWARD -s 10.231.9.9/32 -j ACCEPT"), table);
      assertTrue(table.contains("-A CNI-FORWARD -d 10.231.0."), table);
    }
  }

  /** DEL without a prevResult has no addresses to remove: it succeeds and changes nothing, as Go's. */
  @Test
  void delWithoutPrevResult() throws Exception {
    TestNetns jHost = namespaces.create("fwj");
    try (NetNs host = FirewallRig.open(jHost)) {
      FirewallPlugin p = FirewallRig.jcni(host);
      p.add(args(netns, conf("", prevResult)), NO_DELEGATION);
      String before = filter(jHost, false);
      p.del(args("", conf("", null)), NO_DELEGATION);
      assertEquals(before, filter(jHost, false));
    }
  }

  /** CHECK passes on either implementation's state and fails, with Go's text, once a container rule is gone. */
  @Test
  void checkAsGo() throws Exception {
    TestNetns jHost = namespaces.create("fwj");
    String conf = conf("", prevResult);
    try (NetNs host = FirewallRig.open(jHost)) {
      FirewallPlugin p = FirewallRig.jcni(host);
      p.add(args(netns, conf), NO_DELEGATION);
      p.check(args(netns, conf), NO_DELEGATION);
      go(jHost.name(), "firewall", "CHECK", netns, conf);

      TestNetns.run("ip", "netns", "exec", jHost.name(), "iptables", "-D", "CNI-FORWARD", "-s", "10.231.0.2/32",
          "-j", "ACCEPT");
      CniException goErr = assertThrows(CniException.class, () -> go(jHost.name(), "firewall", "CHECK", netns, conf));
      CniException jErr = assertThrows(CniException.class, () -> p.check(args(netns, conf), NO_DELEGATION));
      assertEquals(goErr.msg(), jErr.msg());
      assertEquals("expected rule [-s 10.231.0.2/32 -j ACCEPT] not found", jErr.msg());

      TestNetns.run("ip", "netns", "exec", jHost.name(), "iptables", "-D", "FORWARD", "-m", "comment",
          "--comment", "CNI firewall plugin rules", "-j", "CNI-FORWARD");
      goErr = assertThrows(CniException.class, () -> go(jHost.name(), "firewall", "CHECK", netns, conf));
      jErr = assertThrows(CniException.class, () -> p.check(args(netns, conf), NO_DELEGATION));
      assertEquals(goErr.msg(), jErr.msg());
    }
  }

  @Test
  void checkWithoutPrevResultFailsAsGo() throws Exception {
    TestNetns jHost = namespaces.create("fwj");
    String conf = conf("", null);
    CniException goErr = assertThrows(CniException.class, () -> go(jHost.name(), "firewall", "CHECK", netns, conf));
    try (NetNs host = FirewallRig.open(jHost)) {
      CniException jErr = assertThrows(CniException.class,
          () -> FirewallRig.jcni(host).check(args(netns, conf), NO_DELEGATION));
      assertEquals(goErr.msg(), jErr.msg());
      assertEquals(goErr.code(), jErr.code());
      CniException addErr = assertThrows(CniException.class,
          () -> FirewallRig.jcni(host).add(args(netns, conf), NO_DELEGATION));
      assertEquals("missing prevResult from earlier plugin", addErr.msg());
    }
  }
}
