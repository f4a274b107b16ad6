package io.jcni.plugins.netfilter;

import java.util.ArrayList;
import java.util.List;

/**
 * One rule of the iptables nat table: its chain and its rule specification, in the word order iptables-save
 * prints (addresses, matches, then the target), which is how two rules are compared.
 */
record NatRule(String chain, List<String> spec) {
  NatRule {
    spec = List.copyOf(spec);
  }

  /** The jump target ({@code -j X}), or {@code null}. */
  String target() {
    int j = spec.lastIndexOf("-j");
    return j >= 0 && j + 1 < spec.size() ? spec.get(j + 1) : null;
  }

  /** The iptables-restore line that appends this rule. */
  String appendLine() {
    return line("-A");
  }

  /** The iptables-restore line that deletes this rule by specification. */
  String deleteLine() {
    return line("-D");
  }

  private String line(String op) {
    List<String> words = new ArrayList<>(spec.size() + 2);
    words.add(op);
    words.add(chain);
    words.addAll(spec);
    return IptablesSyntax.join(words);
  }
}
