package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-process encoding of the portmap and firewall plugins' rules against iptables-nft itself: the same restore
 * lines sent as one nf_tables transaction ({@link IptablesNftScript}) must carry byte for byte the rule messages
 * iptables-restore sends (strace) and leave the same iptables-save output (counters aside), and iptables -D of
 * each rule's text must find the rule.
 */
@RequiresCapabilities
class IptablesNftRuleTest {
  private static final String DN = "CNI-DN-0123456789abcdef01234";
  private static final String COMMENT = "dnat name: \"jt-net\" id: \"jt-container\"";

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

  /** A namespace whose tables of both families have their base chains, as on any node where something uses them. */
  private TestNetns withTables() throws IOException {
    TestNetns t = TestNetns.create("nftr");
    namespaces.add(t);
    for (IptablesFamily f : IptablesFamily.values()) {
      for (String c : List.of("PREROUTING", "OUTPUT", "POSTROUTING")) {
        t.exec(f.iptables, "-w", "-t", "nat", "-P", c, "ACCEPT");
      }
      t.exec(f.iptables, "-w", "-t", "filter", "-P", "FORWARD", "ACCEPT");
    }
    return t;
  }

  static Stream<Arguments> scripts() {
    String setmark = "CNI-HOSTPORT-SETMARK";
    return Stream.of(
        Arguments.of(IptablesFamily.V4, "nat", List.of(":" + setmark + " - [0:0]",
            "-A " + setmark + " -m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark 0x2000/0x2000")),
        Arguments.of(IptablesFamily.V4, "nat", List.of(":CNI-HOSTPORT-MASQ - [0:0]",
            "-A CNI-HOSTPORT-MASQ -m mark --mark 0x80000/0x80000 -j MASQUERADE",
            "-I POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ")),
        Arguments.of(IptablesFamily.V4, "nat", List.of(":CNI-HOSTPORT-DNAT - [0:0]",
            "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
            "-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT")),
        Arguments.of(IptablesFamily.V4, "nat", List.of(":" + setmark + " - [0:0]", ":" + DN + " - [0:0]",
            "-A " + DN + " -p tcp --dport 8080 -s 10.233.0.2/24 -j " + setmark,
            "-A " + DN + " -p tcp --dport 8080 -s 127.0.0.1 -j " + setmark,
            "-A " + DN + " -p udp --dport 53 -s 10.233.17.2/20 -j " + setmark,
            "-A " + DN + " -p tcp --dport 8080 -s 0.0.0.0/0 -j " + setmark,
            "-A " + DN + " -p tcp --dport 8080 -j DNAT --to-destination 10.233.0.2:80",
            "-A " + DN + " -p udp --dport 5353 -d 192.168.1.1 -j DNAT --to-destination 10.233.0.2:53",
            "-A " + DN + " -p sctp -j DNAT --to-destination 10.233.0.2:9")),
        Arguments.of(IptablesFamily.V4, "nat", List.of(":CNI-HOSTPORT-DNAT - [0:0]", ":" + DN + " - [0:0]",
            "-A CNI-HOSTPORT-DNAT -m comment --comment \"" + COMMENT.replace("\"", "\\\"")
                + "\" -m multiport -p tcp --destination-ports 8080,8443 -j " + DN,
            "-A CNI-HOSTPORT-DNAT -m comment --comment x -m multiport -p udp --destination-ports "
                + "1,2,3,4,5,6,7,8,9,10,11,12,13,14,65535 -j " + DN)),
        Arguments.of(IptablesFamily.V4, "filter", List.of(":CNI-FORWARD - [0:0]", ":CNI-ADMIN - [0:0]",
            "-I FORWARD 1 -m comment --comment \"CNI firewall plugin rules\" -j CNI-FORWARD",
            "-I CNI-FORWARD 1 -m comment --comment \"CNI firewall plugin admin overrides\" -j CNI-ADMIN",
            "-A CNI-FORWARD -d 10.233.0.2/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A CNI-FORWARD -s 10.233.0.2/32 -j ACCEPT",
            "-A CNI-FORWARD -m conntrack --ctstate NEW,INVALID -g CNI-ADMIN")),
        Arguments.of(IptablesFamily.V4, "filter", List.of(":CNI-ISOLATION-STAGE-1 - [0:0]", ":CNI-ISOLATION-STAGE-2 - [0:0]",
            "-I FORWARD 1 -m comment --comment x -j CNI-ISOLATION-STAGE-1",
            "-I CNI-ISOLATION-STAGE-1 1 -i jtbr0 ! -o jtbr0 -m comment --comment y -j CNI-ISOLATION-STAGE-2",
            "-I CNI-ISOLATION-STAGE-1 1 -i jtbr0 -o jtbr0 -m comment --comment y -j DROP",
            "-A CNI-ISOLATION-STAGE-1 -m comment --comment x -j RETURN",
            "-I CNI-ISOLATION-STAGE-2 1 -o a-fifteen-chars -m comment --comment x -j DROP",
            "-A CNI-ISOLATION-STAGE-2 ! -i jtbr0 ! -s 10.0.0.0/8 -j RETURN")),
        Arguments.of(IptablesFamily.V6, "nat", List.of(":CNI-HOSTPORT-MASQ - [0:0]", ":" + setmark + " - [0:0]",
            "-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE",
            "-A " + setmark + " -m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark 0x2000/0x2000",
            "-I POSTROUTING -m comment --comment \"CNI portfwd requiring masquerade\" -j CNI-HOSTPORT-MASQ")),
        Arguments.of(IptablesFamily.V6, "nat", List.of(":CNI-HOSTPORT-DNAT - [0:0]", ":" + setmark + " - [0:0]",
            ":" + DN + " - [0:0]",
            "-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT",
            "-A CNI-HOSTPORT-DNAT -m comment --comment x -m multiport -p tcp --destination-ports 8080,8443 -j " + DN,
            "-A " + DN + " -p tcp --dport 8080 -s fd00:233::2/64 -j " + setmark,
            "-A " + DN + " -p tcp --dport 8080 -s ::1 -j " + setmark,
            "-A " + DN + " -p udp --dport 53 -s 2001:db8:0:8::5/61 -j " + setmark,
            "-A " + DN + " -p tcp --dport 8080 -s ::/0 -j " + setmark,
            "-A " + DN + " -p tcp --dport 8080 -j DNAT --to-destination [fd00:233::2]:80",
            "-A " + DN + " -p udp --dport 5353 -d 2001:db8::1 -j DNAT --to-destination [fd00:233::2]:53")),
        Arguments.of(IptablesFamily.V6, "nat", List.of(":CNI-0123456789abcdef01234567 - [0:0]",
            "-A CNI-0123456789abcdef01234567 -d fd00:233::/64 -m comment --comment \"name: \\\"n\\\" id: \\\"c\\\"\" -j ACCEPT",
            "-A CNI-0123456789abcdef01234567 ! -d ff00::/8 -m comment --comment x -j MASQUERADE",
            "-A POSTROUTING -s fd00:233::2/128 -m comment --comment x -j CNI-0123456789abcdef01234567")),
        Arguments.of(IptablesFamily.V6, "filter", List.of(":CNI-FORWARD - [0:0]", ":CNI-ADMIN - [0:0]",
            "-I FORWARD 1 -m comment --comment \"CNI firewall plugin rules\" -j CNI-FORWARD",
            "-I CNI-FORWARD 1 -m comment --comment \"CNI firewall plugin admin overrides\" -j CNI-ADMIN",
            "-A CNI-FORWARD -d fd00:233::2/128 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A CNI-FORWARD -s fd00:233::2/128 -j ACCEPT",
            "-A CNI-FORWARD -i jtbr0 ! -o jtbr0 ! -s fd00::/8 -j DROP",
            "-A CNI-FORWARD -m conntrack --ctstate NEW,INVALID -g CNI-ADMIN")));
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void iptablesSavePrintsWhatIptablesRestoreMakesAndIptablesDeleteFindsIt(IptablesFamily family, String table,
      List<String> lines) throws Exception {
    TestNetns ours = withTables();
    TestNetns theirs = withTables();
    commitIn(ours, family, table, lines);
    new NetnsExec(theirs.name()).run(List.of(family.restore, "-w", "--noflush"), script(table, lines));
    assertEquals(rules(theirs, family, table), rules(ours, family, table));
    assertTrue(rules(ours, family, table).size() > 4, rules(ours, family, table).toString());

    for (String line : lines) {
      List<String> w = IptablesSyntax.split(line);
      if (w.get(0).equals("-A") || w.get(0).equals("-I")) {
        List<String> argv = new ArrayList<>(List.of(family.iptables, "-w", "-t", table, "-D", w.get(1)));
        List<String> spec = w.subList(w.get(0).equals("-I") && w.get(2).equals("1") ? 3 : 2, w.size());
        argv.addAll(spec);
        ours.exec(argv.toArray(String[]::new));
      }
    }
    assertFalse(String.join("\n", rules(ours, family, table)).contains("-A "), rules(ours, family, table).toString());
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void sendsTheRulesIptablesRestoreSends(IptablesFamily family, String table, List<String> lines) throws Exception {
    TestNetns t = withTables();
    Path trace = Files.createTempFile("jt-nftr", ".txt");
    try {
      new NetnsExec(t.name()).run(List.of("strace", "-f", "-e", "trace=sendmsg", "-e", "write=all", "-o",
          trace.toString(), family.restore, "-w", "--noflush"), script(table, lines));
      List<byte[]> theirs = newRules(IptablesNftBatchTest.messages(
          IptablesNftBatchTest.lastBatch(Files.readString(trace))));
      List<byte[]> ours = newRules(IptablesNftBatchTest.messages(
          IptablesNftScript.of(family, table, lines).orElseThrow().encode(1, 0)));
      assertEquals(theirs.size(), ours.size());
      assertFalse(ours.isEmpty(), "no rules");
      for (int i = 0; i < ours.size(); i++) {
        assertEquals(IptablesNftBatchTest.hex(theirs.get(i), 16), IptablesNftBatchTest.hex(ours.get(i), 16),
            "rule " + i + " payload");
        assertEquals(IptablesNftBatchTest.flags(theirs.get(i)), IptablesNftBatchTest.flags(ours.get(i)),
            "rule " + i + " flags");
      }
    } finally {
      Files.deleteIfExists(trace);
    }
  }

  /** The NFT_MSG_NEWRULE messages of a batch, in order. */
  private static List<byte[]> newRules(List<byte[]> messages) {
    return messages.stream().filter(m -> IptablesNftBatchTest.type(m) == 0x0a06).toList();
  }

  @Test
  void flushesAndDeletesChainsInOneTransaction() throws Exception {
    TestNetns ours = withTables();
    List<String> setup = List.of(":" + DN + " - [0:0]", "-A " + DN + " -p tcp --dport 1 -j DNAT --to-destination 10.1.1.1:2",
        "-A PREROUTING -p tcp -j " + DN);
    commitIn(ours, IptablesFamily.V4, "nat", setup);
    // a chain still jumped to cannot go, and the refusal undoes the flush too
    assertThrows(AssertionErrorOrRefusal.class, () -> commitOrRefuse(ours, "nat", List.of("-F " + DN, "-X " + DN)));
    assertTrue(String.join("\n", rules(ours, IptablesFamily.V4, "nat")).contains("-A " + DN + " -p tcp"));
    ours.exec("iptables", "-w", "-t", "nat", "-D", "PREROUTING", "-p", "tcp", "-j", DN);
    commitIn(ours, IptablesFamily.V4, "nat", List.of("-F " + DN, "-X " + DN));
    assertFalse(String.join("\n", rules(ours, IptablesFamily.V4, "nat")).contains(DN));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "-D CNI-FORWARD -s 10.0.0.2/32 -j ACCEPT",
      "-I CNI-FORWARD 2 -s 10.0.0.2/32 -j ACCEPT",
      "-A CNI-FORWARD -s 2001:db8::2/128 -j ACCEPT",
      "-A CNI-FORWARD -i jtbr+ -j ACCEPT",
      "-A CNI-FORWARD -p tcp --sport 80 -j ACCEPT",
      "-A CNI-FORWARD -p sctp --dport 80 -j ACCEPT",
      "-A CNI-FORWARD -m multiport -p tcp --destination-ports 80:90 -j ACCEPT",
      "-A CNI-FORWARD -m conntrack --ctstatus SEEN_REPLY -j ACCEPT",
      "-A CNI-FORWARD -j LOG",
      "-A CNI-FORWARD -j MYCHAIN",
      "-A CNI-FORWARD -s 10.0.0.2/32",
      "-A CNI-FORWARD -m comment --comment x -m mark --mark 0x1/0xffffffff -j ACCEPT",
      "-P FORWARD DROP"})
  void leavesToIptablesRestoreWhatItDoesNotEncode(String line) {
    assertTrue(IptablesNftScript.of(IptablesFamily.V4, "filter", List.of(line)).isEmpty(), line);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "-A CNI-FORWARD -s 10.0.0.2/32 -j ACCEPT",
      "-A CNI-FORWARD -d 10.0.0.2 -j ACCEPT",
      "-A CNI-FORWARD -p tcp --dport 80 -j DNAT --to-destination fd00::2:80",
      "-A CNI-FORWARD -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:80",
      "-A CNI-FORWARD -p icmpv6 -j ACCEPT"})
  void leavesToIp6tablesRestoreWhatItDoesNotEncode(String line) {
    assertTrue(IptablesNftScript.of(IptablesFamily.V6, "filter", List.of(line)).isEmpty(), line);
  }

