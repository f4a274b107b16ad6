package io.jcni.libcni.types;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * JSON text exactly as Go's {@code encoding/json} writes it: {@code json.Marshal} (compact) and {@code
 * json.MarshalIndent(v, "", "    ")} (what plugins print), with Go's string escaping ({@code <}, {@code >},
 * {@code &}, U+2028 and U+2029 escaped) and Go's float64 number format.
 *
 * <p>Object members are written in the node's order; {@link #sorted} gives the order Go uses for maps, which is
 * what comes out wherever Go round-trips a value through {@code map[string]interface{}} (injected configs, 1.x
 * results).
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
    write(sb, node, null, 0);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Go's {@code json.MarshalIndent(v, "", "    ")} of {@code node}, without a trailing newline. */
  public static byte[] indented(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(sb, node, "    ", 0);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final BigInteger FLOAT64_EXACT = BigInteger.ONE.shiftLeft(53);

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
    if (node.isIntegralNumber() && node.bigIntegerValue().abs().compareTo(FLOAT64_EXACT) > 0) {
      // Through interface{} every number becomes a float64, so large integers lose their low digits as in Go.
      return DoubleNode.valueOf(node.bigIntegerValue().doubleValue());
    }
    return node;
  }

  private static int compareUtf8(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.compareUnsigned(x, y);
  }

  private static void write(StringBuilder sb, JsonNode n, String indent, int depth) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      sb.append("null");
    } else if (n.isObject()) {
      if (n.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        newline(sb, indent, depth + 1);
        string(sb, e.getKey());
        sb.append(indent == null ? ":" : ": ");
        write(sb, e.getValue(), indent, depth + 1);
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
        write(sb, n.get(i), indent, depth + 1);
      }
      newline(sb, indent, depth);
      sb.append(']');
    } else if (n.isTextual()) {
      string(sb, n.textValue());
    } else if (n.isBoolean()) {
      sb.append(n.booleanValue());
    } else if (n.isIntegralNumber()) {
      sb.append(n.bigIntegerValue());
    } else if (n.isNumber()) {
      sb.append(float64(n.doubleValue()));
    } else {
      string(sb, n.asText());
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
      return "0";
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
}
