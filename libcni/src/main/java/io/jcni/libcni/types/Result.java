package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;

/**
 * The result of a CNI ADD in one of the three JSON shapes the specification has had: {@link Result020} (0.1.0,
 * 0.2.0), {@link Result040} (0.3.0, 0.3.1, 0.4.0) and {@link Result100} (1.0.0, 1.1.0).
 *
 * <p>Any result converts to any of the seven versions with Go libcni's rules; JSON output is byte-for-byte what Go
 * writes. Parse results with {@link Results}.
 */
public sealed interface Result permits Result020, Result040, Result100 {

  /** The result's {@code cniVersion}, never empty. */
  String cniVersion();

  /**
   * Converts this result to {@code version} ({@code ""} means 0.1.0), returning this result when the version is
   * already right.
   *
   * @throws CniException code {@link ErrorCode#INCOMPATIBLE_CNI_VERSION}: {@code no converter for CNI result
   *     version A to B} for an unknown target, {@code cannot convert: no valid IP addresses} when a 0.1/0.2 target
   *     cannot hold a result without IPs
   */
  Result convertTo(String version) throws CniException;

  /** The result as a JSON tree in the member order Go writes. */
  ObjectNode toJsonNode();

  /** The result as Go's {@code json.Marshal} writes it (compact), e.g. for caches and {@code prevResult}. */
  default byte[] toJson() {
    return GoJson.compact(toJsonNode());
  }

  /** The result as a Go plugin prints it on stdout ({@code json.MarshalIndent} with four spaces). */
  default byte[] toPrettyJson() {
    return GoJson.indented(toJsonNode());
  }
}
