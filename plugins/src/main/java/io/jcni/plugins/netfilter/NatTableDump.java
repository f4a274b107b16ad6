package io.jcni.plugins.netfilter;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The nat table as {@code iptables-save -t nat} printed it: chain names and rules. */
final class NatTableDump {
  private final Set<String> chains = new LinkedHashSet<>();
  private final List<NatRule> rules = new ArrayList<>();

  /** Parses iptables-save output; other tables' blocks, counters and comments are ignored. */
  static NatTableDump parse(String save) {
    NatTableDump d = new NatTableDump();
    boolean inNat = false;
    for (String line : save.split("\n")) {
      if (line.startsWith("*")) {
        inNat = line.strip().equals("*nat");
      } else if (!inNat || line.startsWith("#")) {
        continue;
      } else if (line.startsWith(":")) {
        int sp = line.indexOf(' ');
        d.chains.add(sp < 0 ? line.substring(1).strip() : line.substring(1, sp));
      } else if (line.startsWith("-A ")) {
        List<String> words = IptablesSyntax.split(line);
        if (words.size() >= 2) {
          d.rules.add(new NatRule(words.get(1), words.subList(2, words.size())));
        }
      }
    }
    return d;
  }

  boolean hasChain(String chain) {
    return chains.contains(chain);
  }

  boolean contains(NatRule rule) {
    return rules.contains(rule);
  }

  List<NatRule> rules() {
    return List.copyOf(rules);
  }

  /** Records a chain this run is about to create, so later rules see it. */
  void addChain(String chain) {
    chains.add(chain);
  }

  /** Records a rule this run is about to append, so duplicates within one setup are not appended twice. */
  void addRule(NatRule rule) {
    rules.add(rule);
  }
}
