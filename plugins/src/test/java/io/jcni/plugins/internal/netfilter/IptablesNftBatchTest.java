package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-process ipMasq setup against iptables-nft itself: the bytes iptables-restore sends for the same lines
 * (strace), what iptables-save prints afterwards, and Go's way of deleting the jump ({@code iptables -D}).
 */
@RequiresCapabilities
class IptablesNftBatchTest {
  private static final String CHAIN = "CNI-0123456789abcdef01234567";
  private static final String COMMENT = "name: \"jt-net\" id: \"jt-container\"";
  /** A line of strace's hex dump: offset, up to 16 bytes in two groups of 8, then the same bytes as text. */
  private static final Pattern HEX_LINE = Pattern.compile("^ \\| [0-9a-f]{5}  (.{49})", Pattern.MULTILINE);

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

  /**
   * A namespace whose nat table has its POSTROUTING chain, as on any node where something masquerades (iptables-nft
   * creates a base chain only when first used; the batch does not create it, and fails without it).
   */
  private TestNetns withNatTable() throws IOException {
    TestNetns t = TestNetns.create("nft");
    namespaces.add(t);
    t.exec("iptables", "-w", "-t", "nat", "-P", "POSTROUTING", "ACCEPT");
    return t;
  }

  private static IpNet net(String cidr) {
    return IpNet.tryParse(cidr);
  }

  private static String restoreScript(IpNet ip) {
    StringBuilder s = new StringBuilder("*nat\n");
    IptablesMasq.freshSetupLines(CHAIN, COMMENT, List.of(ip)).forEach(l -> s.append(l).append('\n'));
    return s.append("COMMIT\n").toString();
  }

  private static void commitIn(TestNetns t, NfTablesBatch batch) throws IOException {
    try (NetNs ns = NetNs.open(Path.of(t.path()))) {
      ns.runIn(() -> {
        try (NfTablesSocket s = NfTablesSocket.openHere()) {
          s.commit(batch);
        }
        return null;
      });
    }
  }

  private static List<String> natRules(TestNetns t) throws IOException {
    return natRules(t, IptablesFamily.V4);
  }

