package io.jcni.libcni.types;

import java.util.List;
import java.util.Objects;

/**
 * One interface of a {@link NetworkResult} with the addresses the result ties to it (go-cni's {@code Config}).
 *
 * @param name the interface name, e.g. {@code eth0} in the sandbox or {@code veth1234} on the host
 * @param mac the hardware address, or "" when the plugin reported none
 * @param sandbox the network namespace path for an interface inside the sandbox, "" for a host-side one
 * @param ips the addresses on this interface, in result order
 */
public record InterfaceConfig(String name, String mac, String sandbox, List<IpAddress> ips) {
  public InterfaceConfig {
    Objects.requireNonNull(name, "name");
    mac = mac == null ? "" : mac;
    sandbox = sandbox == null ? "" : sandbox;
    ips = ips == null ? List.of() : List.copyOf(ips);
  }

  /** Whether this interface is inside the sandbox (the result names its namespace). */
  public boolean inSandbox() {
    return !sandbox.isEmpty();
  }
}
