package io.jcni.libcni.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One network a sandbox should be attached to (or detached from): which network, under which interface name, and
 * with which per-attachment arguments.
 *
 * @param network the network (list) name, as in the configuration's {@code name}
 * @param ifName the interface name inside the sandbox ({@code CNI_IFNAME})
 * @param capabilityArgs values for the plugins' declared {@code capabilities} (e.g. {@code portMappings}); sent as
 *     {@code runtimeConfig} to the plugins that declared them
 * @param cniArgs {@code CNI_ARGS} pairs, in order
 */
public record NetworkRequest(
    String network, String ifName, Map<String, Object> capabilityArgs, List<Map.Entry<String, String>> cniArgs) {

  public NetworkRequest {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(ifName, "ifName");
    capabilityArgs = capabilityArgs == null
        ? Map.of()
        : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(capabilityArgs));
    cniArgs = cniArgs == null ? List.of() : List.copyOf(cniArgs);
  }

  /** A request without capability or {@code CNI_ARGS} arguments. */
  public static NetworkRequest of(String network, String ifName) {
    return new NetworkRequest(network, ifName, Map.of(), List.of());
  }

  /** A copy with other capability arguments. */
  public NetworkRequest withCapabilityArgs(Map<String, Object> args) {
    return new NetworkRequest(network, ifName, args, cniArgs);
  }

  /** A copy with other {@code CNI_ARGS} pairs. */
  public NetworkRequest withCniArgs(List<Map.Entry<String, String>> args) {
    return new NetworkRequest(network, ifName, capabilityArgs, args);
  }
}
