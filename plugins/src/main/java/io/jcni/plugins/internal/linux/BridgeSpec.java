package io.jcni.plugins.internal.linux;

/**
 * A bridge to create ({@link RtNetlink#createBridge}).
 *
 * @param name the bridge's name
 * @param mtu the MTU, or 0 for the kernel default
 * @param vlanFiltering whether VLAN filtering is switched on
 */
public record BridgeSpec(String name, int mtu, boolean vlanFiltering) {
  /** A bridge with the kernel's defaults. */
  public static BridgeSpec named(String name) {
    return new BridgeSpec(name, 0, false);
  }

  /** This bridge with MTU {@code mtu} (0 for the default). */
  public BridgeSpec withMtu(int mtu) {
    return new BridgeSpec(name, mtu, vlanFiltering);
  }

  /** This bridge with VLAN filtering on or off. */
  public BridgeSpec withVlanFiltering(boolean on) {
    return new BridgeSpec(name, mtu, on);
  }
}
