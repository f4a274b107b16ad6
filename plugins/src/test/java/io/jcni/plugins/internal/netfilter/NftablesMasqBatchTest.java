package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NfTablesRules;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-process nftables masquerade setup against nft itself: the bytes {@code nft -f -} sends for
 * {@link NftablesMasq#setupScript} (strace), and what {@code nft list} prints after the same operations made
 * through jcni in one namespace and through nft in another.
 */
@RequiresCapabilities
class NftablesMasqBatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TABLE = "cni_plugins_masquerade";

  private final List<TestNetns> namespaces = new ArrayList<>();

  @AfterEach
  void cleanUp() throws IOException {
    for (TestNetns n : namespaces) {
      n.close();
    }
  }

  private TestNetns netns() throws IOException {
    TestNetns t = TestNetns.create("nftm");
    namespaces.add(t);
    return t;
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.250.8.2/24", "10.250.8.2/20", "10.250.8.130/25", "10.250.8.2/32", "10.250.8.2/0",
      "10.250.8.2/8,2001:db8:9::5/64", "2001:db8:9::5/60", "2001:db8:9::5/128", "2001:db8:9::5/0"})
  void sendsWhatNftSends(String cidrs) throws Exception {
    List<IpNet> ips = Cidrs.of(cidrs.split(","));
    String comment = IpMasq.nftComment("jt-net", "eth0", "jt-container");
    TestNetns t = netns();
    assertBatchEquals(t, List.of(), comment, ips);

    // Again over what it made: the table and chains exist, and the rules of the attachment are stale.
    List<NfTablesRules.Rule> rules = listIn(t);
    assertEquals(ips.size(), rules.size());
    assertBatchEquals(t, rules, comment, ips);
  }

  private static List<NfTablesRules.Rule> listIn(TestNetns t) throws IOException {
    try (NetNs ns = NetNs.open(Path.of(t.path()))) {
      return FirewallExec.in(ns).listNftRules(NfTablesRules.FAMILY_INET, TABLE, NftablesMasq.CHAIN).orElseThrow();
    }
  }

  /** Runs the setup script through nft under strace and compares each message it sent with ours. */
  private static void assertBatchEquals(TestNetns t, List<NfTablesRules.Rule> stale, String comment,
      List<IpNet> ips) throws Exception {
    List<NftRuleRef> refs = stale.stream()
        .map(r -> new NftRuleRef("inet", TABLE, NftablesMasq.CHAIN, r.handle(), r.comment(), null)).toList();
    NftSends.assertSameAs(t.name(), NftablesMasq.setupScript(refs, comment, ips),
        NftablesMasqBatch.setup(stale.stream().map(NfTablesRules.Rule::handle).toList(), comment, ips));
  }

  /**
   * The same ADDs (one re-ADD replacing an attachment's rules, a second attachment, dual stack) made through jcni
   * in one namespace and through {@code nft -f -} in another leave the same table, also over a table that existed
   * before with another comment, which both keep.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void listsLikeWhatNftMakes(boolean tableExists) throws Exception {
    TestNetns ours = netns();
    TestNetns theirs = netns();
    if (tableExists) {
      for (TestNetns t : List.of(ours, theirs)) {
        t.exec("nft", "add table inet " + TABLE + " { comment \"made before\" ; }");
      }
    }
    try (NetNs ns = NetNs.open(Path.of(ours.path()))) {
      LaunchGuard guard = new LaunchGuard(ns).forbid();
      IpMasq jcni = new IpMasq(IpMasqBackend.NFTABLES, guard);
      IpMasq nft = new IpMasq(IpMasqBackend.NFTABLES, new NetnsExec(theirs.name()));
      for (IpMasq m : List.of(jcni, nft)) {
        m.setup("jt-net", "one", "eth0", Cidrs.of("10.250.8.2/24", "2001:db8:8::2/64"));
        m.setup("jt-net", "two", "eth0", Cidrs.of("10.250.8.3/20"));
        m.setup("jt-net", "one", "eth0", Cidrs.of("10.250.8.4/24", "2001:db8:8::4/60"));
      }
      assertEquals(List.of(), guard.forbidden());
    }
    assertEquals(jsonListing(theirs), jsonListing(ours));
    assertEquals(textListing(theirs), textListing(ours));
    assertTrue(textListing(ours).contains(tableExists ? "comment \"made before\""
        : "comment \"" + NftablesMasq.TABLE_COMMENT + "\""), textListing(ours));
    assertTrue(textListing(ours).contains("comment \"" + NftablesMasq.CHAIN_COMMENT + "\""), textListing(ours));
    assertTrue(textListing(ours).contains("ip6 saddr 2001:db8:8::4 ip6 daddr != 2001:db8:8::/60 masquerade"),
        textListing(ours));
  }

  /** {@code nft -j list table}, handles left out (nft 1.0.6 leaves table and chain comments out of it). */
  private static JsonNode jsonListing(TestNetns t) throws IOException {
    JsonNode n = JSON.readTree(t.exec("nft", "-j", "list", "table", "inet", TABLE));
    for (JsonNode item : n.path("nftables")) {
      item.forEach(o -> {
        if (o instanceof ObjectNode obj) {
          obj.remove("handle");
        }
      });
    }
    return n;
  }

  private static String textListing(TestNetns t) throws IOException {
    return t.exec("nft", "list", "table", "inet", TABLE);
  }
}
