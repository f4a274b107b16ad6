package io.jcni.plugins.internal.netfilter;

import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesRules;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The deletion of nft rules found by their comment (the rule's user data, as nft writes it), the way the Go
 * plugins' nftables backends find a container's rules: the chains are read over netlink and the matching rules
 * deleted by handle in one nf_tables transaction from this process.
 */
public final class NftRulesByComment {
  /** Attempts: a rule deleted by someone else between the read and the commit makes the kernel refuse it once. */
  private static final int ATTEMPTS = 2;

  private NftRulesByComment() {}

  /** One chain of an nft table: {@code family} as nf_tables numbers it (e.g. {@link NfTablesRules#FAMILY_INET}). */
  public record Chain(int family, String table, String name) {}

  /**
   * Deletes the rules of {@code chains} whose comment {@code wanted} accepts, all in one transaction, read afresh
   * and tried once more when the kernel refuses it; a missing chain counts as empty. False, with nothing deleted,
   * when a chain cannot be read here or the second try is refused too: the caller then runs nft.
   */
  public static boolean delete(FirewallExec exec, List<Chain> chains, Predicate<String> wanted) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      NfTablesBatch batch = new NfTablesBatch();
      if (!addDeletes(exec, chains, wanted, batch)) {
        return false;
      }
      if (batch.isEmpty() || exec.commitNft(batch)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds to {@code batch} the deletion of the rules of {@code chains} whose comment {@code wanted} accepts, as read
   * now; false when a chain cannot be read here.
   */
  public static boolean addDeletes(FirewallExec exec, List<Chain> chains, Predicate<String> wanted,
      NfTablesBatch batch) {
    for (Chain c : chains) {
      Optional<List<NfTablesRules.Rule>> rules = exec.listNftRules(c.family(), c.table(), c.name());
      if (rules.isEmpty()) {
        return false;
      }
      for (NfTablesRules.Rule r : rules.get()) {
        if (r.comment() != null && wanted.test(r.comment())) {
          batch.deleteRule(c.family(), c.table(), c.name(), r.handle());
        }
      }
    }
    return true;
  }
}
