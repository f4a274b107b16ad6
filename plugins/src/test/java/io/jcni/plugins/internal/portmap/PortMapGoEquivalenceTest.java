package io.jcni.plugins.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.netfilter.FirewallCommandException;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.LaunchGuard;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The in-process portmap against Debian's Go portmap 1.1.1 in throw-away host namespaces: same nat tables after ADD
 * (both families), DEL across implementations, DEL twice and without a namespace, CHECK, and a real connection.
 */
@RequiresCapabilities
class PortMapGoEquivalenceTest {
  @RegisterExtension final TestNetnsPool pool = new TestNetnsPool();

  private static final String MAPPINGS = "{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
      + "{\"hostPort\":8081,\"containerPort\":81,\"protocol\":\"udp\",\"hostIP\":\"10.201.0.1\"},"
      + "{\"hostPort\":8082,\"containerPort\":82,\"protocol\":\"tcp\",\"hostIP\":\"fd20:201::1\"},"
      + "{\"hostPort\":8083,\"containerPort\":83,\"protocol\":\"tcp\",\"hostIP\":\"0.0.0.0\"}";

  /** Options Debian's 1.1.1 knows; masqAll and backend are newer. */
  private static final List<String> OPTIONS = List.of("", ",\"snat\":false", ",\"markMasqBit\":5",
      ",\"externalSetMarkChain\":\"KUBE-MARK-MASQ\"", ",\"conditionsV4\":[\"-s\",\"10.202.0.0/16\"]");

  @Test
  void addMakesTheNatTablesGoMakes() throws Exception {
    try (PortMapEnv go = new PortMapEnv(pool); PortMapEnv java = new PortMapEnv(pool)) {
      for (String option : OPTIONS) {
        if (option.contains("KUBE-MARK-MASQ")) {
          for (PortMapEnv e : List.of(go, java)) {
            e.iptables("-N", "KUBE-MARK-MASQ");
            e.host.exec("ip6tables", "-w", "-t", "nat", "-N", "KUBE-MARK-MASQ");
          }
        }
        go.go(Command.ADD, go.args("c1", go.conf(option, MAPPINGS)));
        java.plugin.add(java.args("c1", java.conf(option, MAPPINGS)), PortMapEnv.CTX);
        // a second container shares the top-level chains
        go.go(Command.ADD, go.args("c2", go.conf(option, "{\"hostPort\":9090,\"containerPort\":90,\"protocol\":\"udp\"}")));
        java.plugin.add(java.args("c2", java.conf(option, "{\"hostPort\":9090,\"containerPort\":90,\"protocol\":\"udp\"}")),
            PortMapEnv.CTX);
        assertTrue(java.nat(false).contains("CNI-DN-"), option);
        assertEquals(go.nat(), java.nat(), "option " + option);
        assertEquals(go.sysctl("net.ipv4.conf.pmh0.route_localnet"),
            java.sysctl("net.ipv4.conf.pmh0.route_localnet"), option);
        for (PortMapEnv e : List.of(go, java)) {
          for (String c : List.of("c1", "c2")) {
            e.plugin.del(e.args(c, e.conf(option, MAPPINGS)), PortMapEnv.CTX);
          }
          e.host.exec("iptables", "-w", "-t", "nat", "-F");
          e.host.exec("iptables", "-w", "-t", "nat", "-X");
          e.host.exec("ip6tables", "-w", "-t", "nat", "-F");
          e.host.exec("ip6tables", "-w", "-t", "nat", "-X");
          e.host.exec("sh", "-c", "echo 0 > /proc/sys/net/ipv4/conf/pmh0/route_localnet");
        }
      }
    }
  }

  /**
   * After warm-up (the backend probe), a dual-stack ADD and DEL next to a container Go added launch no program,
   * make the nat tables Go's ADD makes, and the DEL leaves exactly Go's container.
   */
  @Test
  void dualStackAddAndDelLaunchNothing() throws Exception {
    try (PortMapEnv go = new PortMapEnv(pool); PortMapEnv java = new PortMapEnv(pool)) {
      String c2 = MAPPINGS.replace("808", "909");
      for (PortMapEnv e : List.of(go, java)) {
        e.go(Command.ADD, e.args("c1", e.conf("", MAPPINGS)));
      }
      String onlyGos = java.nat();
      go.go(Command.ADD, go.args("c2", go.conf("", c2)));
      LaunchGuard guard = new LaunchGuard(java.hostNs);
      PortMapPlugin p = new PortMapPlugin(java.hostNs, guard);
      p.check(java.args("c1", java.conf("", MAPPINGS)), PortMapEnv.CTX); // warm-up: the default backend's probe
      guard.forbid();
      int before = guard.commits();
      p.add(java.args("c2", java.conf("", c2)), PortMapEnv.CTX);
      assertEquals(go.nat(), java.nat());
      assertTrue(java.nat(true).contains("--to-destination [fd20:201::5]:82"), java.nat(true));
      assertEquals(1, guard.commits() - before, "both families' rules in one transaction");
      p.del(java.args("c2", java.conf("", c2)), PortMapEnv.CTX);
      assertEquals(onlyGos, java.nat());
      assertEquals(2, guard.commits() - before, "DEL: both families in one transaction");
      assertEquals(List.of(), guard.forbidden());
    }
  }

