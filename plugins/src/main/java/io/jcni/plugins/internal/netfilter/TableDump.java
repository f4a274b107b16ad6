package io.jcni.plugins.internal.netfilter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One iptables table as {@code iptables-save -t <table>} prints it, parsed from that output or read from the kernel
 * ({@link #lazy}): its chains and their rules in order. A change
 * is planned against it and recorded in it ({@link #append}, {@link #insertFirst}, {@link #delete}), so later steps
 * of the same plan see the earlier ones, as Go's sequence of single commands would.
 */
public final class TableDump {
  /** Reads the rules of one chain when a plan first asks for them. */
  @FunctionalInterface
  interface ChainReader {
    List<IptablesRule> rules(String chain);
  }

  private final Map<String, List<IptablesRule>> chains = new LinkedHashMap<>();
  private final ChainReader reader;

  private TableDump() {
    this(null);
  }

  private TableDump(ChainReader reader) {
    this.reader = reader;
  }

  /**
   * A table of {@code chainNames} whose rules are read chain by chain, the first time a plan looks at a chain, so
   * that reading costs what the plan touches rather than the whole table.
   */
  static TableDump lazy(List<String> chainNames, ChainReader reader) {
    TableDump d = new TableDump(reader);
    chainNames.forEach(c -> d.chains.put(c, null));
    return d;
  }

  /** Parses iptables-save output, keeping the block of {@code table}; counters and comments are ignored. */
  public static TableDump parse(String save, String table) {
    TableDump d = new TableDump();
    boolean inTable = false;
    for (String line : save.split("\n")) {
      if (line.startsWith("*")) {
        inTable = line.strip().equals("*" + table);
      } else if (!inTable || line.startsWith("#")) {
        continue;
      } else if (line.startsWith(":")) {
        int sp = line.indexOf(' ');
        d.addChain(sp < 0 ? line.substring(1).strip() : line.substring(1, sp));
      } else if (line.startsWith("-A ")) {
        List<String> words = IptablesSyntax.split(line);
        if (words.size() >= 2) {
          d.append(new IptablesRule(words.get(1), words.subList(2, words.size())));
        }
      }
    }
    return d;
  }

  /** Whether the chain exists (built-in chains of a table iptables has not created yet do not). */
  public boolean hasChain(String chain) {
    return chains.containsKey(chain);
  }

  /** Whether the rule is in its chain. */
  public boolean contains(IptablesRule rule) {
    return loaded(rule.chain()).contains(rule);
  }

  /** The rules of {@code chain}, in order (empty if it does not exist). */
  public List<IptablesRule> rules(String chain) {
    return List.copyOf(loaded(chain));
  }

  /** The rules of {@code chain} that jump to {@code target}, as their canonical words. */
  public List<List<String>> jumpsTo(String chain, String target) {
    return loaded(chain).stream().filter(r -> target.equals(r.target())).map(IptablesRule::spec).toList();
  }

  /** Every rule of the table, chain by chain in the order the chains were listed. */
  public List<IptablesRule> allRules() {
    return List.copyOf(chains.keySet()).stream().flatMap(c -> loaded(c).stream()).toList();
  }

  /** The rules of {@code chain} (empty if it does not exist), read now if they were not yet. */
  private List<IptablesRule> loaded(String chain) {
    if (!chains.containsKey(chain)) {
      return List.of();
    }
    List<IptablesRule> rules = chains.get(chain);
    if (rules == null) {
      rules = new ArrayList<>(reader.rules(chain));
      chains.put(chain, rules);
    }
    return rules;
  }

  /** Records a chain that is about to be created. */
  public void addChain(String chain) {
    if (!chains.containsKey(chain)) {
      chains.put(chain, new ArrayList<>());
    }
  }

  /** Records a rule that is about to be appended. */
  public void append(IptablesRule rule) {
    addChain(rule.chain());
    loaded(rule.chain()).add(rule);
  }

  /** Records a rule that is about to be inserted first in its chain. */
  public void insertFirst(IptablesRule rule) {
    addChain(rule.chain());
    loaded(rule.chain()).add(0, rule);
  }

  /** Records that the first match of {@code rule} is about to be deleted; false if there is none. */
  public boolean delete(IptablesRule rule) {
    return chains.containsKey(rule.chain()) && loaded(rule.chain()).remove(rule);
  }
}
