package io.jcni.plugins.internal.netfilter;

import java.util.ArrayList;
import java.util.List;

/**
 * One iptables rule of any table: its chain and its specification in the word order iptables-save prints
 * (addresses, matches, then the target), which is how two rules are compared.
 *
 * @param chain the chain the rule is in
 * @param spec the rule's words after {@code -A chain}
 */
public record IptablesRule(String chain, List<String> spec) {
  public IptablesRule {
    spec = List.copyOf(spec);
  }

  /** The rule with its words given one by one. */
  public static IptablesRule of(String chain, String... spec) {
    return new IptablesRule(chain, List.of(spec));
  }

  /** The jump target ({@code -j X}), or {@code null}. */
  public String target() {
    int j = spec.lastIndexOf("-j");
    return j >= 0 && j + 1 < spec.size() ? spec.get(j + 1) : null;
  }

  /** The iptables-restore line that appends this rule. */
  public String appendLine() {
    return line("-A", List.of());
  }

  /** The iptables-restore line that inserts this rule as the chain's first. */
  public String insertFirstLine() {
    return line("-I", List.of("1"));
  }

  /** The iptables-restore line that deletes (the first match of) this rule by specification. */
  public String deleteLine() {
    return line("-D", List.of());
  }

  /** The specification as Go's {@code %v} prints a {@code []string}: {@code [-s 10.0.0.2/32 -j ACCEPT]}. */
  public String goSpec() {
    return "[" + String.join(" ", spec) + "]";
  }

  /** The iptables-restore line {@code op chain position… spec…}. */
  String line(String op, List<String> position) {
    List<String> words = new ArrayList<>(spec.size() + 3);
    words.add(op);
    words.add(chain);
    words.addAll(position);
    words.addAll(spec);
    return IptablesSyntax.join(words);
  }
}
