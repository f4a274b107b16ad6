package io.jcni.libcni.invoke;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON text exactly as Go's {@code encoding/json} writes a decoded {@code map[string]interface{}}: compact, keys
 * sorted at every level, numbers as float64, {@code <>&} and U+2028/9 escaped.
 *
 * <p>libcni round-trips plugin configurations and cached results through such maps, so bytes written by jcni
 * (plugin stdin, cache files) only match Go's when they are rendered this way. It also renders Go's
 * {@code %q} quoting and the texts of Go's JSON decoding errors, which surface in upstream error messages. Part of
 * jcni's internals; shared by the invoke and cache packages.
 */
public final class GoJson {
  /** The mapper jcni uses to read JSON; it keeps big numbers exact until {@link #marshal} rounds them as Go. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoJson() {}

  /** Returns {@code node} as Go's {@code json.Marshal} of the equivalent {@code interface{}} value. */
  public static byte[] marshal(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(sb, node, true);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns {@code node} as Go marshals a struct: compact and escaped like {@link #marshal}, but keys in the
   * node's own order (integers stay integers).
   */
  public static byte[] marshalOrdered(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(sb, node, false);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses {@code bytes} as one JSON value, failing with Go's error text (e.g. "unexpected end of JSON input"). */
  public static JsonNode parse(byte[] bytes) throws GoJsonException {
    if (isBlank(bytes)) {
      throw new GoJsonException("unexpected end of JSON input");
    }
    String syntax = GoJsonSyntax.check(bytes);
    if (syntax != null) {
      throw new GoJsonException(syntax);
    }
    try {
      JsonNode n = MAPPER.readTree(bytes);
      if (n == null || n.isMissingNode()) {
        throw new GoJsonException("unexpected end of JSON input");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new GoJsonException(describe(e));
    } catch (IOException e) {
      throw new GoJsonException(String.valueOf(e.getMessage()));
    }
  }

  /** A JSON decoding failure whose message follows Go's {@code encoding/json} wording where it can. */
  public static final class GoJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    GoJsonException(String msg) {
      super(msg);
    }
  }

  /** Go's {@code json: cannot unmarshal X into Go value of type T} for a value of the wrong JSON kind. */
  public static String typeMismatch(JsonNode value, String goType) {
    return "json: cannot unmarshal " + goKind(value) + " into Go value of type " + goType;
  }

  private static String goKind(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    } else if (v.isNumber()) {
      return "number";
    } else if (v.isBoolean()) {
      return "bool";
    } else if (v.isArray()) {
      return "array";
    } else if (v.isObject()) {
      return "object";
    }
    return "null";
  }

  private static String describe(JsonProcessingException e) {
    String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (e instanceof JsonParseException || e instanceof MismatchedInputException) {
      if (m.startsWith("Unexpected end-of-input") || m.contains("end-of-input")) {
        return "unexpected end of JSON input";
      }
      int q = m.indexOf("('");
      if (m.startsWith("Unexpected character") && q >= 0 && m.length() > q + 2) {
        String ch = m.substring(q + 2, m.indexOf('\'', q + 2) > 0 ? m.indexOf('\'', q + 2) : q + 3);
        return "invalid character '" + ch + "' looking for beginning of value";
      }
      if (m.startsWith("Unrecognized token")) {
        int t = m.indexOf('\'');
        if (t >= 0 && m.length() > t + 1) {
          return "invalid character '" + m.charAt(t + 1) + "' looking for beginning of value";
        }
      }
    }
    int nl = m.indexOf('\n');
    return nl >= 0 ? m.substring(0, nl) : m;
  }

  private static boolean isBlank(byte[] b) {
    for (byte x : b) {
      if (x != ' ' && x != '\t' && x != '\n' && x != '\r') {
        return false;
      }
    }
    return true;
  }

  static void write(StringBuilder sb, JsonNode n, boolean sortKeys) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      sb.append("null");
    } else if (n.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      for (Map.Entry<String, JsonNode> f : n.properties()) {
        fields.add(f);
      }
      // Go sorts map keys by their UTF-8 bytes; for UTF-16 strings this is code point order.
      if (sortKeys) {
        fields.sort((a, b) -> compareCodePoints(a.getKey(), b.getKey()));
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> f : fields) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, f.getKey());
        sb.append(':');
        write(sb, f.getValue(), sortKeys);
      }
      sb.append('}');
    } else if (n.isArray()) {
      sb.append('[');
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, n.get(i), sortKeys);
      }
      sb.append(']');
    } else if (n.isTextual()) {
      string(sb, n.textValue());
    } else if (n.isBoolean()) {
      sb.append(n.booleanValue());
    } else if (n.isNumber()) {
      sb.append(!sortKeys && n.canConvertToLong() && n.isIntegralNumber() ? n.asText() : float64(n.doubleValue()));
    } else if (n.isBinary()) {
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

  static int compareCodePoints(String a, String b) {
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

  /** Go's float64 encoding: shortest round-trip digits, exponent form below 1e-6 and from 1e21. */
  static String float64(double f) {
    if (Double.isNaN(f) || Double.isInfinite(f)) {
      // Go refuses to marshal these; Jackson cannot produce them from JSON text.
      throw new IllegalArgumentException("json: unsupported value: " + f);
    }
    if (f == 0) {
      return (1 / f < 0) ? "-0" : "0";
    }
    BigDecimal d = new BigDecimal(Double.toString(f)).stripTrailingZeros();
    double abs = Math.abs(f);
    if (abs < 1e-6 || abs >= 1e21) {
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
      int ae = Math.abs(exp);
      // strconv writes at least two exponent digits; encoding/json then trims "e-09" to "e-9".
      if (ae < 10 && exp > 0) {
        sb.append('0');
      }
      sb.append(ae);
      return sb.toString();
    }
    return d.toPlainString();
  }

  /** Appends {@code s} as a Go JSON string literal. */
  static void string(StringBuilder sb, String s) {
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
        case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(sb, c);
        default -> {
          if (c < 0x20) {
            unicodeEscape(sb, c);
          } else if (Character.isSurrogate(c)
              && !(Character.isHighSurrogate(c)
                  && i + 1 < s.length()
                  && Character.isLowSurrogate(s.charAt(i + 1)))
              && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
            sb.append("\\ufffd");
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicodeEscape(StringBuilder sb, char c) {
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
        && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR
        || cp == ' ';
  }
}
