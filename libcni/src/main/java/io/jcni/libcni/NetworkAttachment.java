package io.jcni.libcni;

import io.jcni.libcni.internal.types.ByteText;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An attachment libcni remembers in its result cache (Go's {@code NetworkAttachment}): enough to DEL it later, even
 * after the runtime lost its own records.
 *
 * @param containerId the container ID
 * @param network the network (list) name
 * @param ifName the interface inside the container
 * @param config the configuration bytes used at ADD
 * @param netNs the namespace path at ADD
 * @param cniArgs the {@code CNI_ARGS} pairs at ADD
 * @param capabilityArgs the capability arguments at ADD
 */
public record NetworkAttachment(
    String containerId,
    String network,
    String ifName,
    byte[] config,
    String netNs,
    List<Map.Entry<String, String>> cniArgs,
    Map<String, Object> capabilityArgs) {

  /** The runtime configuration to tear this attachment down with. */
  public RuntimeConf runtimeConf() {
    return new RuntimeConf(containerId, netNs, ifName, cniArgs, capabilityArgs, null);
  }

  // records compare arrays by identity; these compare and print the configuration bytes

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkAttachment a && Objects.equals(containerId, a.containerId)
        && Objects.equals(network, a.network) && Objects.equals(ifName, a.ifName) && Arrays.equals(config, a.config)
        && Objects.equals(netNs, a.netNs) && Objects.equals(cniArgs, a.cniArgs)
        && Objects.equals(capabilityArgs, a.capabilityArgs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(containerId, network, ifName, Arrays.hashCode(config), netNs, cniArgs, capabilityArgs);
  }

  @Override
  public String toString() {
    return "NetworkAttachment[containerId=" + containerId + ", network=" + network + ", ifName=" + ifName
        + ", config=" + ByteText.of(config) + ", netNs=" + netNs + ", cniArgs=" + cniArgs + ", capabilityArgs="
        + capabilityArgs + "]";
  }
}
