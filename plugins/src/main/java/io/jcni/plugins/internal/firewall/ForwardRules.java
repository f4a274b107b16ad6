package io.jcni.plugins.internal.firewall;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.netfilter.IptablesRule;
import io.jcni.plugins.internal.netfilter.TableDump;
import java.util.ArrayList;
import java.util.List;

/**
 * The iptables backend's forward rules, as upstream writes them: FORWARD jumps first to {@code CNI-FORWARD}, whose
 * first rule jumps to the administrator's override chain ({@code CNI-ADMIN} by default), followed by two rules per
 * container address (replies to it, anything from it).
 *
 * @param adminChain the admin override chain's name
 */
record ForwardRules(String adminChain) {
  /** The plugin's own chain; upstream does not let it be renamed. */
  static final String CHAIN = "CNI-FORWARD";

  IptablesRule forwardJump() {
    return IptablesRule.of("FORWARD", "-m", "comment", "--comment", "CNI firewall plugin rules", "-j", CHAIN);
  }

  IptablesRule adminJump() {
    return IptablesRule.of(CHAIN, "-m", "comment", "--comment", "CNI firewall plugin admin overrides", "-j",
        adminChain);
  }

  /** The two rules of each address, in Go's order; the address as iptables-save prints it, with a host prefix. */
  static List<IptablesRule> containerRules(List<IpNet> ips) {
    List<IptablesRule> rules = new ArrayList<>();
    for (IpNet ip : ips) {
      String host = Ips.format(ip.ip()) + (ip.isIpv4() ? "/32" : "/128");
      rules.add(IptablesRule.of(CHAIN, "-d", host, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j",
          "ACCEPT"));
      rules.add(IptablesRule.of(CHAIN, "-s", host, "-j", "ACCEPT"));
    }
    return rules;
  }

  /** ADD for one family's addresses: the chains and jumps if missing, then each address's rules if missing. */
  void add(FilterPlan plan, List<IpNet> ips) {
    if (ips.isEmpty()) {
      return;
    }
    plan.ensureChain(CHAIN);
    plan.ensureChain(adminChain);
    plan.insertUnique(forwardJump(), true);
    plan.insertUnique(adminJump(), true);
    for (IptablesRule r : containerRules(ips)) {
      plan.appendOwn(r);
    }
  }

  /** DEL for one family's addresses: their rules go; chains and jumps stay for the other containers. */
  static void del(FilterPlan plan, List<IpNet> ips) {
    containerRules(ips).forEach(plan::delete);
  }

  /**
   * CHECK for one family's addresses against the table as it will be once {@code plan} (which creates missing
   * chains, as upstream's CHECK does) is applied; Go's texts.
   */
  void check(FilterPlan plan, List<IpNet> ips) throws CniException {
    if (ips.isEmpty()) {
      return;
    }
    plan.ensureChain(CHAIN);
    plan.ensureChain(adminChain);
    TableDump table = plan.table();
    for (IptablesRule jump : List.of(forwardJump(), adminJump())) {
      if (!table.contains(jump)) {
        throw new CniException(ErrorCode.INTERNAL,
            "expected " + jump.chain() + " rule " + jump.goSpec() + " not found");
      }
    }
    for (IptablesRule r : containerRules(ips)) {
      if (!table.contains(r)) {
        throw new CniException(ErrorCode.INTERNAL, "expected rule " + r.goSpec() + " not found");
      }
    }
  }
}
