package io.jcni.libcni.internal.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.types.ByteText;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One attachment as libcni remembers it after a successful ADD: the {@code cniCacheV1} record Go writes to
 * {@code <cacheDir>/results/<network>-<containerId>-<ifName>}.
 *
 * <p>Nullable components are those Go writes with {@code omitempty}; {@code null} means "not in the file", which
 * matters for {@code cniArgs}: an empty list that was written (by a tool other than Go) is kept as empty.
 *
 * @param networkName the network (list) name
 * @param containerId the container ID
 * @param ifName the interface name inside the container
 * @param config the network configuration bytes used for the ADD (the whole list), exactly as loaded
 * @param netns the namespace path, "" when none
 * @param cniArgs the runtime's {@code CNI_ARGS} pairs, or {@code null}
 * @param capabilityArgs the runtime's capability arguments, or {@code null}
 * @param result the final ADD result, in the version the last plugin printed, or {@code null}
 */
public record CacheEntry(
    String networkName,
    String containerId,
    String ifName,
    byte[] config,
    String netns,
    List<Arg> cniArgs,
    ObjectNode capabilityArgs,
    ObjectNode result) {

  /** The kind tag of the current cache format. */
  public static final String KIND_V1 = "cniCacheV1";

  /** One {@code CNI_ARGS} pair, written by Go as a two-element array. */
  public record Arg(String key, String value) {
    public Arg {
      key = key == null ? "" : key;
      value = value == null ? "" : value;
    }
  }

  public CacheEntry {
    networkName = networkName == null ? "" : networkName;
    containerId = containerId == null ? "" : containerId;
    ifName = ifName == null ? "" : ifName;
    netns = netns == null ? "" : netns;
    cniArgs = cniArgs == null ? null : List.copyOf(cniArgs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheEntry e
        && networkName.equals(e.networkName)
        && containerId.equals(e.containerId)
        && ifName.equals(e.ifName)
        && Arrays.equals(config, e.config)
        && netns.equals(e.netns)
        && Objects.equals(cniArgs, e.cniArgs)
        && Objects.equals(capabilityArgs, e.capabilityArgs)
        && Objects.equals(result, e.result);
  }

  @Override
  public int hashCode() {
    return Objects.hash(networkName, containerId, ifName, Arrays.hashCode(config), netns, cniArgs, capabilityArgs,
        result);
  }

  @Override
  public String toString() {
    return "CacheEntry[" + networkName + "-" + containerId + "-" + ifName + ", netns=" + netns + ", config="
        + ByteText.of(config) + ", cniArgs=" + cniArgs + ", capabilityArgs="
        + capabilityArgs + ", result=" + result + "]";
  }
}
