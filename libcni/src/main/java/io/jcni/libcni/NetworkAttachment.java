package io.jcni.libcni;

import java.util.List;
import java.util.Map;

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
}
