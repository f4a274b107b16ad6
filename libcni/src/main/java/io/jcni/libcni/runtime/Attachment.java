package io.jcni.libcni.runtime;

import io.jcni.libcni.types.NetworkResult;
import io.jcni.libcni.types.Result;
import java.util.Objects;

/**
 * A sandbox's attachment to one network, as an ADD made it: the network, the interface and the chain's final
 * result.
 *
 * @param containerId the container (sandbox) ID
 * @param network the network name
 * @param ifName the interface name inside the sandbox
 * @param result the result the last plugin of the chain printed, in its version
 */
public record Attachment(String containerId, String network, String ifName, Result result) {
  public Attachment {
    Objects.requireNonNull(containerId, "containerId");
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(ifName, "ifName");
    Objects.requireNonNull(result, "result");
  }

  /** The result as interfaces, addresses, routes and DNS, whatever version the plugin printed it in. */
  public NetworkResult typedResult() {
    return NetworkResult.of(result);
  }
}
