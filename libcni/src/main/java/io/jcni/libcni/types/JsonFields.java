package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * <p>Shared by jcni's configuration and result parsers so they all decode like the Go plugins do.
 */
public final class JsonFields {
  private final ObjectNode node;
  private final String struct;

  private JsonFields(ObjectNode node, String struct) {
    this.node = node;
    this.struct = struct;
  }

  /** Reads {@code n}, which must be an object (or null, read as an empty object). */
  public static JsonFields of(JsonNode n, String struct) throws CniException {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return new JsonFields(GoJson.mapper().createObjectNode(), struct);
    }
    if (!n.isObject()) {
      throw decoding("json: cannot unmarshal " + kind(n) + " into Go value of type " + struct);
    }
    return new JsonFields((ObjectNode) n, struct);
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

  public JsonNode get(String key) {
    return lookup(node, key);
  }

  public String string(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return "";
    }
    if (!v.isTextual()) {
      throw mismatch(v, key, "string");
    }
    return v.textValue();
  }

  public Integer integer(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return null;
    }
    if (!v.isNumber()) {
      throw mismatch(v, key, "int");
    }
    // Go parses an int field with ParseInt, so 1.0 and 1e3 are errors just like 1.5.
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw decoding("json: cannot unmarshal number " + v.asText() + " into Go struct field " + struct + "." + key
          + " of type int");
    }
    return v.intValue();
  }

  public List<String> strings(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return List.of();
    }
    if (!v.isArray()) {
      throw mismatch(v, key, "[]string");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (e.isNull()) {
        out.add("");
      } else if (!e.isTextual()) {
        throw mismatch(e, key, "string");
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
      throw mismatch(v, key, "[]" + key);
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : (ArrayNode) v) {
      if (e.isNull()) {
        continue;
      }
      if (!e.isObject()) {
        throw mismatch(e, key, "object");
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
      throw mismatch(v, key, "string");
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
      throw mismatch(v, key, "net.IP");
    }
    return v.textValue().isEmpty() ? null : Ips.parse(v.textValue());
  }

  /** The member {@code key}, which must be a JSON bool when present; absent is false. */
  public boolean bool(String key) throws CniException {
    JsonNode v = get(key);
    if (v == null) {
      return false;
    }
    if (!v.isBoolean()) {
      throw mismatch(v, key, "bool");
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
      throw mismatch(v, key, goType);
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

  private CniException mismatch(JsonNode v, String key, String goType) {
    return decoding("json: cannot unmarshal " + kind(v) + " into Go struct field " + struct + "." + key
        + " of type " + goType);
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
