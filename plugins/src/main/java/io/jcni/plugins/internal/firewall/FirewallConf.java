package io.jcni.plugins.internal.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Results;

/**
 * The firewall plugin's network configuration, read as Go reads its {@code FirewallNetConf} (keys
 * case-insensitive, unknown keys ignored), with the prevResult converted to a 1.x result as Go's {@code parseConf}
 * does.
 *
 * @param cniVersion the configuration's {@code cniVersion}
 * @param backend {@code backend} as given ("" when absent): {@code iptables}, {@code firewalld}, or anything else
 *     for "firewalld if it is running, else iptables"
 * @param adminChain {@code iptablesAdminChainName}, default {@code CNI-ADMIN}
 * @param firewalldZone {@code firewalldZone}, default {@code trusted}
 * @param ingressPolicyText {@code ingressPolicy} as given ("" when absent)
 * @param prevResult the prevResult as a 1.x result, or null when the configuration has none
 */
record FirewallConf(
    String cniVersion,
    String backend,
    String adminChain,
    String firewalldZone,
    String ingressPolicyText,
    Result100 prevResult) {

  static final String DEFAULT_ADMIN_CHAIN = "CNI-ADMIN";
  static final String DEFAULT_ZONE = "trusted";

  /** Parses the stdin bytes of a firewall invocation, failing with Go's texts. */
  static FirewallConf parse(byte[] stdin) throws CniException {
    JsonFields n;
    String cniVersion;
    String backend;
    String admin;
    String zone;
    String policy;
    JsonNode prev;
    try {
      n = JsonFields.parse(stdin, "main.FirewallNetConf", "FirewallNetConf");
      cniVersion = n.string("cniVersion");
      n.string("name");
      n.string("type");
      n.fields("ipam", "types.IPAM", "IPAM").string("type");
      backend = n.string("backend");
      admin = n.string("iptablesAdminChainName");
      zone = n.string("firewalldZone");
      policy = n.string("ingressPolicy");
      prev = n.object("prevResult", "map[string]interface {}");
    } catch (CniException e) {
      throw e.errorCode() == ErrorCode.DECODING_FAILURE ? e.withPrefix("failed to load netconf: ") : e;
    }
    Result100 result = null;
    if (prev != null) {
      var parsed = Results.parsePrevResult(prev, cniVersion);
      try {
        result = (Result100) parsed.convertTo(Result100.IMPLEMENTED);
      } catch (CniException e) {
        throw e.withPrefix("could not convert result to current version: ");
      }
    }
    return new FirewallConf(cniVersion, backend, admin.isEmpty() ? DEFAULT_ADMIN_CHAIN : admin,
        zone.isEmpty() ? DEFAULT_ZONE : zone, policy, result);
  }

  /** Go's error when ADD or CHECK has no prevResult to work on. */
  static CniException missingPrevResult() {
    return new CniException(ErrorCode.INTERNAL, "missing prevResult from earlier plugin");
  }
}
