package io.jcni.plugins.internal.firewall;

import io.jcni.plugins.internal.netfilter.IptablesRule;

/**
 * The {@code ingressPolicy} bridge isolation chains, as upstream writes them: FORWARD jumps first to
 * {@code CNI-ISOLATION-STAGE-1}, which sends traffic leaving an isolated bridge for another interface to
 * {@code CNI-ISOLATION-STAGE-2}, which drops it if it is headed for another isolated bridge. Rules are per bridge
 * and never removed (other containers may still use the bridge), as upstream.
 */
final class IsolationRules {
  static final String STAGE_1 = "CNI-ISOLATION-STAGE-1";
  static final String STAGE_2 = "CNI-ISOLATION-STAGE-2";

  /** The comment of the rules shared by all policies; upstream v1.7.0 changed it from "...: same-bridge)". */
  static final String SHARED_COMMENT = "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)";

  private IsolationRules() {}

  /** ADD: the chains, the FORWARD jump and the bridge's rules, each unless present, in upstream's order. */
  static void add(FilterPlan plan, String bridge, IngressPolicy policy) {
    String own = "CNI firewall plugin rules (ingressPolicy: " + policy.text + ")";
    plan.ensureChain(STAGE_1);
    plan.ensureChain(STAGE_2);
    plan.insertUnique(IptablesRule.of("FORWARD", "-m", "comment", "--comment", SHARED_COMMENT, "-j", STAGE_1), true);
    plan.insertUnique(
        IptablesRule.of(STAGE_1, "-i", bridge, "!", "-o", bridge, "-m", "comment", "--comment", own, "-j", STAGE_2),
        true);
    if (policy == IngressPolicy.ISOLATED) {
      plan.insertUnique(
          IptablesRule.of(STAGE_1, "-i", bridge, "-o", bridge, "-m", "comment", "--comment", own, "-j", "DROP"),
          true);
    }
    plan.insertUnique(IptablesRule.of(STAGE_1, "-m", "comment", "--comment", SHARED_COMMENT, "-j", "RETURN"), false);
    plan.insertUnique(
        IptablesRule.of(STAGE_2, "-o", bridge, "-m", "comment", "--comment", SHARED_COMMENT, "-j", "DROP"), true);
    plan.insertUnique(IptablesRule.of(STAGE_2, "-m", "comment", "--comment", SHARED_COMMENT, "-j", "RETURN"), false);
  }
}
