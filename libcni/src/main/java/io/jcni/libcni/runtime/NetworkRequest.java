package io.jcni.libcni.runtime;

import java.util.ArrayList;
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

  /**
   * A copy with the capability arguments of {@code capabilities}, replacing any set before (untyped ones too).
   */
  public NetworkRequest withCapabilities(Capabilities capabilities) {
    return new NetworkRequest(network, ifName, capabilities.asMap(), cniArgs);
  }

  /**
   * A copy with {@code CNI_ARGS} from a map, in its iteration order: go-cni's labels
   * ({@code K8S_POD_NAMESPACE=…;K8S_POD_NAME=…}). Keys and values must not contain {@code ;} and keys no {@code =}.
   */
  public NetworkRequest withCniArgs(Map<String, String> args) {
    List<Map.Entry<String, String>> pairs = new ArrayList<>();
    args.forEach((k, v) -> {
      if (k.isEmpty() || k.contains("=") || k.contains(";") || v.contains(";")) {
        throw new IllegalArgumentException("CNI_ARGS: invalid pair \"" + k + "=" + v + "\"");
      }
      pairs.add(Map.entry(k, v));
    });
    return new NetworkRequest(network, ifName, capabilityArgs, pairs);
  }

  /** The {@code CNI_ARGS} pairs as a map (a later pair of the same key wins), in order. */
  public Map<String, String> cniArgsMap() {
    Map<String, String> m = new LinkedHashMap<>();
    cniArgs.forEach(e -> m.put(e.getKey(), e.getValue()));
    return java.util.Collections.unmodifiableMap(m);
  }
}
