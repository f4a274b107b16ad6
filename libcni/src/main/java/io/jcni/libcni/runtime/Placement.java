package io.jcni.libcni.runtime;

import java.util.Set;

/**
 * The runtime's choice, per network and per plugin type, between running a plugin in-process (when the
 * registry has it) and exec'ing its binary from the plugin path.
 *
 * <p>The choice also covers a plugin's delegations: an in-process {@code bridge} asking for its IPAM gets an
 * in-process or an exec'd {@code host-local} according to the same function, with the same network name.
 */
@FunctionalInterface
public interface Placement {

  /**
   * Whether the plugin of {@code pluginType} should run in-process for {@code network}. A type the registry does
   * not hold is exec'd whatever this says.
   */
  boolean inline(String network, String pluginType);

  /** Everything exec'd, as Go libcni does. */
  static Placement execAll() {
    return (network, type) -> false;
  }

  /** Every registered type in-process, everything else exec'd. */
  static Placement inlineWhenRegistered() {
    return (network, type) -> true;
  }

  /** The listed plugin types in-process (when registered), on every network. */
  static Placement inlineTypes(Set<String> types) {
    Set<String> copy = Set.copyOf(types);
    return (network, type) -> copy.contains(type);
  }

  /** Every registered type in-process on the listed networks, everything exec'd on the others. */
  static Placement inlineNetworks(Set<String> networks) {
    Set<String> copy = Set.copyOf(networks);
    return (network, type) -> copy.contains(network);
  }
}
