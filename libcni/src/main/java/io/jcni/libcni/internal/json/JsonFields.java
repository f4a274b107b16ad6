package io.jcni.libcni.internal.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSON object read the way Go's {@code encoding/json} fills a struct: keys match exactly or else
 * case-insensitively, {@code null} is the same as absent, unknown keys are ignored, and a value of the wrong JSON
 * type is a {@link ErrorCode#DECODING_FAILURE} error worded like Go's ({@code json: cannot unmarshal number into Go
 * struct field PluginConf.type of type string}).
 *
 * <p>Errors name a field as Go does: the innermost struct's name, then the field's JSON path from the document
 * root ({@code Range.ipam.ranges.subnet}). Shared by jcni's configuration and result parsers and by the in-process
 * plugins, so they all decode like the Go plugins do.
 */
public final class JsonFields {
  private final ObjectNode node;
  private final String struct;
  // The JSON path of this object from the document root, "" at the root; Go's errors name fields by it.
  private final String path;

  private JsonFields(ObjectNode node, String struct, String path) {
    this.node = node;
    this.struct = struct;
    this.path = path;
  }

  /** Reads {@code n}, which must be an object (or null, read as an empty object). */
  public static JsonFields of(JsonNode n, String struct) throws CniException {
    return of(n, struct, struct);
  }

