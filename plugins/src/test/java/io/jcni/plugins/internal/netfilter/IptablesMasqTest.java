package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The iptables backend against the real Go bridge plugin and iptables-save, each side in its own throw-away
 * namespace ({@code host*} plays the host, {@code cont*} the container).
 */
@RequiresCapabilities
class IptablesMasqTest {
  private static final String NET = "jt-masq";
  private static final String CID = "dummy";

  @RegisterExtension
  final TestNetnsPool namespaces = new TestNetnsPool();
  @TempDir
  Path dataDir;

  /** {@code iptables-save -t nat} (or ip6tables-save) without the timestamp comment lines. */
  static String natTable(String ns, boolean v6) throws IOException {
    String out = TestNetns.run("ip", "netns", "exec", ns, v6 ? "ip6tables-save" : "iptables-save", "-t", "nat");
    return out.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
  }

  private String conf(String ranges) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NET + "\",\"type\":\"bridge\",\"bridge\":\"jtbr0\","
        + "\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":" + ranges
        + ",\"dataDir\":\"" + dataDir + "\"}}";
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/bridge")
  void sameRulesAsGoV4() throws Exception {
    goEquivalence("[[{\"subnet\":\"10.250.1.0/24\"}]]", 1);
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/bridge")
  void sameRulesAsGoTwoV4Addresses() throws Exception {
    // Two addresses share one chain; Go appends ACCEPT net1, MASQUERADE, ACCEPT net2 in that order.
    goEquivalence("[[{\"subnet\":\"10.250.1.0/24\"}],[{\"subnet\":\"10.250.2.0/24\"}]]", 2);
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/bridge")
  void sameRulesAsGoDualStack() throws Exception {
    goEquivalence("[[{\"subnet\":\"10.250.3.0/24\"}],[{\"subnet\":\"2001:db8:250::/64\"}]]", 2);
  }

  /**
   * Go ADD in one namespace, jcni setup in another: identical nat tables. Then each side is torn down by the
   * other implementation, from the addresses alone, and no CNI chain is left.
   */
  private void goEquivalence(String ranges, int expectedIps) throws Exception {
    TestNetns goHost = namespaces.create("fwgo");
    TestNetns goCont = namespaces.create("fwgoc");
    TestNetns jHost = namespaces.create("fwj");
    TestNetns jCont = namespaces.create("fwjc");
    String pristineV4 = natTable(jHost.name(), false);
    String pristineV6 = natTable(jHost.name(), true);

    JsonNode result = goBridge(goHost, Command.ADD, goCont, conf(ranges)).result();
    List<String> cidrs = new ArrayList<>();
    result.path("ips").forEach(ip -> cidrs.add(ip.path("address").asText()));
    assertEquals(expectedIps, cidrs.size(), result.toString());
    List<IpNet> ips = Cidrs.of(cidrs);
    boolean hasV4 = cidrs.stream().anyMatch(c -> !c.contains(":"));
    boolean hasV6 = cidrs.stream().anyMatch(c -> c.contains(":"));

    NetnsExec exec = new NetnsExec(jHost.name());
    IpMasq masq = new IpMasq(IpMasqBackend.IPTABLES, exec);
    masq.setup(NET, CID, "eth0", ips);
    int families = (hasV4 ? 1 : 0) + (hasV6 ? 1 : 0);
    int setupLaunches = exec.takeLaunches();
    System.out.printf("iptables setup %s: %d process launches%n", cidrs, setupLaunches);
    assertEquals(families, setupLaunches, "a new chain: one restore per family, no read");

    String chain = IpMasq.chainName(NET, CID);
    for (boolean v6 : List.of(false, true)) {
      String go = natTable(goHost.name(), v6);
      assertEquals(go, natTable(jHost.name(), v6), v6 ? "ip6tables nat" : "iptables nat");
      assertEquals(v6 ? hasV6 : hasV4, go.contains(":" + chain + " "), go);
    }

    // Go's rules, torn down by jcni with only the addresses (no container namespace involved: plugins#810).
    NetnsExec goSide = new NetnsExec(goHost.name());
    new IpMasq(IpMasqBackend.IPTABLES, goSide).teardown(NET, CID, "eth0", ips);
    System.out.printf("iptables teardown %s: %d process launches%n", cidrs, goSide.takeLaunches());
    assertEquals(pristineV4, natTable(goHost.name(), false));
    assertEquals(pristineV6, natTable(goHost.name(), true));

    // jcni's rules, torn down by the Go plugin's DEL, which reads the addresses from the container interface.
    jCont.ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
    for (String c : cidrs) {
      jCont.ip("addr", "add", c, "dev", "eth0");
    }
    if (sameFamilyAddresses(cidrs)) {
      // Go tears down per address: deleting the chain fails while the other address's jump still uses it.
      GoPlugin.Run del = goBridge(jHost, Command.DEL, jCont, conf(ranges));
      assertFalse(del.ok(), "Go DEL succeeded: " + del.out());
      assertTrue(del.out().contains("Device or resource busy"), del.out());
      assertTrue(natTable(jHost.name(), false).contains(":" + chain + " "));
      // What Go left behind, jcni removes.
      new IpMasq(IpMasqBackend.IPTABLES, exec).teardown(NET, CID, "eth0", ips);
    } else {
      goBridge(jHost, Command.DEL, jCont, conf(ranges)).result();
    }
    String v4 = natTable(jHost.name(), false);
    String v6 = natTable(jHost.name(), true);
    assertFalse(v4.contains("CNI-"), v4);
    assertFalse(v6.contains("CNI-"), v6);
  }

  private static boolean sameFamilyAddresses(List<String> cidrs) {
    long v6 = cidrs.stream().filter(c -> c.contains(":")).count();
    return v6 > 1 || cidrs.size() - v6 > 1;
  }

  @Test
  void setupTwiceAddsNothing() throws Exception {
    TestNetns host = namespaces.create("fwtw");
    NetnsExec exec = new NetnsExec(host.name());
    IpMasq masq = new IpMasq(IpMasqBackend.IPTABLES, exec);
    List<IpNet> ips = Cidrs.of(List.of("10.250.4.7/24"));
    masq.setup(NET, CID, "eth0", ips);
    String once = natTable(host.name(), false);
    exec.takeLaunches();
    masq.setup(NET, CID, "eth0", ips);
    int launches = exec.takeLaunches();
    System.out.printf("iptables re-setup: %d process launches%n", launches);
    assertEquals(2, launches, "the refused -N transaction, then the save: nothing to change");
    assertEquals(once, natTable(host.name(), false));
    assertEquals(3, once.lines().filter(l -> l.startsWith("-A ")).count(), once);
  }

  @Test
  void teardownTwiceAndWithoutSetupSucceed() throws Exception {
    TestNetns host = namespaces.create("fwtd");
    String pristine = natTable(host.name(), false);
    NetnsExec exec = new NetnsExec(host.name());
    IpMasq masq = new IpMasq(null, exec);
    List<IpNet> ips = Cidrs.of(List.of("10.250.5.9/24", "2001:db8:5::9/64"));

    masq.teardown(NET, CID, "eth0", ips);
    System.out.printf("teardown of nothing (v4+v6, both backends): %d process launches%n", exec.takeLaunches());
    masq.setup(NET, CID, "eth0", ips);
    assertEquals(IpMasqBackend.IPTABLES, masq.backend());
    assertTrue(natTable(host.name(), false).contains(IpMasq.chainName(NET, CID)));
    exec.takeLaunches();
    masq.teardown(NET, CID, "eth0", ips);
    System.out.printf("teardown v4+v6 (both backends): %d process launches%n", exec.takeLaunches());
    masq.teardown(NET, CID, "eth0", ips);
    assertEquals(pristine, natTable(host.name(), false));
    assertFalse(natTable(host.name(), true).contains("CNI-"));
  }

  @Test
  void teardownRemovesLegacyPrefixJump() throws Exception {
    TestNetns host = namespaces.create("fwlg");
    String pristine = natTable(host.name(), false);
    String chain = IpMasq.chainName(NET, CID);
    String comment = IpMasq.iptablesComment(NET, CID);
    List<IpNet> ips = Cidrs.of(List.of("10.250.6.3/24"));
    IpMasq masq = new IpMasq(IpMasqBackend.IPTABLES, new NetnsExec(host.name()));
    masq.setup(NET, CID, "eth0", ips);
    // What plugins before the -s ip change wrote: -s ip/prefix, stored by iptables as the network.
    TestNetns.run("ip", "netns", "exec", host.name(), "iptables", "-w", "-t", "nat", "-A", "POSTROUTING",
        "-s", "10.250.6.3/24", "-j", chain, "-m", "comment", "--comment", comment);
    assertTrue(natTable(host.name(), false).contains("-A POSTROUTING -s 10.250.6.0/24"));
    masq.teardown(NET, CID, "eth0", ips);
    assertEquals(pristine, natTable(host.name(), false));
  }

  @Test
  void otherContainersRulesSurviveTeardown() throws Exception {
    TestNetns host = namespaces.create("fwot");
    IpMasq masq = new IpMasq(IpMasqBackend.IPTABLES, new NetnsExec(host.name()));
    masq.setup(NET, "keep", "eth0", Cidrs.of(List.of("10.250.7.2/24")));
    String kept = natTable(host.name(), false);
    masq.setup(NET, CID, "eth0", Cidrs.of(List.of("10.250.7.3/24")));
    masq.teardown(NET, CID, "eth0", Cidrs.of(List.of("10.250.7.3/24")));
    assertEquals(kept, natTable(host.name(), false));
  }

  /**
   * Where iptables is iptables-nft and the nat tables have their POSTROUTING chain, a dual-stack setup and teardown
   * launch no program: the same tables as the iptables-restore path (Go's, above), and the teardown, also of rules
   * iptables-restore made and with no address known, leaves both families as they were.
   */
  @Test
  void dualStackSetupAndTeardownLaunchNothing() throws Exception {
    TestNetns ours = namespaces.create("fwnl");
    TestNetns theirs = namespaces.create("fwnr");
    for (TestNetns t : List.of(ours, theirs)) {
      for (String iptables : List.of("iptables", "ip6tables")) {
        TestNetns.run("ip", "netns", "exec", t.name(), iptables, "-w", "-t", "nat", "-P", "POSTROUTING", "ACCEPT");
      }
    }
    String pristineV4 = natTable(ours.name(), false);
    String pristineV6 = natTable(ours.name(), true);
    List<IpNet> ips = Cidrs.of(List.of("10.250.12.2/24", "2001:db8:12::2/64", "2001:db8:12::3/64"));
    new IpMasq(IpMasqBackend.IPTABLES, new NetnsExec(theirs.name())).setup(NET, CID, "eth0", ips);
    try (NetNs a = NetNs.open(Path.of(ours.path())); NetNs b = NetNs.open(Path.of(theirs.path()))) {
      LaunchGuard guard = new LaunchGuard(a).forbid();
      LaunchGuard theirGuard = new LaunchGuard(b).forbid();
      IpMasq masq = new IpMasq(IpMasqBackend.IPTABLES, guard);
      masq.setup(NET, CID, "eth0", ips);
      for (boolean v6 : List.of(false, true)) {
        assertEquals(natTable(theirs.name(), v6), natTable(ours.name(), v6));
        assertTrue(natTable(ours.name(), v6).contains(IpMasq.chainName(NET, CID)));
      }
      masq.teardown(NET, CID, "eth0", ips);
      new IpMasq(null, theirGuard).teardown(NET, CID, "eth0", List.of());
      for (TestNetns t : List.of(ours, theirs)) {
        assertEquals(pristineV4, natTable(t.name(), false));
        assertEquals(pristineV6, natTable(t.name(), true));
      }
      masq.teardown(NET, CID, "eth0", ips);
      assertEquals(List.of(), guard.forbidden());
      assertEquals(List.of(), theirGuard.forbidden());
    }
  }

  @Test
  void failedSecondFamilyUndoesFirst() throws Exception {
    TestNetns host = namespaces.create("fwrb");
    String pristine = natTable(host.name(), false);
    NetnsExec inNs = new NetnsExec(host.name());
    FirewallExec v6RestoreFails = (argv, stdin) -> {
      if (argv.get(0).equals("ip6tables-restore")) {
        throw new FirewallCommandException(argv, 2, "ip6tables-restore: line 2 failed", stdin, null);
      }
      return inNs.run(argv, stdin);
    };
    IpMasq masq = new IpMasq(IpMasqBackend.IPTABLES, v6RestoreFails);
    FirewallCommandException e = assertThrows(FirewallCommandException.class, () -> masq.setup(NET, CID, "eth0",
        Cidrs.of(List.of("10.250.11.2/24", "2001:db8:11::2/64"))));
    assertEquals(List.of("ip6tables-restore", "-w", "--noflush"), e.command());
    assertEquals(pristine, natTable(host.name(), false));
  }

  /** The Go bridge run with {@code hostNs} as its host namespace, for container {@code CID}'s eth0. */
  private static GoPlugin.Run goBridge(TestNetns hostNs, Command command, TestNetns container, String conf) {
    return GoPlugin.of("bridge").in(hostNs.name()).run(GoPlugin.env(command, CID, container.path(), "eth0", ""), conf);
  }
}
