package io.jcni.libcni;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The runtime's side of one attachment: which container, which namespace, which interface, plus the {@code
 * CNI_ARGS} pairs and capability arguments (Go's {@code libcni.RuntimeConf}).
 *
 * @param containerId the container ID ({@code CNI_CONTAINERID})
 * @param netNs the network namespace path ({@code CNI_NETNS}); "" when there is none (a DEL after the sandbox died)
 * @param ifName the interface name inside the container ({@code CNI_IFNAME})
 * @param args the {@code CNI_ARGS} pairs, in order
 * @param capabilityArgs values for the plugins' {@code capabilities} (e.g. {@code portMappings}), passed on as
 *     {@code runtimeConfig} to the plugins that declared them
 * @param cacheDir a per-call cache directory (deprecated in Go), or {@code null}
 */
public record RuntimeConf(
    String containerId,
    String netNs,
    String ifName,
    List<Map.Entry<String, String>> args,
    Map<String, Object> capabilityArgs,
    Path cacheDir) {

  public RuntimeConf {
    containerId = containerId == null ? "" : containerId;
    netNs = netNs == null ? "" : netNs;
    ifName = ifName == null ? "" : ifName;
    args = args == null ? List.of() : List.copyOf(args);
    capabilityArgs =
        capabilityArgs == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(capabilityArgs));
  }

  /** A runtime configuration with no args, capability args or cache directory. */
  public static RuntimeConf of(String containerId, String netNs, String ifName) {
    return new RuntimeConf(containerId, netNs, ifName, List.of(), Map.of(), null);
  }

  /** Returns a copy with other capability arguments. */
  public RuntimeConf withCapabilityArgs(Map<String, Object> newCapabilityArgs) {
    return new RuntimeConf(containerId, netNs, ifName, args, newCapabilityArgs, cacheDir);
  }

  /** Returns a copy with other {@code CNI_ARGS} pairs. */
  public RuntimeConf withArgs(List<Map.Entry<String, String>> newArgs) {
    return new RuntimeConf(containerId, netNs, ifName, newArgs, capabilityArgs, cacheDir);
  }

  /** {@code CNI_ARGS} as the plugin sees it: {@code K=V} pairs joined with {@code ;}, unescaped, as Go does. */
  public String argsString() {
    return args.stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
  }
}
