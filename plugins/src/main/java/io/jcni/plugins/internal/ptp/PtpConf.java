package io.jcni.plugins.internal.ptp;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.attach.DnsOverride;

/**
 * The ptp plugin's network configuration (Go's {@code NetConf}: the common fields plus {@code ipMasq} and {@code
 * mtu}), read as Go reads it.
 *
 * @param cniVersion the configuration's {@code cniVersion}
 * @param name the network name (part of the masquerade chain name)
 * @param ipamType {@code ipam.type}
 * @param ipMasq masquerade traffic from the container leaving its network
 * @param mtu MTU of both veth ends; 0 = kernel default
 * @param dns the top-level {@code dns} when set in Go's sense (it then replaces the IPAM DNS), else null
 * @param prevResult the raw {@code prevResult}, or null
 */
record PtpConf(String cniVersion, String name, String ipamType, boolean ipMasq, int mtu, Dns dns,
    JsonNode prevResult) {

  static PtpConf parse(byte[] stdin) throws CniException {
    try {
      JsonFields n = JsonFields.parse(stdin, "main.NetConf", "NetConf");
      String cniVersion = n.string("cniVersion");
      String name = n.string("name");
      n.string("type");
      String ipamType = n.fields("ipam", "types.IPAM", "IPAM").string("type");
      boolean ipMasq = n.bool("ipMasq");
      long mtu = n.longInteger("mtu", 0);
      Dns dns = DnsOverride.read(n);
      JsonNode prev = n.object("prevResult", "map[string]interface {}");
      // Go's netlink leaves out IFLA_MTU unless it is positive.
      return new PtpConf(cniVersion, name, ipamType, ipMasq, (int) Math.max(0, Math.min(mtu, Integer.MAX_VALUE)),
          dns, prev);
    } catch (CniException e) {
      throw e.errorCode() == ErrorCode.DECODING_FAILURE ? e.withPrefix("failed to load netconf: ") : e;
    }
  }
}
