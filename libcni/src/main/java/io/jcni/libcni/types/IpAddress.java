package io.jcni.libcni.types;

import io.jcni.libcni.internal.types.Ips;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * An address a plugin assigned, as an embedder reads it from a {@link NetworkResult} (go-cni's {@code IPConfig}).
 *
 * @param address the address with its prefix length (host bits kept), e.g. {@code 10.1.0.5/24}
 * @param gateway the gateway for this address, or null when the plugin named none
 */
public record IpAddress(IpNet address, InetAddress gateway) {
  public IpAddress {
    Objects.requireNonNull(address, "address");
  }

  /** The bare address, without the prefix length. */
  public InetAddress ip() {
    return address.ip();
  }

  /** The gateway, when the plugin named one. */
  public Optional<InetAddress> gatewayIfSet() {
    return Optional.ofNullable(gateway);
  }

  /** {@code address} as CIDR, then {@code " via gateway"} when there is one. */
  @Override
  public String toString() {
    return address + (gateway == null ? "" : " via " + Ips.format(gateway));
  }
}
