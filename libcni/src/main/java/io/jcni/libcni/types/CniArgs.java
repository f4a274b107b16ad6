package io.jcni.libcni.types;

import io.jcni.libcni.internal.json.GoJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code CNI_ARGS} string ({@code K=V;K=V}), parsed as Go's {@code types.LoadArgs} parses it into a plugin's
 * argument struct.
 *
 * <p>Keys are matched exactly (Go matches struct field names, case-sensitively). {@code IgnoreUnknown} is always
 * known; its value must be {@code 1}, {@code true}, {@code 0} or {@code false} in any case. Errors carry code
 * {@link ErrorCode#INTERNAL} (999), because that is what the Go plugins print for them: LoadArgs returns a plain
 * error and skel turns any plain error into 999 (checked against {@code /usr/lib/cni/host-local}).
 */
public final class CniArgs {
  /** The key that makes unknown keys acceptable. */
  public static final String IGNORE_UNKNOWN = "IgnoreUnknown";

  private CniArgs() {}

  /**
   * Parses {@code cniArgs} and returns the known pairs in order (a repeated key keeps its last value), including
   * {@code IgnoreUnknown} when given. Empty or null input gives an empty map.
   *
   * @param knownKeys the keys the plugin understands, e.g. {@code Set.of("IP")}
   * @throws CniException {@code ARGS: invalid pair "x"} for a pair without exactly one {@code =}; {@code ARGS:
   *     error parsing value of pair "IgnoreUnknown=x": boolean unmarshal error: invalid input x}; {@code ARGS:
   *     unknown args ["X=y" "Z=w"]} for unknown keys unless IgnoreUnknown is true
   */
  public static Map<String, String> parse(String cniArgs, Set<String> knownKeys) throws CniException {
    Map<String, String> known = new LinkedHashMap<>();
    if (cniArgs == null || cniArgs.isEmpty()) {
      return Collections.unmodifiableMap(known);
    }
    List<String> unknown = new ArrayList<>();
    boolean ignoreUnknown = false;
    for (String pair : cniArgs.split(";", -1)) {
      String[] kv = pair.split("=", -1);
      if (kv.length != 2) {
        throw error("ARGS: invalid pair " + GoJson.quote(pair));
      }
      String key = kv[0];
      String value = kv[1];
      if (key.equals(IGNORE_UNKNOWN)) {
        ignoreUnknown = parseBool(pair, value);
      } else if (knownKeys == null || !knownKeys.contains(key)) {
        unknown.add(pair);
        continue;
      }
      known.put(key, value);
    }
    if (!unknown.isEmpty() && !ignoreUnknown) {
      StringBuilder sb = new StringBuilder("ARGS: unknown args [");
      for (int i = 0; i < unknown.size(); i++) {
        sb.append(i == 0 ? "" : " ").append(GoJson.quote(unknown.get(i)));
      }
      throw error(sb.append(']').toString());
    }
    return Collections.unmodifiableMap(known);
  }

  /** Whether {@code value} is a true Go {@code UnmarshallableBool} ({@code 1}/{@code true}, any case). */
  private static boolean parseBool(String pair, String value) throws CniException {
    String s = value.toLowerCase(Locale.ROOT);
    return switch (s) {
      case "1", "true" -> true;
      case "0", "false" -> false;
      default -> throw error("ARGS: error parsing value of pair " + GoJson.quote(pair)
          + ": boolean unmarshal error: invalid input " + s);
    };
  }

  private static CniException error(String msg) {
    return new CniException(ErrorCode.INTERNAL, msg);
  }
}
