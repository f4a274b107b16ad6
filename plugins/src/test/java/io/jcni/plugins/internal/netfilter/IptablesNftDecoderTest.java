package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NfTablesRules;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reading iptables-nft rules over nf_tables netlink against iptables-save: every rule the encoder writes, whether
 * jcni or iptables-restore wrote it, reads back as the line iptables-save prints, with the handle nft reports; a
 * rule outside the decoded subset reads as an unrecognised placeholder, never as a wrong rule.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/sbin/iptables-restore", "/usr/sbin/iptables-save", "/usr/sbin/nft"})
class IptablesNftDecoderTest {
  private final List<TestNetns> namespaces = new ArrayList<>();

  @BeforeEach
  void requireNftIptables() throws IOException {
    assertTrue(TestNetns.run("iptables", "-V").contains("nf_tables"), "these tests need iptables-nft");
  }

  @AfterEach
  void cleanUp() throws IOException {
    for (TestNetns n : namespaces) {
      n.close();
    }
  }

  private TestNetns netns() throws IOException {
    TestNetns t = TestNetns.create("nftd");
    namespaces.add(t);
    for (IptablesFamily f : IptablesFamily.values()) {
      for (String c : List.of("PREROUTING", "OUTPUT", "POSTROUTING")) {
        t.exec(f.iptables, "-w", "-t", "nat", "-P", c, "ACCEPT");
      }
      t.exec(f.iptables, "-w", "-t", "filter", "-P", "FORWARD", "ACCEPT");
    }
    return t;
  }

