package io.jcni.demo.serve;

import io.jcni.libcni.internal.types.ByteText;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One CNI call a shim forwards to {@code jcni serve}: the plugin type it was installed as, its {@code CNI_*}
 * environment and its stdin.
 *
 * @param type the basename the shim was exec'd as
 * @param env the six {@code CNI_*} variables, "" for an unset one
 * @param stdin the bytes the runtime wrote on the shim's stdin (none for VERSION)
 */
public record ShimRequest(String type, Map<String, String> env, byte[] stdin) {
  /** The variables a shim forwards, in the order of the wire format. */
  public static final java.util.List<String> VARIABLES =
      java.util.List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH");

  public ShimRequest {
    env = Map.copyOf(env);
  }

  /** {@code CNI_COMMAND}. */
  public String command() {
    return env.getOrDefault("CNI_COMMAND", "");
  }

  /** {@code CNI_CONTAINERID}. */
  public String containerId() {
    return env.getOrDefault("CNI_CONTAINERID", "");
  }

  // records compare arrays by identity; these compare and print the stdin bytes

  @Override
  public boolean equals(Object o) {
    return o instanceof ShimRequest r && Objects.equals(type, r.type) && env.equals(r.env)
        && Arrays.equals(stdin, r.stdin);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, env, Arrays.hashCode(stdin));
  }

  @Override
  public String toString() {
    return "ShimRequest[type=" + type + ", env=" + env + ", stdin=" + ByteText.of(stdin) + "]";
  }
}
