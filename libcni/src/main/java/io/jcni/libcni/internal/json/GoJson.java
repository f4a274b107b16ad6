package io.jcni.libcni.internal.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.Result;
import io.jcni.libcni.types.Route;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Go's {@code encoding/json} as jcni needs it: writing JSON text exactly as Go does ({@code json.Marshal} of a
 * struct or of a decoded {@code map[string]interface{}}, {@code json.MarshalIndent(v, "", "    ")}), reading JSON
 * with Go's error texts, and Go's {@code %q} quoting and type-mismatch wording that upstream messages embed.
 *
 * <p>Writing uses Go's string escaping ({@code <}, {@code >}, {@code &}, U+2028 and U+2029 escaped) and Go's
 * float64 number format. {@link #compact} keeps members in node order (a Go struct); {@link #marshal} and
 * {@link #sorted} give what comes out wherever Go round-trips a value through {@code map[string]interface{}}
 * (plugin stdin, cache files, 1.x results), so bytes written by jcni match Go's.
 */
public final class GoJson {
  // Go rejects anything after the top-level value; Jackson ignores it unless told. The module makes valueToTree
  // write jcni's value types in their Go shapes.
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).registerModule(goShapes());

  private static SimpleModule goShapes() {
    SimpleModule m = new SimpleModule("jcni-go-shapes");
    m.addSerializer(new TreeSerializer<>(InetAddress.class, ip -> TextNode.valueOf(Ips.format(ip))));
    m.addSerializer(new TreeSerializer<>(Dns.class, Dns::toJsonNode));
    m.addSerializer(new TreeSerializer<>(Route.class, Route::toJsonNode));
    m.addSerializer(new TreeSerializer<>(Interface.class, Interface::toJsonNode));
    m.addSerializer(new TreeSerializer<>(IpConfig.class, IpConfig::toJsonNode));
    m.addSerializer(new TreeSerializer<>(Result.class, Result::toJsonNode));
    return m;
  }

  /** Writes a value through its own Go-shaped tree. */
  private static final class TreeSerializer<T> extends StdSerializer<T> {
    private static final long serialVersionUID = 1L;
    private final transient Function<T, JsonNode> toTree;

    TreeSerializer(Class<T> type, Function<T, JsonNode> toTree) {
      super(type);
      this.toTree = toTree;
    }

    @Override
    public void serialize(T value, JsonGenerator g, SerializerProvider p) throws IOException {
      g.writeTree(toTree.apply(value));
    }
  }

  private GoJson() {}

  /** A mapper for reading JSON as Go does (trailing data is an error); its object nodes keep insertion order. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Go's {@code json.Marshal} of {@code node}: compact, members in node order. */
  public static byte[] compact(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(sb, node, null, 0, false);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Go's {@code json.Marshal} of {@code node} decoded into {@code interface{}}: compact, as {@link #compact} of
   * {@link #sorted} but without building the sorted copy.
   */
  public static byte[] marshal(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(sb, node, null, 0, true);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Go's {@code json.Marshal} of a {@code map[string]interface{}} whose {@code structKeys} entries hold Go structs:
   * as {@link #marshal}, except that those entries keep their members in node order.
   */
  public static byte[] marshal(ObjectNode map, Set<String> structKeys) {
    List<String> keys = new ArrayList<>();
    map.fieldNames().forEachRemaining(keys::add);
    keys.sort(GoJson::compareUtf8);
    StringBuilder sb = new StringBuilder("{");
    for (String k : keys) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      string(sb, k);
      sb.append(':');
      write(sb, map.get(k), null, 0, !structKeys.contains(k));
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Go's {@code json.MarshalIndent(v, "", "    ")} of {@code node}, without a trailing newline. */
  public static byte[] indented(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(sb, node, "    ", 0, false);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses {@code bytes} as one JSON value, failing with Go's error text (e.g. "unexpected end of JSON input"). */
  public static JsonNode parse(byte[] bytes) throws GoJsonException {
    // Go's scanner checks the whole text before decoding; its texts are what upstream messages embed.
    String syntax = GoJsonSyntax.check(bytes);
    if (syntax != null) {
      throw new GoJsonException(syntax);
    }
    try {
      return MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      // Unreachable for text the scanner accepted, except for limits (nesting depth, number length).
      throw new GoJsonException(String.valueOf(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new GoJsonException(String.valueOf(e.getMessage()));
    }
  }

  /** A JSON decoding failure whose message is Go's {@code encoding/json} text. */
  public static final class GoJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    public GoJsonException(String msg) {
      super(msg);
    }
  }

  /** Go's {@code json: cannot unmarshal X into Go value of type T} for a value of the wrong JSON kind. */
  public static String typeMismatch(JsonNode value, String goType) {
    return "json: cannot unmarshal " + JsonFields.kind(value) + " into Go value of type " + goType;
  }

  /**
   * {@code node} as Go re-marshals it after decoding into {@code map[string]interface{}}: every object's members
   * sorted by the bytes of their keys, and integers beyond 2^53 rounded to float64.
   */
  public static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
      // Go sorts map keys by their UTF-8 bytes; for UTF-16 this differs only with supplementary characters.
      fields.sort((a, b) -> compareUtf8(a.getKey(), b.getKey()));
      ObjectNode out = MAPPER.createObjectNode();
      for (Map.Entry<String, JsonNode> e : fields) {
        out.set(e.getKey(), sorted(e.getValue()));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = MAPPER.createArrayNode();
      node.forEach(n -> out.add(sorted(n)));
      return out;
    }
    if (beyondFloat64(node)) {
      // Through interface{} every number becomes a float64, so large integers lose their low digits as in Go.
      return DoubleNode.valueOf(node.bigIntegerValue().doubleValue());
    }
    return node;
  }

  private static boolean beyondFloat64(JsonNode n) {
    return n.isIntegralNumber()
        && (!n.canConvertToLong() || n.longValue() > (1L << 53) || n.longValue() < -(1L << 53));
  }

  /** Go's map key order, the order of UTF-8 bytes, which is code point order; compared without encoding. */
  private static int compareUtf8(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static void write(StringBuilder sb, JsonNode n, String indent, int depth, boolean sortKeys) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      sb.append("null");
    } else if (n.isObject()) {
      if (n.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      Iterable<Map.Entry<String, JsonNode>> members = n.properties();
      if (sortKeys) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.properties());
        fields.sort((a, b) -> compareUtf8(a.getKey(), b.getKey()));
        members = fields;
      }
      for (Map.Entry<String, JsonNode> e : members) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, indent, depth + 1);
        string(sb, e.getKey());
        sb.append(indent == null ? ":" : ": ");
        write(sb, e.getValue(), indent, depth + 1, sortKeys);
      }
      newline(sb, indent, depth);
      sb.append('}');
    } else if (n.isArray()) {
      if (n.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        newline(sb, indent, depth + 1);
        write(sb, n.get(i), indent, depth + 1, sortKeys);
      }
      newline(sb, indent, depth);
      sb.append(']');
    } else if (n.isTextual()) {
      string(sb, n.textValue());
    } else if (n.isBoolean()) {
      sb.append(n.booleanValue());
    } else if (n.isIntegralNumber() && !(sortKeys && beyondFloat64(n))) {
      sb.append(n.bigIntegerValue());
    } else if (n.isNumber()) {
      sb.append(float64(n.doubleValue()));
    } else if (n.isBinary()) {
      // Go marshals []byte as base64.
      sb.append('"').append(java.util.Base64.getEncoder().encodeToString(binary(n))).append('"');
    } else {
      string(sb, n.asText());
    }
  }

  private static byte[] binary(JsonNode n) {
    try {
      return n.binaryValue();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void newline(StringBuilder sb, String indent, int depth) {
    if (indent != null) {
      sb.append('\n');
      sb.append(indent.repeat(depth));
    }
  }

  /** Go's float64 encoding: plain decimal for 1e-6 <= |f| < 1e21, else exponent form like {@code 1e+21}. */
  static String float64(double f) {
    if (Double.isNaN(f) || Double.isInfinite(f)) {
      throw new IllegalArgumentException("json: unsupported value: " + f);
    }
    if (f == 0) {
      return (1 / f < 0) ? "-0" : "0";
    }
    BigDecimal d = new BigDecimal(Double.toString(f)).stripTrailingZeros();
    double abs = Math.abs(f);
    if (abs >= 1e-6 && abs < 1e21) {
      return d.toPlainString();
    }
    String digits = d.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - d.scale();
    StringBuilder sb = new StringBuilder();
    if (f < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exp < 0 ? '-' : '+');
    String e = Integer.toString(Math.abs(exp));
    // strconv pads exponents to two digits; encoding/json then strips the pad from negative ones (e-07 -> e-7).
    sb.append(e.length() < 2 && exp > 0 ? "0" + e : e);
    return sb.toString();
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            unicode(sb, c);
          } else if (Character.isSurrogate(c)) {
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
              sb.append(c).append(s.charAt(++i));
            } else {
              // Go replaces invalid UTF-8 with U+FFFD; a lone surrogate is the UTF-16 analogue.
              sb.append("\\ufffd");
            }
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicode(StringBuilder sb, char c) {
    sb.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }
  /** Go's {@code %q} (strconv.Quote) of {@code s}: a double-quoted string with Go escapes. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().forEach(cp -> {
      switch (cp) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case 7 -> sb.append("\\a");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case 11 -> sb.append("\\v");
        default -> {
          if (cp < 0x20 || cp == 0x7f) {
            sb.append("\\x").append(HEX[(cp >> 4) & 0xf]).append(HEX[cp & 0xf]);
          } else if (cp == 0xfffd || isPrintable(cp)) {
            sb.appendCodePoint(cp);
          } else if (cp < 0x10000) {
            sb.append(String.format("\\u%04x", cp));
          } else {
            sb.append(String.format("\\U%08x", cp));
          }
        }
      }
    });
    return sb.append('"').toString();
  }

  /** Go's {@code strconv.IsPrint}, approximated by the Unicode categories it excludes. */
  private static boolean isPrintable(int cp) {
    if (cp < 0x7f) {
      return true;
    }
    if (Character.isSurrogate((char) cp) && cp < 0x10000) {
      return false;
    }
    int t = Character.getType(cp);
    return cp != 0xa0 && Character.isDefined(cp) && t != Character.CONTROL && t != Character.FORMAT
        && t != Character.PRIVATE_USE && t != Character.UNASSIGNED && t != Character.SPACE_SEPARATOR
        && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR;
  }
}
