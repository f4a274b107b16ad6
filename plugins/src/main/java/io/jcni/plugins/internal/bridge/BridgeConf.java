package io.jcni.plugins.internal.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniArgs;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.attach.DnsOverride;
import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.InterfaceNames;
import io.jcni.plugins.internal.linux.MacAddress;
import io.jcni.plugins.internal.netfilter.IpMasqBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The bridge plugin's network configuration: every field of the Go plugin's {@code NetConf} with its default, read
 * as Go reads it (keys case-insensitive, unknown keys ignored), plus the MAC resolved from CNI_ARGS, {@code
 * args.cni.mac} and {@code runtimeConfig.mac} (later ones win).
 *
 * @param cniVersion the configuration's {@code cniVersion} ("" when absent)
 * @param name the network name
 * @param ipamType {@code ipam.type}; "" means layer 2 only
 * @param bridge the bridge name, default {@code cni0}
 * @param isGateway gateway address on the bridge and forwarding on (implied by isDefaultGateway)
 * @param isDefaultGateway default route via the gateway, per family
 * @param forceAddress replace a conflicting bridge address instead of failing
 * @param ipMasq masquerade traffic leaving the subnet
 * @param ipMasqBackend {@code iptables}, {@code nftables}, or null for automatic
 * @param mtu MTU of a new bridge and both veth ends; 0 = kernel default
 * @param hairpinMode hairpin on the host veth port
 * @param promiscMode promiscuous mode on the bridge
 * @param vlan access VLAN (pvid untagged) of the port, 0 = none
 * @param vlanTrunkSet whether {@code vlanTrunk} was given at all (even empty: it turns on vlan_filtering)
 * @param trunkVlans the tagged VLANs collected from {@code vlanTrunk}, ascending
 * @param preserveDefaultVlan keep the port's default VLAN 1 when vlan/vlanTrunk is set
 * @param macSpoofCheck drop frames from the container with another source MAC
 * @param enableDad keep IPv6 duplicate address detection on in the container
 * @param disableContainerInterface leave the container end down (L2 only)
 * @param portIsolation isolated bridge port
 * @param mac the requested container MAC, "" for a kernel-chosen one
 * @param dns the top-level {@code dns} object when it is "set" in Go's sense (it then replaces the IPAM DNS), else
 *     null
 * @param prevResult the raw {@code prevResult}, or null
 */
