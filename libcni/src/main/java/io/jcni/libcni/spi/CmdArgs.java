package io.jcni.libcni.spi;

import io.jcni.libcni.internal.types.ByteText;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The inputs of one plugin invocation: what an exec'd plugin reads from its {@code CNI_*} environment and stdin.
 *
 * <p>In-process and exec'd plugins receive exactly these values, so the two paths cannot drift apart.
 *
 * @param containerId {@code CNI_CONTAINERID} ("" for GC, STATUS and VERSION)
 * @param netns {@code CNI_NETNS} ("" when absent)
 * @param ifName {@code CNI_IFNAME}
 * @param args {@code CNI_ARGS}, the raw {@code K=V;K=V} string
 * @param path {@code CNI_PATH} as a list of directories
 * @param stdinData the network configuration bytes the plugin reads on stdin, with name, cniVersion,
 *     prevResult and runtimeConfig already injected
 */
public record CmdArgs(
    String containerId, String netns, String ifName, String args, List<String> path, byte[] stdinData) {

  public CmdArgs {
    containerId = containerId == null ? "" : containerId;
    netns = netns == null ? "" : netns;
    ifName = ifName == null ? "" : ifName;
    args = args == null ? "" : args;
    path = path == null ? List.of() : List.copyOf(path);
    stdinData = stdinData == null ? new byte[0] : stdinData;
  }

  /** Returns a copy with other stdin bytes; used when a plugin delegates to its IPAM with the same env. */
  public CmdArgs withStdin(byte[] data) {
    return new CmdArgs(containerId, netns, ifName, args, path, data);
  }

  /** The six {@code CNI_*} variables for {@code command}, as an exec'd plugin sees them. */
  public Map<String, String> toEnv(Command command) {
    return Map.of(
        "CNI_COMMAND", command.name(),
        "CNI_CONTAINERID", containerId,
        "CNI_NETNS", netns,
        "CNI_ARGS", args,
        "CNI_IFNAME", ifName,
        "CNI_PATH", String.join(java.io.File.pathSeparator, path));
  }

  // records compare arrays by identity; these compare and print the stdin bytes

  @Override
  public boolean equals(Object o) {
    return o instanceof CmdArgs a && containerId.equals(a.containerId) && netns.equals(a.netns)
        && ifName.equals(a.ifName) && args.equals(a.args) && path.equals(a.path)
        && Arrays.equals(stdinData, a.stdinData);
  }

  @Override
  public int hashCode() {
    return Objects.hash(containerId, netns, ifName, args, path, Arrays.hashCode(stdinData));
  }

  @Override
  public String toString() {
    return "CmdArgs[containerId=" + containerId + ", netns=" + netns + ", ifName=" + ifName + ", args=" + args
        + ", path=" + path + ", stdinData=" + ByteText.of(stdinData) + "]";
  }
}
