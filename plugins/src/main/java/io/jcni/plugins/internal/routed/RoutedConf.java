package io.jcni.plugins.internal.routed;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.attach.DnsOverride;
import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.netfilter.IpMasqBackend;

/**
 * The {@code jcni-routed} plugin's network configuration, read with Go's rules (keys case-insensitive, unknown keys
 * ignored).
 *
 * @param cniVersion the configuration's {@code cniVersion}
 * @param name the network name
 * @param ipamType {@code ipam.type} (required; {@code host-local} runs in process where registered)
 * @param vethPrefix the host veth name prefix, default {@code cali}; at most 11 characters
 * @param ipMasq masquerade traffic from the pod leaving its network
 * @param ipMasqBackend {@code iptables}, {@code nftables}, or null for automatic
 * @param mtu MTU of both veth ends; 0 = kernel default
 * @param dns the top-level {@code dns} when set in Go's sense (it then replaces the IPAM DNS), else null
 * @param prevResult the raw {@code prevResult}, or null
 */
record RoutedConf(String cniVersion, String name, String ipamType, String vethPrefix, boolean ipMasq,
    String ipMasqBackend, int mtu, Dns dns, JsonNode prevResult) {

  /** The prefix leaves room for at least 4 hex digits of the hash in a 15-byte interface name. */
  static final int MAX_PREFIX = 11;

  static RoutedConf parse(byte[] stdin) throws CniException {
    try {
      JsonFields n = JsonFields.parse(stdin, "main.NetConf", "NetConf");
      String cniVersion = n.string("cniVersion");
      String name = n.string("name");
      n.string("type");
      String ipamType = n.fields("ipam", "types.IPAM", "IPAM").string("type");
      String prefix = n.string("vethPrefix", HostEnd.DEFAULT_PREFIX);
      boolean ipMasq = n.bool("ipMasq");
      String backend = n.string("ipMasqBackend", null);
      IpMasqBackend.parse(backend);
      long mtu = n.longInteger("mtu", 0);
      Dns dns = DnsOverride.read(n);
      JsonNode prev = n.object("prevResult", "map[string]interface {}");
      if (prefix.isEmpty() || prefix.length() > MAX_PREFIX || !prefix.matches("[A-Za-z0-9_.-]+")) {
        throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "invalid vethPrefix " + Failures.q(prefix)
            + ": must be 1 to " + MAX_PREFIX + " letters, digits, '_', '.' or '-'");
      }
      if (ipamType.isEmpty()) {
        throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "ipam.type is required: jcni-routed routes the "
            + "addresses IPAM allocates");
      }
      return new RoutedConf(cniVersion, name, ipamType, prefix, ipMasq, backend,
          (int) Math.max(0, Math.min(mtu, Integer.MAX_VALUE)), dns, prev);
    } catch (CniException e) {
      throw e.errorCode() == ErrorCode.DECODING_FAILURE ? e.withPrefix("failed to load netconf: ") : e;
    }
  }
}