  /**
   * Where the two families cannot go in one transaction and the second fails, the first family's container chain
   * is removed again: the failed ADD leaves no forwarding.
   */
  @Test
  void aFailedSecondFamilyLeavesNoForwarding() throws Exception {
    try (PortMapEnv java = new PortMapEnv(pool)) {
      FirewallExec real = FirewallExec.in(java.hostNs);
      FirewallExec v6Fails = (argv, stdin) -> {
        if (argv.get(0).equals("ip6tables-restore")) {
          throw new FirewallCommandException(argv, 4, "ip6tables-restore: refused for the test", stdin, null);
        }
        return real.run(argv, stdin);
      };
      PortMapPlugin p = new PortMapPlugin(java.hostNs, v6Fails);
      CniException e = assertThrows(CniException.class,
          () -> p.add(java.args("c1", java.conf("", MAPPINGS)), PortMapEnv.CTX));
      assertTrue(e.getMessage().startsWith("unable to setup DNAT: "), e.getMessage());
      assertTrue(!java.nat(false).contains("CNI-DN-"), java.nat(false));
      assertTrue(java.nat(false).contains("CNI-HOSTPORT-DNAT"), "the shared chains stay: " + java.nat(false));

      // a retried ADD that fails the same way keeps the forwarding the first ADD made
      java.plugin.add(java.args("c1", java.conf("", MAPPINGS)), PortMapEnv.CTX);
      String before = java.nat(false);
      assertTrue(before.contains("CNI-DN-"), before);
      assertThrows(CniException.class, () -> p.add(java.args("c1", java.conf("", MAPPINGS)), PortMapEnv.CTX));
      assertEquals(before, java.nat(false));
    }
  }