  /**
   * Reads {@code n} as a document decoded into a value of Go type {@code valueType} (named in the error when
   * {@code n} is not an object) whose fields belong to the struct named {@code struct}.
   */
  public static JsonFields of(JsonNode n, String valueType, String struct) throws CniException {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return new JsonFields(GoJson.mapper().createObjectNode(), struct, "");
    }
    if (!n.isObject()) {
      throw decoding(GoJson.typeMismatch(n, valueType));
    }
    return new JsonFields((ObjectNode) n, struct, "");
  }

  /**
   * Parses {@code bytes} as Go's {@code json.Unmarshal} into a struct: syntax errors in Go's words, then as
   * {@link #of(JsonNode, String, String)}.
   */
  public static JsonFields parse(byte[] bytes, String valueType, String struct) throws CniException {
    try {
      return of(GoJson.parse(bytes), valueType, struct);
    } catch (GoJson.GoJsonException e) {
      throw decoding(e.getMessage());
    }
  }

  /** The member named {@code key}, matched as Go matches struct fields; null when absent or JSON null. */
  public static JsonNode lookup(ObjectNode node, String key) {
    // Go applies members in document order, each matching a field exactly or case-insensitively, and a null
    // leaves the field as it was; so the last non-null match wins.
    JsonNode found = null;
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isNull() && e.getKey().equalsIgnoreCase(key)) {
        found = e.getValue();
      }
    }
    return found;
  }

  /** The member {@code key} as Go matches it; null when absent or JSON null. */
  public JsonNode get(String key) {
    return lookup(node, key);
  }

  /** Whether the member {@code key} is present with a non-null value. */
  public boolean has(String key) {
    return get(key) != null;
  }

  /** Whether the document names the member {@code key} at all, even as null (a distinction Go cannot make). */
  public boolean hasKey(String key) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (e.getKey().equalsIgnoreCase(key)) {
        return true;
      }
    }
    return false;
  }

  /** A string member; absent is "". */
  public String string(String key) throws CniException {
    return string(key, "");
  }

  /** A string member; absent (or null, which leaves a Go field as it was) is {@code dflt}. */
  public String string(String key, String dflt) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    if (!v.isTextual()) {
      throw typeError(v, key, "string");
    }
    return v.textValue();
  }

  /** An {@code int} member held in 32 bits; absent is null, a value beyond {@code int} an error. */
  public Integer integer(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    checkInt(v, key, v.canConvertToInt());
    return v.intValue();
  }

  /** An {@code int} member with Go's 64 bits; absent is {@code dflt}. */
  public long longInteger(String key, long dflt) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return dflt;
    }
    checkInt(v, key, v.canConvertToLong());
    return v.longValue();
  }

  private void checkInt(JsonNode v, String key, boolean fits) throws CniException {
    if (!v.isNumber()) {
      throw typeError(v, key, "int");
    }
    // Go parses an int field with ParseInt, so 1.0 and 1e3 are errors just like 1.5.
    if (!v.isIntegralNumber() || !fits) {
      throw decoding("json: cannot unmarshal number " + v.asText() + " into Go struct field " + field(key)
          + " of type int");
    }
  }

  public List<String> strings(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      throw typeError(v, key, "[]string");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (e.isNull()) {
        out.add("");
      } else if (!e.isTextual()) {
        throw typeError(e, key, "string");
      } else {
        out.add(e.textValue());
      }
    }
    return out;
  }

  /** How one object element of an array member becomes a value. */
  @FunctionalInterface
  public interface Decoder<T> {
    T decode(JsonNode n) throws CniException;
  }

  /** An array member of objects, each turned into a value by {@code decoder}; null elements dropped. */
  public <T> List<T> list(String key, Decoder<T> decoder) throws CniException {
    List<T> out = new ArrayList<>();
    for (JsonNode e : objects(key)) {
      out.add(decoder.decode(e));
    }
    return out;
  }

  /** An array member; each element must be an object or null (null elements are dropped, as Go's nil pointers). */
  public List<JsonNode> objects(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      throw typeError(v, key, "[]" + key);
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : (ArrayNode) v) {
      if (e.isNull()) {
        continue;
      }
      if (!e.isObject()) {
        throw typeError(e, key, "object");
      }
      out.add(e);
    }
    return out;
  }

  /** A CIDR member; absent is null, a bad value a decoding error. */
  public IpNet ipNet(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw typeError(v, key, "string");
    }
    return IpNet.parse(v.textValue());
  }

  /** A CIDR member that must be present. */
  public IpNet requiredIpNet(String key) throws CniException {
    IpNet n = ipNet(key);
    if (n == null) {
      throw decoding(struct + ": missing \"" + key + "\"");
    }
    return n;
  }

  /** An IP member; absent or "" is null (Go's nil net.IP). */
  public InetAddress ip(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw typeError(v, key, "net.IP");
    }
    return v.textValue().isEmpty() ? null : Ips.parse(v.textValue());
  }

  /**
   * An array member's elements, nulls included; absent is empty.
   *
   * @param goType the Go type of the member, for the error when it is not an array
   */
  public List<JsonNode> array(String key, String goType) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      throw typeError(v, key, goType);
    }
    List<JsonNode> out = new ArrayList<>();
    v.forEach(out::add);
    return out;
  }

  /**
   * The object member {@code key} read as a Go struct named {@code struct} ("" for an anonymous one); absent or
   * null reads as an empty object, as Go leaves a struct field zero.
   *
   * @param goType the Go type of the member, for the error when it is not an object
   */
  public JsonFields fields(String key, String goType, String struct) throws CniException {
    ObjectNode o = object(key, goType);
    return new JsonFields(o == null ? GoJson.mapper().createObjectNode() : o, struct, join(key));
  }

  /**
   * {@code element}, an element of the array member {@code key}, read as a Go struct named {@code struct}.
   *
   * @param goType the element's Go type, for the error when it is not an object
   */
  public JsonFields element(JsonNode element, String key, String goType, String struct) throws CniException {
    if (element == null || !element.isObject()) {
      throw typeError(element == null ? NullNode.getInstance() : element, key, goType);
    }
    return new JsonFields((ObjectNode) element, struct, join(key));
  }

  /** The member {@code key}, which must be a JSON bool when present; absent is false. */
  public boolean bool(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return false;
    }
    if (!v.isBoolean()) {
      throw typeError(v, key, "bool");
    }
    return v.booleanValue();
  }

  /** The member {@code key}, which must be an object when present; absent is null. */
  public ObjectNode object(String key, String goType) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw typeError(v, key, goType);
    }
    return (ObjectNode) v;
  }

  /** The Go type name of a value decoded into {@code interface{}}, as {@code %T} prints it. */
  public static String goType(JsonNode v) {
    if (v == null || v.isNull()) {
      return "<nil>";
    }
    return switch (v.getNodeType()) {
      case STRING -> "string";
      case NUMBER -> "float64";
      case BOOLEAN -> "bool";
      case ARRAY -> "[]interface {}";
      case OBJECT -> "map[string]interface {}";
      default -> "<nil>";
    };
  }

  /**
   * Go's error for {@code v}, the value (or an element of the value) of member {@code key}, being of the wrong
   * JSON kind for {@code goType}.
   */
  public CniException typeError(JsonNode v, String key, String goType) {
    return decoding("json: cannot unmarshal " + kind(v) + " into Go struct field " + field(key) + " of type "
        + goType);
  }

  // Go names a field by its innermost struct and its path from the root.
  private String field(String key) {
    return struct + "." + join(key);
  }

  private String join(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The JSON kind of {@code v} as Go's decoder names it in errors ({@code number}, {@code array}, …). */
  public static String kind(JsonNode v) {
    JsonNodeType t = v.getNodeType();
    return switch (t) {
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "bool";
      case ARRAY -> "array";
      case OBJECT -> "object";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** A decoding error (code 6) with {@code msg}. */
  public static CniException decoding(String msg) {
    return new CniException(ErrorCode.DECODING_FAILURE, msg);
  }
}