  private static List<String> natRules(TestNetns t, IptablesFamily f) throws IOException {
    List<String> out = new ArrayList<>();
    for (String l : t.exec(f.save, "-t", "nat").split("\n")) {
      if (l.startsWith("-A ") || l.startsWith(":")) {
        out.add(l.replaceAll("\\[\\d+:\\d+\\]", ""));
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.231.7.9/16", "10.231.7.9/24", "10.231.7.9/20", "10.231.7.9/9", "10.231.7.9/32"})
  void sendsWhatIptablesRestoreSends(String cidr) throws Exception {
    IpNet ip = net(cidr);
    TestNetns t = withNatTable();
    Path trace = Files.createTempFile("jt-nft", ".txt");
    try {
      new NetnsExec(t.name()).run(List.of("strace", "-f", "-e", "trace=sendmsg", "-e", "write=all", "-o",
          trace.toString(), "iptables-restore", "-w", "--noflush"), restoreScript(ip));
      List<byte[]> theirs = messages(lastBatch(Files.readString(trace)));
      List<byte[]> ours = messages(IptablesNftBatch.freshSetup(CHAIN, COMMENT, List.of(ip)).orElseThrow().encode(1, 0));
      // theirs also declares the base chain POSTROUTING again and checks the generation; ours does neither
      theirs.removeIf(m -> type(m) == 0x0a03 && new String(m, 16, m.length - 16).contains("POSTROUTING"));
      assertEquals(kinds(theirs).subList(1, kinds(theirs).size() - 1), kinds(ours).subList(1, kinds(ours).size() - 1));
      for (int i = 1; i < ours.size() - 1; i++) {
        assertEquals(hex(theirs.get(i), 16), hex(ours.get(i), 16), "message " + i + " payload");
        assertEquals(flags(theirs.get(i)), flags(ours.get(i)), "message " + i + " flags");
      }
    } finally {
      Files.deleteIfExists(trace);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.231.7.9/16", "10.231.7.9/20"})
  void iptablesSavePrintsWhatIptablesRestoreMakesAndGoCanDeleteIt(String cidr) throws Exception {
    IpNet ip = net(cidr);
    TestNetns ours = withNatTable();
    TestNetns theirs = withNatTable();
    commitIn(ours, IptablesNftBatch.freshSetup(CHAIN, COMMENT, List.of(ip)).orElseThrow());
    new NetnsExec(theirs.name()).run(List.of("iptables-restore", "-w", "--noflush"), restoreScript(ip));
    assertEquals(natRules(theirs), natRules(ours));
    assertTrue(natRules(ours).contains("-A " + CHAIN + " ! -d 224.0.0.0/4 -m comment --comment \"name: \\\"jt-net\\\""
        + " id: \\\"jt-container\\\"\" -j MASQUERADE"), natRules(ours).toString());

    // Go's teardown: delete the jump by its spec, then flush and delete the chain
    ours.exec("iptables", "-w", "-t", "nat", "-D", "POSTROUTING", "-s", IptablesMasq.hostCidr(ip), "-m", "comment",
        "--comment", COMMENT, "-j", CHAIN);
    ours.exec("iptables", "-w", "-t", "nat", "-F", CHAIN);
    ours.exec("iptables", "-w", "-t", "nat", "-X", CHAIN);
    assertFalse(String.join("\n", natRules(ours)).contains(CHAIN));
  }

  /**
   * A dual-stack container (two IPv6 addresses sharing one network) in one transaction: iptables-save and
   * ip6tables-save print what both restores make, and the exact teardown, its jumps found by handle, leaves
   * nothing of the container in either family.
   */
  @Test
  void dualStackSetupAndTeardownEachInOneTransaction() throws Exception {
    List<IpNet> ips = List.of(net("10.231.7.9/24"), net("2001:db8:7::9/64"), net("2001:db8:7::a/64"));
    TestNetns ours = withNatTable();
    TestNetns theirs = withNatTable();
    for (TestNetns t : List.of(ours, theirs)) {
      t.exec("ip6tables", "-w", "-t", "nat", "-P", "POSTROUTING", "ACCEPT");
    }
    commitIn(ours, IptablesNftBatch.freshSetup(CHAIN, COMMENT, ips).orElseThrow());
    for (IptablesFamily f : IptablesFamily.values()) {
      StringBuilder s = new StringBuilder("*nat\n");
      IptablesMasq.freshSetupLines(CHAIN, COMMENT, f.of(ips)).forEach(l -> s.append(l).append('\n'));
      new NetnsExec(theirs.name()).run(List.of(f.restore, "-w", "--noflush"), s.append("COMMIT\n").toString());
      assertEquals(natRules(theirs, f), natRules(ours, f), f.toString());
      assertTrue(String.join("\n", natRules(ours, f)).contains(CHAIN), f.toString());
    }
    assertTrue(natRules(ours, IptablesFamily.V6).contains("-A POSTROUTING -s 2001:db8:7::a/128 -m comment --comment "
        + "\"name: \\\"jt-net\\\" id: \\\"jt-container\\\"\" -j " + CHAIN), natRules(ours, IptablesFamily.V6).toString());

    try (NetNs ns = NetNs.open(Path.of(ours.path()))) {
      FirewallExec exec = FirewallExec.in(ns);
      assertTrue(exec.commit(IptablesNftBatch.exactTeardown(exec, CHAIN, COMMENT, ips).orElseThrow()));
      // nothing left to delete exactly: the computed teardown finds nothing either
      assertTrue(IptablesNftBatch.exactTeardown(exec, CHAIN, COMMENT, ips).isEmpty());
      assertTrue(IptablesNftBatch.teardown(exec, CHAIN, ips).orElseThrow().isEmpty());
    }
    for (IptablesFamily f : IptablesFamily.values()) {
      assertFalse(String.join("\n", natRules(ours, f)).contains(CHAIN), f.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"chain exists", "no POSTROUTING", "no nat table"})
  void aRefusedBatchAppliesNothing(String state) throws Exception {
    IpNet ip = net("10.231.7.9/16");
    boolean chainExists = state.equals("chain exists");
    TestNetns t;
    if (chainExists) {
      t = withNatTable();
      t.exec("iptables", "-w", "-t", "nat", "-N", CHAIN);
    } else {
      t = TestNetns.create("nft");
      namespaces.add(t);
      if (state.equals("no POSTROUTING")) {
        t.exec("iptables", "-w", "-t", "nat", "-N", "JT-X");
      }
    }
    List<String> before = natRules(t);
    IOException e = assertThrows(IOException.class,
        () -> commitIn(t, IptablesNftBatch.freshSetup(CHAIN, COMMENT, List.of(ip)).orElseThrow()));
    assertTrue(e instanceof ErrnoException, e.toString());
    assertEquals(chainExists ? ErrnoException.Kind.EXISTS : ErrnoException.Kind.NOT_FOUND,
        ((ErrnoException) e).kind(), e.toString());
    assertEquals(before, natRules(t));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2001:db8::5/0", "10.231.7.9/0"})
  void leavesToIptablesRestoreWhatItDoesNotEncode(String cidr) {
    assertTrue(IptablesNftBatch.freshSetup(CHAIN, COMMENT, List.of(net(cidr))).isEmpty());
    assertTrue(IptablesNftBatch.freshSetup(CHAIN, "x".repeat(256), List.of(net("10.231.7.9/16"))).isEmpty());
  }

  /** The datagram of the last sendmsg in an strace -e write=all log. */
  static byte[] lastBatch(String log) {
    int at = log.lastIndexOf("sendmsg(");
    Matcher m = HEX_LINE.matcher(log.substring(at));
    StringBuilder hex = new StringBuilder();
    while (m.find()) {
      for (String pair : m.group(1).trim().split(" +")) {
        if (pair.matches("[0-9a-f]{2}")) {
          hex.append(pair);
        }
      }
    }
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  static List<byte[]> messages(byte[] datagram) {
    ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
    List<byte[]> out = new ArrayList<>();
    int pos = 0;
    while (pos + 16 <= datagram.length) {
      int len = b.getInt(pos);
      byte[] m = new byte[len];
      b.get(pos, m);
      out.add(m);
      pos += (len + 3) & ~3;
    }
    return out;
  }

  static int type(byte[] m) {
    return ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).getShort(4) & 0xffff;
  }

  static int flags(byte[] m) {
    return ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).getShort(6) & 0xffff;
  }

  private static List<Integer> kinds(List<byte[]> ms) {
    return ms.stream().map(IptablesNftBatchTest::type).toList();
  }

  static String hex(byte[] m, int from) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i < m.length; i++) {
      s.append(String.format("%02x", m[i]));
    }
    return s.toString();
  }
}
