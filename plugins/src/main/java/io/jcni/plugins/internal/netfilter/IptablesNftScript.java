package io.jcni.plugins.internal.netfilter;

import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The iptables-restore lines of one table of one address family as one nf_tables transaction, encoded as
 * iptables-nft encodes them ({@link IptablesNftRule}), so one change of a plugin goes to the kernel without
 * launching a program.
 *
 * <p>Covered lines: a new chain ({@code :CHAIN - [0:0]} or {@code -N CHAIN}; the transaction fails if it exists,
 * where iptables-restore --noflush would flush it, which no caller wants), {@code -A}, {@code -I} at the top,
 * {@code -F}, {@code -X}, and {@code -D} of a rule, which nf_tables deletes by its handle: the chain is read
 * ({@link FirewallExec#readChain}) and the first rule iptables-save would print with that text is deleted, as
 * iptables -D would. Not covered, and so left to iptables-restore with the whole transaction: other positions, a
 * {@code -D} whose rule is not found, and any rule {@link IptablesNftRule} does not encode.
 */
public final class IptablesNftScript {
  private IptablesNftScript() {}

  /**
   * The transaction of {@code lines} in {@code table} ({@code nat}, {@code filter}) of {@code family}; empty if not
   * covered.
   */
  static Optional<NfTablesBatch> of(IptablesFamily family, String table, List<String> lines) {
    NfTablesBatch b = new NfTablesBatch();
    return add(b, family, table, lines, ChainReader.NONE) ? Optional.of(b) : Optional.empty();
  }

  /** Reads one chain's rules with their handles. */
  @FunctionalInterface
  interface ChainReader {
    /** Reads nothing: for lines without {@code -D}, or where a {@code -D} must leave the lines uncovered. */
    ChainReader NONE = (family, table, chain) -> Optional.empty();

    Optional<List<ListedRule>> read(IptablesFamily family, String table, String chain);
  }

  /**
   * Adds the messages of {@code lines} to {@code b}, so that the changes of both families can go in one
   * transaction; false, with {@code b} then unusable, if a line is not covered.
   */
  static boolean add(NfTablesBatch b, IptablesFamily family, String table, List<String> lines, ChainReader reader) {
    Map<String, List<ListedRule>> read = new HashMap<>(); // per chain, less the rules deleted by earlier lines
    int fam = family.nfproto;
    for (String line : lines) {
      List<String> w = IptablesSyntax.split(line);
      if (w.isEmpty()) {
        return false;
      }
      String op = w.get(0);
      if (op.startsWith(":") && w.size() == 3 && w.get(1).equals("-") && w.get(2).equals("[0:0]")) {
        b.newChain(fam, table, op.substring(1));
        continue;
      }
      if (w.size() < 2) {
        return false;
      }
      String chain = w.get(1);
      switch (op) {
        case "-N" -> {
          if (w.size() != 2) {
            return false;
          }
          b.newChain(fam, table, chain);
        }
        case "-F", "-X" -> {
          if (w.size() != 2) {
            return false;
          }
          if (op.equals("-F")) {
            b.flushChain(fam, table, chain);
          } else {
            b.deleteChain(fam, table, chain);
          }
        }
        case "-D" -> {
          if (!read.containsKey(chain)) {
            Optional<List<ListedRule>> rules = reader.read(family, table, chain);
            if (rules.isEmpty()) {
              return false;
            }
            read.put(chain, new ArrayList<>(rules.get()));
          }
          IptablesRule wanted = new IptablesRule(chain, w.subList(2, w.size()));
          ListedRule found = read.get(chain).stream().filter(r -> r.recognised() && r.rule().equals(wanted))
              .findFirst().orElse(null);
          if (found == null) {
            return false; // iptables-restore then reports the missing rule as iptables would
          }
          read.get(chain).remove(found);
          b.deleteRule(fam, table, chain, found.handle());
        }
        case "-A", "-I" -> {
          List<String> spec = w.subList(2, w.size());
          if (op.equals("-I") && !spec.isEmpty() && spec.get(0).matches("[0-9]+")) {
            if (!spec.get(0).equals("1")) {
              return false;
            }
            spec = spec.subList(1, spec.size());
          }
          Optional<IptablesNftRule> rule = IptablesNftRule.encode(family, spec);
          if (rule.isEmpty()) {
            return false;
          }
          b.addRule(fam, table, chain, rule.get().exprs(), rule.get().compatProto(), op.equals("-A"));
        }
        default -> {
          return false;
        }
      }
    }
    return true;
  }
}