  /**
   * Where rules go through programs and another process makes a shared chain (with a rule) between this ADD's
   * read and its making of that chain, the chain counts as made and is not flushed: the other process's rule
   * stays.
   */
  @Test
  void aChainAnotherAddMakesMeanwhileIsNotFlushed() throws Exception {
    try (PortMapEnv java = new PortMapEnv(pool)) {
      FirewallExec real = FirewallExec.in(java.hostNs);
      AtomicBoolean raced = new AtomicBoolean();
      FirewallExec racing = (argv, stdin) -> {
        if (argv.equals(List.of("iptables", "-w", "-t", "nat", "-N", "CNI-HOSTPORT-DNAT")) && raced.compareAndSet(false, true)) {
          try {
            java.iptables("-N", "CNI-HOSTPORT-DNAT");
            java.iptables("-A", "CNI-HOSTPORT-DNAT", "-d", "10.201.9.9/32", "-j", "RETURN");
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return real.run(argv, stdin);
      };
      new PortMapPlugin(java.hostNs, racing).add(java.args("c1", java.conf("", MAPPINGS)), PortMapEnv.CTX);
      assertTrue(raced.get());
      String nat = java.nat(false);
      assertTrue(nat.contains("-A CNI-HOSTPORT-DNAT -d 10.201.9.9/32 -j RETURN"), nat);
      assertTrue(nat.contains("-j CNI-DN-"), nat);
    }
  }

  /**
   * Concurrent first ADDs on a host without the shared chains, rules written by iptables-restore (as where
   * iptables is not iptables-nft, or the nat table does not exist yet): all succeed with their own forwarding in
   * place, and the shared chains and entry rules are made once.
   */
  @Test
  void concurrentFirstAddsThroughProgramsAllSucceed() throws Exception {
    try (PortMapEnv java = new PortMapEnv(pool)) {
      FirewallExec real = FirewallExec.in(java.hostNs);
      FirewallExec programsOnly = real::run;
      PortMapPlugin p = new PortMapPlugin(java.hostNs, programsOnly);
      int n = 8;
      ExecutorService pool8 = Executors.newFixedThreadPool(n);
      try {
        List<Future<?>> adds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String mapping = "{\"hostPort\":" + (9100 + i) + ",\"containerPort\":80,\"protocol\":\"tcp\"}";
          String id = "c" + i;
          adds.add(pool8.submit(() -> p.add(java.args(id, java.conf("", mapping)), PortMapEnv.CTX)));
        }
        for (Future<?> f : adds) {
          f.get();
        }
      } finally {
        pool8.shutdownNow();
      }
      for (boolean v6 : new boolean[] {false, true}) {
        String nat = java.nat(v6);
        for (int i = 0; i < n; i++) {
          assertTrue(nat.contains("--dports " + (9100 + i) + " -j CNI-DN-"), nat);
        }
        // the shared entry rules once each, as sequential ADDs make them
        assertEquals(1, nat.lines().filter(l -> l.startsWith("-A PREROUTING ")).count(), nat);
        assertEquals(1, nat.lines().filter(l -> l.startsWith("-A OUTPUT ")).count(), nat);
      }
    }
  }

  @Test
  void routeLocalnetIsSetWithSnat() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      assertEquals("0", e.sysctl("net.ipv4.conf.pmh0.route_localnet"));
      e.plugin.add(e.args("c1", e.conf("", MAPPINGS)), PortMapEnv.CTX);
      assertEquals("1", e.sysctl("net.ipv4.conf.pmh0.route_localnet"));
    }
  }

  @Test
  void deleteWorksAcrossImplementationsTwiceAndWithoutNetns() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      String conf = e.conf("", MAPPINGS);
      String empty = e.nat();
      e.go(Command.ADD, e.args("c1", conf));
      String goAdded = e.nat();
      e.plugin.del(e.args("c1", conf), PortMapEnv.CTX);
      String afterJavaDel = e.nat();
      assertNotEquals(goAdded, afterJavaDel);
      assertTrue(!afterJavaDel.contains("CNI-DN-"), afterJavaDel);

      e.plugin.add(e.args("c1", conf), PortMapEnv.CTX);
      assertEquals(goAdded, e.nat(), "jcni ADD after jcni DEL gives Go's ADD state");
      e.go(Command.DEL, e.args("c1", conf));
      assertEquals(afterJavaDel, e.nat(), "Go DEL removes what jcni added");
      assertNotEquals(empty, afterJavaDel, "the shared chains stay, as in Go");

      // twice, and with the namespace gone (CNI_NETNS empty)
      CmdArgs noNetns = new CmdArgs("c1", "", "eth0", "", List.of(), conf.getBytes(StandardCharsets.UTF_8));
      e.plugin.del(e.args("c1", conf), PortMapEnv.CTX);
      e.plugin.del(noNetns, PortMapEnv.CTX);
      assertEquals(afterJavaDel, e.nat());
    }
  }

  @Test
  void addWithoutMappingsPassesPrevResultThrough() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      String before = e.nat();
      byte[] out = e.plugin.add(e.args("c1", e.conf("", "")), PortMapEnv.CTX);
      // current upstream's result marshalling: keys sorted, empty dns left out (Debian 1.1.1 prints "dns":{}),
      // printed indented as types.PrintResult does
      String want = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\""
          + e.container.path() + "\"}],\"ips\":[{\"address\":\"10.201.0.5/24\",\"interface\":0},"
          + "{\"address\":\"fd20:201::5/64\",\"interface\":0}]}";
      assertEquals(new String(GoJson.indented(GoJson.mapper().readTree(want)), StandardCharsets.UTF_8),
          new String(out, StandardCharsets.UTF_8));
      assertEquals(before, e.nat());
      byte[] withMappings = e.plugin.add(e.args("c1", e.conf("", MAPPINGS)), PortMapEnv.CTX);
      assertEquals(new String(out, StandardCharsets.UTF_8), new String(withMappings, StandardCharsets.UTF_8));
    }
  }

  @Test
  void checkPassesOnEitherAddAndFailsOnAMissingRule() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      String conf = e.conf("", MAPPINGS);
      e.go(Command.ADD, e.args("c1", conf));
      e.plugin.check(e.args("c1", conf), PortMapEnv.CTX);
      e.go(Command.DEL, e.args("c1", conf));
      e.plugin.add(e.args("c1", conf), PortMapEnv.CTX);
      e.plugin.check(e.args("c1", conf), PortMapEnv.CTX);
      // Go 1.1.1's CHECK always also checks the IPv4 rules in ip6tables and fails (fixed upstream in fb5d195f),
      // so it cannot serve as the oracle here

      String chain = DnatChain.nameFor("pmnet", "c1");
      e.iptables("-D", chain, "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "10.201.0.5:80");
      CniException err = assertThrows(CniException.class, () -> e.plugin.check(e.args("c1", conf), PortMapEnv.CTX));
      assertTrue(err.getMessage().startsWith("could not check ipv4 dnat: rule [[-p tcp --dport 8080 -s 10.201.0.5/24"
          + " -j CNI-HOSTPORT-SETMARK]"), err.getMessage());
      assertTrue(err.getMessage().endsWith("in chain " + chain + " not found in table nat"), err.getMessage());

      e.plugin.del(e.args("c1", conf), PortMapEnv.CTX);
      err = assertThrows(CniException.class, () -> e.plugin.check(e.args("c1", conf), PortMapEnv.CTX));
      assertEquals("could not check ipv4 dnat: chain " + chain + " not found in iptables table nat", err.getMessage());
    }
  }

  @Test
  void aTcpConnectionToTheHostPortReachesTheContainer() throws Exception {
    try (PortMapEnv e = new PortMapEnv(pool)) {
      var client = e.client();
      e.plugin.add(e.args("c1", e.conf("", MAPPINGS)), PortMapEnv.CTX);
      assertEquals("hello from 10.202.0.2", e.helloThroughHostPort(client, 8080, 80));
    }
  }
}
