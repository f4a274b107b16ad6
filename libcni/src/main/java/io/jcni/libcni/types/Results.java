package io.jcni.libcni.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * Parses CNI result JSON into the {@link Result} shape its version calls for, as Go's {@code create} package does.
 */
public final class Results {
  private Results() {}

  /** A result record's {@code cniVersion}: null or "" means {@code implemented}; others must be in {@code versions}. */
  static String shapeVersion(String cniVersion, String implemented, List<String> versions, String shape) {
    String v = cniVersion == null || cniVersion.isEmpty() ? implemented : cniVersion;
    if (!versions.contains(v)) {
      throw new IllegalArgumentException(shape + " cannot carry cniVersion " + v);
    }
    return v;
  }

  /** The version {@link Result#convertTo} aims at: null or "" means 0.1.0, as in Go. */
  static String target(String version) {
    return version == null || version.isEmpty() ? "0.1.0" : version;
  }

  /** Puts {@code items} under {@code key} unless there are none (Go's {@code omitempty} on a slice). */
  static <T> void putList(ObjectNode n, String key, List<T> items, Function<T, ? extends JsonNode> toNode) {
    if (!items.isEmpty()) {
      ArrayNode a = n.putArray(key);
      items.forEach(i -> a.add(toNode.apply(i)));
    }
  }

  /**
   * Parses a result using the {@code cniVersion} inside it (absent or "" means 0.1.0), as Go's {@code
   * CreateFromBytes}.
   *
   * @throws CniException {@code decoding version from network config: …} (code 6) for bad JSON, {@code
   *     unsupported CNI result version "x"} (code 1) for an unknown version, or a decoding error (code 6) for a
   *     member of the wrong type
   */
  public static Result parse(byte[] json) throws CniException {
    JsonNode root;
    try {
      root = read(json);
    } catch (CniException e) {
      throw e.withPrefix("decoding version from network config: ");
    }
    String version;
    try {
      version = JsonFields.of(root, "struct { CNIVersion string \"json:\\\"cniVersion\\\"\" }")
          .string("cniVersion");
    } catch (CniException e) {
      throw e.withPrefix("decoding version from network config: ");
    }
    return create(version.isEmpty() ? "0.1.0" : version, root);
  }

  /**
   * Parses a plugin's result, taking {@code versionIfMissing} (the configuration's version; "" means 0.1.0) when
   * the result has no {@code cniVersion}, as Go's {@code ExecPluginWithResult} does. JSON {@code null} is an empty
   * result.
   *
   * @throws CniException {@code failed to unmarshal raw result: …} (code 6) for JSON that is not an object, else
   *     as {@link #parse(byte[])}
   */
  public static Result parse(byte[] json, String versionIfMissing) throws CniException {
    JsonNode root;
    try {
      root = read(json);
    } catch (CniException e) {
      throw e.withPrefix("failed to unmarshal raw result: ");
    }
    if (root.isNull()) {
      root = GoJson.mapper().createObjectNode();
    }
    if (!root.isObject()) {
      throw JsonFields.decoding("failed to unmarshal raw result: json: cannot unmarshal " + JsonFields.kind(root)
          + " into Go value of type map[string]interface {}");
    }
    ObjectNode obj = ((ObjectNode) root).deepCopy();
    JsonNode v = obj.get("cniVersion");
    if (v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty())) {
      obj.put("cniVersion", versionIfMissing == null || versionIfMissing.isEmpty() ? "0.1.0" : versionIfMissing);
    }
    return parse(GoJson.compact(obj));
  }

  /**
   * Parses a {@code prevResult} object from a plugin's configuration as Go's {@code version.ParsePrevResult}: the
   * result shape is chosen by the configuration's version and the result's own {@code cniVersion} (filled in from
   * the configuration when missing) must belong to that shape. Returns null when {@code prevResult} is null.
   */
  public static Result parsePrevResult(JsonNode prevResult, String configVersion) throws CniException {
    if (prevResult == null || prevResult.isNull() || prevResult.isMissingNode()) {
      return null;
    }
    if (!prevResult.isObject()) {
      throw JsonFields.decoding("could not parse prevResult: json: cannot unmarshal " + JsonFields.kind(prevResult)
          + " into Go value of type map[string]interface {}");
    }
    ObjectNode obj = ((ObjectNode) prevResult).deepCopy();
    JsonNode v = JsonFields.lookup(obj, "cniVersion");
    String conf = configVersion == null ? "" : configVersion;
    if (v == null || (v.isTextual() && v.textValue().isEmpty())) {
      obj.put("cniVersion", conf);
    }
    try {
      return create(conf, obj);
    } catch (CniException e) {
      throw e.withPrefix("could not parse prevResult: ");
    }
  }

  /** Parses {@code json} as the result shape serving {@code version} (Go's {@code create.Create}). */
  public static Result create(String version, JsonNode json) throws CniException {
    String v = version == null ? "" : version;
    if (v.isEmpty() || Result020.VERSIONS.contains(v)) {
      return Result020.fromJson(json);
    }
    if (Result040.VERSIONS.contains(v)) {
      return Result040.fromJson(json);
    }
    if (Result100.VERSIONS.contains(v)) {
      return Result100.fromJson(json);
    }
    throw new CniException(ErrorCode.INCOMPATIBLE_CNI_VERSION, "unsupported CNI result version \"" + v + "\"");
  }

  private static JsonNode read(byte[] json) throws CniException {
    if (json == null || json.length == 0) {
      throw JsonFields.decoding("unexpected end of JSON input");
    }
    try {
      JsonNode n = GoJson.mapper().readTree(json);
      if (n == null || n.isMissingNode()) {
        throw JsonFields.decoding("unexpected end of JSON input");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw JsonFields.decoding(e.getOriginalMessage());
    } catch (IOException e) {
      throw JsonFields.decoding(String.valueOf(e.getMessage()));
    }
  }

  static void checkVersion(List<String> supported, String actual) throws CniException {
    if (!supported.contains(actual)) {
      throw new CniException(ErrorCode.INCOMPATIBLE_CNI_VERSION, "result type supports ["
          + String.join(" ", supported) + "] but unmarshalled CNIVersion is \"" + actual + "\"");
    }
  }

  static CniException noConverter(String from, String to) {
    return new CniException(ErrorCode.INCOMPATIBLE_CNI_VERSION,
        "no converter for CNI result version " + from + " to " + to);
  }
}
