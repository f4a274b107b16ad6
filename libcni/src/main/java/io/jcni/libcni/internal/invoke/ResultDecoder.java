package io.jcni.libcni.internal.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;

/**
 * The raw result of an ADD as libcni reads it from a plugin's stdout (Go's {@code ExecPluginWithResult}):
 * {@code null} counts as {@code {}}, and a result without a {@code cniVersion} (or an empty one) is taken to be in
 * the configuration's version, read from the stdin the plugin got.
 *
 * <p>The result is not converted to the configuration's version here; turning it into a typed result is the
 * caller's job. An in-process plugin's result object is taken as it is, without being printed and parsed.
 */
public final class ResultDecoder {
  private ResultDecoder() {}

  /**
   * Returns the result object from {@code stdout}, its {@code cniVersion} filled in from {@code stdin} where
   * missing.
   *
   * @throws CniException code 6 {@code decoding version from network config: …} when stdin is not a
   *     configuration, or {@code failed to unmarshal raw result: …} when stdout is not a JSON object
   */
  public static ObjectNode decode(byte[] stdin, byte[] stdout) throws CniException {
    String confVersion = configVersion(stdin);
    JsonNode raw;
    try {
      raw = GoJson.parse(stdout);
    } catch (GoJson.GoJsonException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "failed to unmarshal raw result: " + e.getMessage());
    }
    return withVersion(raw, confVersion);
  }

  /**
   * Returns the result object an in-process plugin answered, as {@link #decode(byte[], byte[])} would read it once
   * printed: the same object, its {@code cniVersion} filled in from {@code stdin} where missing.
   */
  public static ObjectNode decode(byte[] stdin, JsonNode result) throws CniException {
    JsonNode v = result.get("cniVersion");
    if (result.isObject() && v != null && v.isTextual() && !v.textValue().isEmpty()) {
      // the result names its version, so stdin need not be parsed again (skel's checks read it before the plugin)
      return (ObjectNode) result;
    }
    return withVersion(result, configVersion(stdin));
  }

  private static ObjectNode withVersion(JsonNode raw, String confVersion) throws CniException {
    if (raw.isNull()) {
      raw = GoJson.mapper().createObjectNode();
    }
    if (!raw.isObject()) {
      throw new CniException(
          ErrorCode.DECODING_FAILURE,
          "failed to unmarshal raw result: " + GoJson.typeMismatch(raw, "map[string]interface {}"));
    }
    ObjectNode result = (ObjectNode) raw;
    JsonNode v = result.get("cniVersion");
    if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
      result.put("cniVersion", confVersion);
    }
    return result;
  }

  /** The {@code cniVersion} of a configuration, "" read as 0.1.0 (Go's {@code version.ConfigDecoder}). */
  public static String configVersion(byte[] conf) throws CniException {
    try {
      JsonNode n = GoJson.parse(conf);
      if (!n.isObject() && !n.isNull()) {
        throw new GoJson.GoJsonException(GoJson.typeMismatch(n, "struct { CNIVersion string \"json:\\\"cniVersion\\\"\" }"));
      }
      JsonNode v = n.get("cniVersion");
      if (v != null && !v.isNull() && !v.isTextual()) {
        throw new GoJson.GoJsonException(
            GoJson.typeMismatch(v, "string").replace("Go value of type", "Go struct field .cniVersion of type"));
      }
      String version = v == null || v.isNull() ? "" : v.textValue();
      return version.isEmpty() ? "0.1.0" : version;
    } catch (GoJson.GoJsonException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "decoding version from network config: " + e.getMessage());
    }
  }
}