public record BridgeConf(
    String cniVersion,
    String name,
    String ipamType,
    String bridge,
    boolean isGateway,
    boolean isDefaultGateway,
    boolean forceAddress,
    boolean ipMasq,
    String ipMasqBackend,
    int mtu,
    boolean hairpinMode,
    boolean promiscMode,
    int vlan,
    boolean vlanTrunkSet,
    List<Integer> trunkVlans,
    boolean preserveDefaultVlan,
    boolean macSpoofCheck,
    boolean enableDad,
    boolean disableContainerInterface,
    boolean portIsolation,
    String mac,
    Dns dns,
    JsonNode prevResult) {

  // Go's types of the anonymous structs, as its decoding errors print them.
  private static final String ARGS_TYPE = "struct { Cni main.BridgeArgs \"json:\\\"cni,omitempty\\\"\" }";
  private static final String RUNTIME_CONFIG_TYPE = "struct { Mac string \"json:\\\"mac,omitempty\\\"\" }";

  /** The bridge name used when the configuration gives none. */
  public static final String DEFAULT_BRIDGE = "cni0";

  public BridgeConf {
    trunkVlans = List.copyOf(trunkVlans);
  }

  /**
   * Parses the stdin bytes of a bridge invocation and the {@code CNI_ARGS} string; checks everything Go's {@code
   * loadNetConf} checks (VLAN range, trunk list, CNI_ARGS) and the ipMasq backend name.
   */
  public static BridgeConf parse(byte[] stdin, String cniArgs) throws CniException {
    try {
      return read(JsonFields.parse(stdin, "main.NetConf", "NetConf"), cniArgs);
    } catch (CniException e) {
      // Go's loadNetConf wraps what json.Unmarshal says; its own checks come unwrapped.
      throw e.errorCode() == ErrorCode.DECODING_FAILURE ? e.withPrefix("failed to load netconf: ") : e;
    }
  }

  private static BridgeConf read(JsonFields n, String cniArgs) throws CniException {
    String cniVersion = n.string("cniVersion");
    String name = n.string("name");
    n.string("type");
    String ipamType = n.fields("ipam", "types.IPAM", "IPAM").string("type");

    String bridge = n.string("bridge", DEFAULT_BRIDGE);
    boolean isDefaultGateway = n.bool("isDefaultGateway");
    boolean isGateway = n.bool("isGateway") || isDefaultGateway;
    boolean forceAddress = n.bool("forceAddress");
    boolean ipMasq = n.bool("ipMasq");
    String ipMasqBackend = n.string("ipMasqBackend", null);
    // Checked here, not at masquerade time as in Go, so a typo fails before anything is made.
    IpMasqBackend.parse(ipMasqBackend);
    long mtu = n.longInteger("mtu", 0);
    boolean hairpin = n.bool("hairpinMode");
    boolean promisc = n.bool("promiscMode");
    long vlan = n.longInteger("vlan", 0);
    boolean preserveDefaultVlan = n.bool("preserveDefaultVlan");
    boolean macSpoofCheck = n.bool("macspoofchk");
    boolean enableDad = n.bool("enabledad");
    boolean disableContainerInterface = n.bool("disableContainerInterface");
    boolean portIsolation = n.bool("portIsolation");

    String argsMac = n.fields("args", ARGS_TYPE, "").fields("cni", "main.BridgeArgs", "BridgeArgs").string("mac");
    String rtMac = n.fields("runtimeConfig", RUNTIME_CONFIG_TYPE, "").string("mac");

    Dns dns = DnsOverride.read(n);
    JsonNode prevResult = n.object("prevResult", "map[string]interface {}");

    if (vlan < 0 || vlan > 4094) {
      throw new CniException(
          ErrorCode.INVALID_NETWORK_CONFIG, "invalid VLAN ID " + vlan + " (must be between 0 and 4094)");
    }
    boolean trunkSet = n.has("vlanTrunk");
    List<Integer> trunkVlans = trunkSet ? VlanTrunk.collect(readTrunk(n)) : List.of();

    String mac = CniArgs.parse(cniArgs, Set.of("MAC")).getOrDefault("MAC", "");
    if (!argsMac.isEmpty()) {
      mac = argsMac;
    }
    if (!rtMac.isEmpty()) {
      mac = rtMac;
    }

    return new BridgeConf(
        cniVersion,
        name,
        ipamType,
        bridge,
        isGateway,
        isDefaultGateway,
        forceAddress,
        ipMasq,
        ipMasqBackend,
        // Go's netlink leaves out IFLA_MTU unless it is positive, so a negative mtu means "kernel default".
        (int) Math.max(0, Math.min(mtu, Integer.MAX_VALUE)),
        hairpin,
        promisc,
        (int) vlan,
        trunkSet,
        trunkVlans,
        preserveDefaultVlan,
        macSpoofCheck,
        enableDad,
        disableContainerInterface,
        portIsolation,
        mac,
        dns,
        prevResult);
  }

  /** Whether an IPAM plugin is configured (layer 3); otherwise the plugin only plugs the veth into the bridge. */
  public boolean isLayer3() {
    return !ipamType.isEmpty();
  }

  /** Whether the bridge is created with vlan_filtering: a vlan or any vlanTrunk (even an empty one). */
  public boolean vlanFiltering() {
    return vlan != 0 || vlanTrunkSet;
  }

  /**
   * Checks the combinations only ADD refuses (a DEL of such a configuration still cleans up), in Go's order, and
   * the requested MAC.
   */
  public void checkForAdd() throws CniException {
    if (isLayer3() && disableContainerInterface) {
      throw new CniException(
          ErrorCode.INVALID_NETWORK_CONFIG, "cannot use IPAM when DisableContainerInterface flag is set");
    }
    if (hairpinMode && promiscMode) {
      throw new CniException(
          ErrorCode.INVALID_NETWORK_CONFIG, "cannot set hairpin mode and promiscuous mode at the same time");
    }
    String bad = InterfaceNames.check(bridge);
    if (bad != null) {
      throw new CniException(
          ErrorCode.INVALID_NETWORK_CONFIG,
          "failed to create bridge " + Failures.q(bridge) + ": invalid bridge name: " + bad);
    }
    if (!mac.isEmpty()) {
      macBytes();
    }
  }

  /** The requested container MAC as 6 bytes, or null when none was requested. */
  public byte[] macBytes() throws CniException {
    if (mac.isEmpty()) {
      return null;
    }
    return MacAddress.parseEthernet(mac).orElseThrow(() -> new CniException(
        ErrorCode.INVALID_NETWORK_CONFIG, "failed to make veth pair: " + MacAddress.invalid(mac)));
  }

  /** The requested container MAC in the kernel's {@code aa:bb:cc:dd:ee:ff} form, or null for a random one. */
  public String macString() throws CniException {
    byte[] b = macBytes();
    return b == null ? null : MacAddress.format(b);
  }

  private static List<VlanTrunk> readTrunk(JsonFields n) throws CniException {
    List<VlanTrunk> out = new ArrayList<>();
    for (JsonNode item : n.array("vlanTrunk", "[]*main.VlanTrunk")) {
      if (item.isNull()) {
        // Go dereferences a nil entry and panics; an empty entry is the nearest well-defined meaning.
        out.add(new VlanTrunk(null, null, null));
        continue;
      }
      JsonFields t = n.element(item, "vlanTrunk", "main.VlanTrunk", "VlanTrunk");
      out.add(new VlanTrunk(vid(t, "minID"), vid(t, "maxID"), vid(t, "id")));
    }
    return out;
  }

  private static Integer vid(JsonFields t, String key) throws CniException {
    if (!t.has(key)) {
      return null;
    }
    long v = t.longInteger(key, 0);
    // Values beyond int still fail the 1..4094 check, as they do in Go.
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }
}