  /** Thrown by {@link #commitOrRefuse} when the kernel refused the transaction. */
  private static final class AssertionErrorOrRefusal extends Exception {
    AssertionErrorOrRefusal() {
      super("refused");
    }
  }

  private static void commitOrRefuse(TestNetns t, String table, List<String> lines) throws Exception {
    try (NetNs ns = NetNs.open(Path.of(t.path()))) {
      if (!FirewallExec.in(ns).commit(IptablesNftScript.of(IptablesFamily.V4, table, lines).orElseThrow())) {
        throw new AssertionErrorOrRefusal();
      }
    }
  }

  private static void commitIn(TestNetns t, IptablesFamily family, String table, List<String> lines)
      throws Exception {
    try (NetNs ns = NetNs.open(Path.of(t.path()))) {
      assertTrue(commit(FirewallExec.in(ns), family, table, lines), "not committed: " + lines);
    }
  }

  private static String script(String table, List<String> lines) {
    StringBuilder s = new StringBuilder("*" + table + "\n");
    lines.forEach(l -> s.append(l).append('\n'));
    return s.append("COMMIT\n").toString();
  }

  private static List<String> rules(TestNetns t, IptablesFamily family, String table) throws IOException {
    List<String> out = new ArrayList<>();
    for (String l : t.exec(family.save, "-t", table).split("\n")) {
      if (l.startsWith("-A ") || l.startsWith(":")) {
        out.add(l.replaceAll("\\[\\d+:\\d+\\]", ""));
      }
    }
    return out;
  }

  /** Commits {@code lines} to {@code table} of {@code family} from this process as one nf_tables transaction. */
  private static boolean commit(FirewallExec exec, IptablesFamily family, String table, List<String> lines) {
    return IptablesTable.commitTogether(
        List.of(new IptablesTable.Change(new IptablesTable(exec, family, table, Deadline.none()), lines)));
  }
}
