package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class IptablesSyntaxTest {
  @Test
  void splitsIptablesSaveLineFromIssue810() {
    String line = "-A POSTROUTING -s 10.4.0.29/32 -m comment --comment \"name: \\\"bridge\\\" id: \\\"default-2\\\"\""
        + " -j CNI-4f6dd6c08c7e1a901788c768";
    assertEquals(List.of("-A", "POSTROUTING", "-s", "10.4.0.29/32", "-m", "comment", "--comment",
        "name: \"bridge\" id: \"default-2\"", "-j", "CNI-4f6dd6c08c7e1a901788c768"), IptablesSyntax.split(line));
  }

  @Test
  void splitsSaveEscapedApostropheAndBackslash() {
    // iptables-save 1.8.9 prints a comment a\b'c as "a\\b\'c".
    assertEquals(List.of("--comment", "a\\b'c"), IptablesSyntax.split("--comment \"a\\\\b\\'c\""));
  }

  @Test
  void joinQuotesOnlyWhatNeedsIt() {
    List<String> words = List.of("-A", "CNI-x", "!", "-d", "224.0.0.0/4", "--comment", "name: \"n\" id: \"a\\b'c\"", "");
    String line = IptablesSyntax.join(words);
    assertEquals("-A CNI-x ! -d 224.0.0.0/4 --comment \"name: \\\"n\\\" id: \\\"a\\\\b\\'c\\\"\" \"\"", line);
    assertEquals(words, IptablesSyntax.split(line));
  }
}
