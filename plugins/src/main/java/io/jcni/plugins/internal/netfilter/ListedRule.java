package io.jcni.plugins.internal.netfilter;

/**
 * An iptables rule read from the kernel: the rule as iptables-save prints it, and the nf_tables handle that deletes
 * exactly it. A rule that was not recognised keeps its handle but carries a placeholder specification that no
 * planned rule equals, so nothing is ever deleted on a guess.
 *
 * @param rule the rule, or the placeholder when {@code recognised} is false
 * @param handle the rule's nf_tables handle
 * @param recognised whether {@code rule} is the rule's real iptables text
 */
public record ListedRule(IptablesRule rule, long handle, boolean recognised) {
  /** The word that starts a placeholder's specification; iptables never prints it. */
  static final String UNRECOGNISED = "--jcni-unrecognised";

  /** The placeholder for an unrecognised rule of {@code chain}. */
  static ListedRule unrecognised(String chain, long handle) {
    return new ListedRule(IptablesRule.of(chain, UNRECOGNISED, Long.toString(handle)), handle, false);
  }
}
