package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Names and comments against vectors taken from upstream issues and tests, not computed by this code. */
class MasqNamesTest {
  private static final String NERDCTL_ID = "default-237eaf51aa0c1411433db10b2c8dac0f826f87ac6f48c62084ee84c3d9c20384";

  @Test
  void chainNameMatchesIssue810() {
    // containernetworking/plugins#810 shows this chain for network "bridge" and this nerdctl container id.
    assertEquals("CNI-4f6dd6c08c7e1a901788c768", IpMasq.chainName("bridge", NERDCTL_ID));
  }

  @Test
  void chainNameMatchesGoBridgeOutput() {
    // Written by /usr/lib/cni/bridge (Debian 1.1.1) for network mynet, container dummy.
    assertEquals("CNI-1b29d9511ed2bb3134d925d5", IpMasq.chainName("mynet", "dummy"));
  }

  @Test
  void iptablesCommentMatchesIssue810() {
    // From the iptables-save excerpt in #810, after iptables-save's own escaping is undone.
    assertEquals("name: \"bridge\" id: \"" + NERDCTL_ID + "\"", IpMasq.iptablesComment("bridge", NERDCTL_ID));
  }

  @Test
  void nftCommentMatchesReference() {
    assertEquals("d23676b4f2d9fe04-678b25cd6528b49d, net: mynet, if: eth0, id: dummy",
        IpMasq.nftComment("mynet", "eth0", "dummy"));
  }

  @Test
  void nftCommentsMatchUpstreamKnftablesTest() {
    // pkg/ip/ipmasq_nftables_linux_test.go expected dump.
    assertEquals("6fd94d501e58f0aa-287fc69eff0574a2, net: unit-test, if: eth0, id: one",
        IpMasq.nftComment("unit-test", "eth0", "one"));
    assertEquals("6fd94d501e58f0aa-d750b2c8f0f25d5f, net: unit-test, if: eth0, id: two",
        IpMasq.nftComment("unit-test", "eth0", "two"));
    assertEquals("6fd94d501e58f0aa-a4d4adb82b669cfe, net: unit-test, if: eth0, id: three",
        IpMasq.nftComment("unit-test", "eth0", "three"));
    assertEquals("82783ef24bdc7036-acb19d111858e348, net: alternate, if: net1, id: three",
        IpMasq.nftComment("alternate", "net1", "three"));
    assertEquals("6fd94d501e58f0aa-e766de567ef6c543, net: unit-test, if: eth0, id: four",
        IpMasq.nftComment("unit-test", "eth0", "four"));
  }

  @Test
  void nftCommentStripsQuotesAndIsCutAt128Bytes() {
    String id = "x".repeat(200);
    String c = IpMasq.nftComment("my\"net", "eth0", id);
    assertEquals(128, c.getBytes(StandardCharsets.UTF_8).length);
    assertTrue(c.startsWith(MasqNames.instanceHash("my\"net", "eth0", id) + ", net: mynet, if: eth0, id: xxx"), c);
  }

  @Test
  void goQuoteFollowsStrconvQuote() {
    // Expected strings are Go's strconv.Quote outputs.
    assertEquals("\"abc\"", MasqNames.goQuote("abc"));
    assertEquals("\"a\\\"b\\\\c\"", MasqNames.goQuote("a\"b\\c"));
    assertEquals("\"\\n\\t\\r\\a\\b\\f\\v\"", MasqNames.goQuote("\n\t\r\u0007\b\f\u000b"));
    assertEquals("\"\\x01\\x7f\"", MasqNames.goQuote("\u0001\u007f"));
    assertEquals("\"é世\"", MasqNames.goQuote("é世"));
    assertEquals("\"\\u200b\\u00a0\"", MasqNames.goQuote("\u200b\u00a0"));
  }
}
