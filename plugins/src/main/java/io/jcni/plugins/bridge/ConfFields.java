package io.jcni.plugins.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads fields of a JSON object the way Go's {@code encoding/json} fills a struct: keys match case-insensitively,
 * the last matching key wins, {@code null} leaves the default, and a value of the wrong JSON type is an error.
 */
final class ConfFields {
  private final ObjectNode obj;
  private final String struct;

  private ConfFields(ObjectNode obj, String struct) {
    this.obj = obj;
    this.struct = struct;
  }

  /** Wraps {@code node} (which must be an object) for reading fields of the Go struct named {@code struct}. */
  static ConfFields of(JsonNode node, String struct) throws CniException {
    if (!(node instanceof ObjectNode o)) {
      throw typeError(node, struct, null, "main." + struct);
    }
    return new ConfFields(o, struct);
  }

  /** The value of {@code key}, matched as Go does, or null when absent or JSON null. */
  JsonNode get(String key) {
    JsonNode found = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equalsIgnoreCase(key)) {
        // Go assigns every matching key in document order, so a later null does not undo an earlier value.
        if (!e.getValue().isNull()) {
          found = e.getValue();
        }
      }
    }
    return found;
  }

  /** Whether {@code key} is present with a non-null value. */
  boolean has(String key) {
    return get(key) != null;
  }

  String string(String key, String dflt) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw typeError(v, struct, key, "string");
    }
    return v.textValue();
  }

  boolean bool(String key, boolean dflt) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw typeError(v, struct, key, "bool");
    }
    return v.booleanValue();
  }

  /** A Go {@code int} (64 bit): integral JSON numbers only. */
  long integer(String key, long dflt) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw typeError(v, struct, key, "int");
    }
    return v.longValue();
  }

  /** A nested struct, or null when absent. */
  ConfFields object(String key, String nestedStruct) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw typeError(v, struct, key, nestedStruct);
    }
    return new ConfFields((ObjectNode) v, struct + "." + key);
  }

  /** The error text Go's decoder gives for a JSON value of the wrong type, prefixed as the bridge does. */
  static CniException typeError(JsonNode v, String struct, String key, String goType) {
    String what;
    if (v == null || v.isNull()) {
      what = "null";
    } else if (v.isTextual()) {
      what = "string";
    } else if (v.isNumber()) {
      what = "number " + v.asText();
    } else if (v.isBoolean()) {
      what = "bool";
    } else if (v.isArray()) {
      what = "array";
    } else {
      what = "object";
    }
    String field = key == null ? "" : " into Go struct field " + struct + "." + key;
    String target = key == null ? " into Go value" : "";
    return new CniException(
        ErrorCode.DECODING_FAILURE,
        "failed to load netconf: json: cannot unmarshal " + what + target + field + " of type " + goType);
  }
}
