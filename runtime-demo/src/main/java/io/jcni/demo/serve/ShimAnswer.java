package io.jcni.demo.serve;

import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.types.ByteText;
import io.jcni.libcni.types.CniException;
import java.util.Arrays;
import java.util.Objects;

/**
 * What {@code jcni serve} sends back for one {@link ShimRequest}: what the plugin executable would have printed
 * and its exit status, which the shim reproduces.
 *
 * @param status the exit status (0 or 1)
 * @param stdout the result or error JSON
 * @param stderr diagnostics
 */
public record ShimAnswer(int status, byte[] stdout, byte[] stderr) {

  /** The answer of a call that failed before a plugin ran: the error JSON as skel prints it, status 1. */
  public static ShimAnswer error(CniException e) {
    return new ShimAnswer(1, GoJson.indented(e.toJson()), new byte[0]);
  }

  // records compare arrays by identity; these compare and print the bytes

  @Override
  public boolean equals(Object o) {
    return o instanceof ShimAnswer a && status == a.status && Arrays.equals(stdout, a.stdout)
        && Arrays.equals(stderr, a.stderr);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, Arrays.hashCode(stdout), Arrays.hashCode(stderr));
  }

  @Override
  public String toString() {
    return "ShimAnswer[status=" + status + ", stdout=" + ByteText.of(stdout) + ", stderr=" + ByteText.of(stderr) + "]";
  }
}