  static List<org.junit.jupiter.params.provider.Arguments> scripts() {
    return IptablesNftRuleTest.scripts().toList();
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void readsWhatJcniWroteAsIptablesSavePrintsIt(IptablesFamily family, String table, List<String> lines)
      throws Exception {
    TestNetns t = netns();
    try (NetNs ns = NetNs.open(Path.of(t.path()))) {
      assertTrue(commit(FirewallExec.in(ns), family, table, lines), "not committed: " + lines);
    }
    assertReadsAsSaved(t, family, table, true);
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void readsWhatIptablesWroteAsIptablesSavePrintsIt(IptablesFamily family, String table, List<String> lines)
      throws Exception {
    TestNetns t = netns();
    new NetnsExec(t.name()).run(List.of(family.restore, "-w", "--noflush"), script(table, lines));
    assertReadsAsSaved(t, family, table, true);
  }

  /** Rules iptables writes that the encoder does not: each is read exactly as saved, or not recognised. */
  @Test
  void readsOtherRulesExactlyOrNotAtAll() throws Exception {
    TestNetns t = netns();
    new NetnsExec(t.name()).run(List.of("iptables-restore", "-w", "--noflush"), script("filter", List.of(
        ":CNI-FORWARD - [0:0]", ":MYCHAIN - [0:0]",
        "-A CNI-FORWARD -i jtbr+ -j ACCEPT",
        "-A CNI-FORWARD -p tcp --sport 80 -j ACCEPT",
        "-A CNI-FORWARD -p sctp --dport 80 -j ACCEPT",
        "-A CNI-FORWARD -m multiport -p tcp --destination-ports 80:90 -j ACCEPT",
        "-A CNI-FORWARD -m conntrack --ctstatus SEEN_REPLY -j ACCEPT",
        "-A CNI-FORWARD -j LOG",
        "-A CNI-FORWARD -j MYCHAIN",
        "-A CNI-FORWARD -s 10.0.0.2/32",
        "-A CNI-FORWARD -m mark --mark 0x1 -j ACCEPT",
        "-A CNI-FORWARD -s 10.1.0.0/15 -d 10.2.3.4/31 -j DROP",
        "-A CNI-FORWARD -p udp -m udp ! --dport 53 -j REJECT")));
    List<ListedRule> read = read(t, IptablesFamily.V4, "filter", "CNI-FORWARD");
    List<IptablesRule> saved = TableDump.parse(t.exec("iptables-save", "-t", "filter"), "filter").rules("CNI-FORWARD");
    assertEquals(saved.size(), read.size());
    int recognised = 0;
    for (int i = 0; i < read.size(); i++) {
      if (read.get(i).recognised()) {
        assertEquals(saved.get(i), read.get(i).rule());
        recognised++;
      } else {
        assertEquals(ListedRule.UNRECOGNISED, read.get(i).rule().spec().get(0));
        assertFalse(saved.contains(read.get(i).rule()));
      }
    }
    assertTrue(recognised >= 4, read.toString()); // -j MYCHAIN, the masked addresses, --sport, the mark at least
    assertTrue(recognised < read.size(), read.toString()); // LOG, ranges, ctstatus are not decoded
    assertEquals(nftHandles(t, IptablesFamily.V4, "filter", "CNI-FORWARD"),
        read.stream().map(ListedRule::handle).toList());
  }

  /** The same for ip6tables: rules with masked, negated and partial IPv6 prefixes. */
  @Test
  void readsOtherIpv6RulesExactlyOrNotAtAll() throws Exception {
    TestNetns t = netns();
    new NetnsExec(t.name()).run(List.of("ip6tables-restore", "-w", "--noflush"), script("filter", List.of(
        ":CNI-FORWARD - [0:0]",
        "-A CNI-FORWARD -s 2001:db8:1::/47 -d ::1/127 -j DROP",
        "-A CNI-FORWARD ! -s 2001:db8::/32 ! -d fd00::2 -j ACCEPT",
        "-A CNI-FORWARD -s 2001:db8::ff00:0/104 -j ACCEPT",
        "-A CNI-FORWARD -p ipv6-icmp -j ACCEPT",
        "-A CNI-FORWARD -p tcp --sport 80 -j ACCEPT",
        "-A CNI-FORWARD -j LOG")));
    List<ListedRule> read = read(t, IptablesFamily.V6, "filter", "CNI-FORWARD");
    List<IptablesRule> saved = TableDump.parse(t.exec("ip6tables-save", "-t", "filter"), "filter")
        .rules("CNI-FORWARD");
    assertEquals(saved.size(), read.size());
    int recognised = 0;
    for (int i = 0; i < read.size(); i++) {
      if (read.get(i).recognised()) {
        assertEquals(saved.get(i), read.get(i).rule());
        recognised++;
      } else {
        assertFalse(saved.contains(read.get(i).rule()));
      }
    }
    assertEquals(4, recognised, read.toString()); // the addresses and --sport; icmpv6 and LOG are not decoded
    assertEquals(nftHandles(t, IptablesFamily.V6, "filter", "CNI-FORWARD"),
        read.stream().map(ListedRule::handle).toList());
  }

  /** {@code -D} becomes a delete by handle of the first rule with that text, in the same transaction as the rest. */
  @Test
  void deletesByHandleWhatIptablesDeleteDeletes() throws Exception {
    List<String> setup = List.of(":CNI-FORWARD - [0:0]", ":CNI-X - [0:0]",
        "-A CNI-FORWARD -s 10.233.0.2/32 -j ACCEPT",
        "-A CNI-FORWARD -d 10.233.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A CNI-FORWARD -s 10.233.0.2/32 -j ACCEPT",
        "-A CNI-FORWARD -j LOG",
        "-A CNI-FORWARD -j CNI-X",
        "-A CNI-X -j RETURN");
    List<String> change = List.of("-D CNI-FORWARD -s 10.233.0.2/32 -j ACCEPT",
        "-D CNI-FORWARD -d 10.233.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-D CNI-FORWARD -j CNI-X", "-F CNI-X", "-X CNI-X");
    TestNetns ours = netns();
    TestNetns theirs = netns();
    for (TestNetns t : List.of(ours, theirs)) {
      new NetnsExec(t.name()).run(List.of("iptables-restore", "-w", "--noflush"), script("filter", setup));
    }
    try (NetNs ns = NetNs.open(Path.of(ours.path()))) {
      assertTrue(commit(FirewallExec.in(ns), IptablesFamily.V4, "filter", change));
      // a rule that is not there (any more) leaves the whole change to iptables-restore, with nothing applied
      assertFalse(commit(FirewallExec.in(ns), IptablesFamily.V4, "filter",
          List.of("-A CNI-FORWARD -j ACCEPT", "-D CNI-FORWARD -d 10.233.0.2/32 -j ACCEPT")));
      assertFalse(commit(FirewallExec.in(ns), IptablesFamily.V4, "filter",
          List.of("-D CNI-FORWARD -j LOG")));
    }
    new NetnsExec(theirs.name()).run(List.of("iptables-restore", "-w", "--noflush"), script("filter", change));
    String saved = ours.exec("iptables-save", "-t", "filter").replaceAll("(?m)^#.*\\n", "");
    assertEquals(theirs.exec("iptables-save", "-t", "filter").replaceAll("(?m)^#.*\\n", ""), saved);
    assertTrue(saved.contains("-A CNI-FORWARD -s 10.233.0.2/32 -j ACCEPT"), saved);
    assertFalse(saved.contains("CNI-X"), saved);
  }

  @Test
  void readsNothingFromAChainOrTableThatDoesNotExist() throws Exception {
    TestNetns t = TestNetns.create("nftd");
    namespaces.add(t);
    assertEquals(List.of(), read(t, IptablesFamily.V4, "nat", "CNI-HOSTPORT-DNAT"));
    t.exec("iptables", "-w", "-t", "nat", "-P", "PREROUTING", "ACCEPT");
    assertEquals(List.of(), read(t, IptablesFamily.V4, "nat", "CNI-HOSTPORT-DNAT"));
    assertEquals(List.of(), read(t, IptablesFamily.V4, "nat", "PREROUTING"));
    assertEquals(List.of(), read(t, IptablesFamily.V6, "nat", "PREROUTING"));
  }

  /** Every chain of the table reads as iptables-save prints it, with nft's handles. */
  private static void assertReadsAsSaved(TestNetns t, IptablesFamily family, String table, boolean allRecognised)
      throws Exception {
    TableDump saved = TableDump.parse(t.exec(family.save, "-t", table), table);
    Set<String> chains = new HashSet<>();
    saved.allRules().forEach(r -> chains.add(r.chain()));
    assertFalse(chains.isEmpty());
    for (String chain : chains) {
      List<ListedRule> read = read(t, family, table, chain);
      if (allRecognised) {
        assertTrue(read.stream().allMatch(ListedRule::recognised), read.toString());
      }
      assertEquals(saved.rules(chain), read.stream().map(ListedRule::rule).toList(), chain);
      assertEquals(nftHandles(t, family, table, chain), read.stream().map(ListedRule::handle).toList(), chain);
    }
  }

  private static List<ListedRule> read(TestNetns t, IptablesFamily family, String table, String chain)
      throws Exception {
    try (NetNs ns = NetNs.open(Path.of(t.path()))) {
      return ns.runIn(() -> NfTablesRules.list(family.nfproto, table, chain)).stream()
          .map(r -> IptablesNftDecoder.decode(family, r)).toList();
    }
  }

  private static List<Long> nftHandles(TestNetns t, IptablesFamily family, String table, String chain)
      throws IOException {
    JsonNode root = new ObjectMapper().readTree(t.exec("nft", "-j", "list", "chain",
        family == IptablesFamily.V4 ? "ip" : "ip6", table, chain));
    List<Long> out = new ArrayList<>();
    for (JsonNode item : root.path("nftables")) {
      if (item.has("rule")) {
        out.add(item.get("rule").path("handle").asLong());
      }
    }
    return out;
  }

  private static String script(String table, List<String> lines) {
    StringBuilder s = new StringBuilder("*" + table + "\n");
    lines.forEach(l -> s.append(l).append('\n'));
    return s.append("COMMIT\n").toString();
  }

  /** Commits {@code lines} to {@code table} of {@code family} from this process as one nf_tables transaction. */
  private static boolean commit(FirewallExec exec, IptablesFamily family, String table, List<String> lines) {
    return IptablesTable.commitTogether(
        List.of(new IptablesTable.Change(new IptablesTable(exec, family, table, Deadline.none()), lines)));
  }
}
