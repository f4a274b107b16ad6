package io.jcni.plugins.hostlocal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.JsonFields;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON tree the way Go's {@code encoding/json} fills a struct: keys match field names case-insensitively
 * (the last matching key wins), unknown keys are ignored, {@code null} means absent, and a value of the wrong
 * kind is a decoding error naming the Go field.
 */
final class GoJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private GoJson() {}

  static JsonNode parse(byte[] bytes, String goType) throws CniException {
    try {
      JsonNode n = MAPPER.readTree(bytes);
      if (n == null || n.isMissingNode()) {
        throw new CniException(ErrorCode.DECODING_FAILURE, "unexpected end of JSON input");
      }
      if (!n.isObject() && !n.isNull()) {
        throw typeError(n, goType, null, "");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "invalid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "invalid JSON: " + e.getMessage());
    }
  }

  /** The value of {@code key} in {@code obj}, matched like Go does; null when absent or JSON null. */
  static JsonNode field(JsonNode obj, String key) {
    if (obj == null || !obj.isObject()) {
      return null;
    }
    JsonNode found = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equalsIgnoreCase(key)) {
        found = e.getValue();
      }
    }
    return found == null || found.isNull() ? null : found;
  }

  /**
   * A string field, or null when absent.
   *
   * @param goStruct the Go struct type holding the field, for error messages ("" for an anonymous struct)
   * @param path the JSON path of {@code obj} ("" at the top), for error messages
   */
  static String string(JsonNode obj, String key, String goStruct, String path) throws CniException {
    JsonNode v = field(obj, key);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw typeError(v, "string", goStruct, join(path, key));
    }
    return v.textValue();
  }

  /** An object field, or null when absent. */
  static JsonNode object(JsonNode obj, String key, String goStruct, String path, String goType)
      throws CniException {
    JsonNode v = field(obj, key);
    if (v != null && !v.isObject()) {
      throw typeError(v, goType, goStruct, join(path, key));
    }
    return v;
  }

  /** The elements of an array field (empty when absent). */
  static List<JsonNode> array(JsonNode obj, String key, String goStruct, String path, String goType)
      throws CniException {
    JsonNode v = field(obj, key);
    List<JsonNode> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!v.isArray()) {
      throw typeError(v, goType, goStruct, join(path, key));
    }
    v.forEach(out::add);
    return out;
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Go's {@code UnmarshalTypeError} text. */
  static CniException typeError(JsonNode v, String goType, String goStruct, String fieldPath) {
    String kind = JsonFields.kind(v);
    String where = goStruct == null ? "Go value" : "Go struct field " + goStruct + "." + fieldPath;
    return new CniException(
        ErrorCode.DECODING_FAILURE, "json: cannot unmarshal " + kind + " into " + where + " of type " + goType);
  }
}
