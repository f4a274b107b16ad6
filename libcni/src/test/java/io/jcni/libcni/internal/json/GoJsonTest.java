package io.jcni.libcni.internal.json;

import io.jcni.libcni.types.Json;
import static io.jcni.libcni.types.Json.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expectations taken from Go's encoding/json documentation and behaviour (HTML-safe escaping, float format). */
class GoJsonTest {

  @Test
  void escapesLikeGo() {
    String json = str(GoJson.compact(Json.tree("{\"a\":\"<b>&\\u2028\\u0001\\n\\\"\\\\é\"}")));
    assertEquals("{\"a\":\"\\u003cb\\u003e\\u0026\\u2028\\u0001\\n\\\"\\\\é\"}", json);
  }

  @Test
  void indentsWithFourSpacesAndCompactEmpties() {
    String json = str(GoJson.indented(Json.tree("{\"a\":[1,{}],\"b\":[],\"c\":{\"d\":true,\"e\":null}}")));
    assertEquals("""
        {
            "a": [
                1,
                {}
            ],
            "b": [],
            "c": {
                "d": true,
                "e": null
            }
        }""", json);
  }

  @Test
  void sortsKeysBytewise() {
    assertEquals("{\"B\":1,\"a\":{\"Z\":2,\"y\":3},\"b\":[{\"d\":1,\"c\":2}]}".length(),
        str(GoJson.compact(GoJson.sorted(Json.tree("{\"b\":[{\"d\":1,\"c\":2}],\"a\":{\"y\":3,\"Z\":2},\"B\":1}"))))
            .length());
    assertEquals("{\"B\":1,\"a\":{\"Z\":2,\"y\":3},\"b\":[{\"c\":2,\"d\":1}]}",
        str(GoJson.compact(GoJson.sorted(Json.tree("{\"b\":[{\"d\":1,\"c\":2}],\"a\":{\"y\":3,\"Z\":2},\"B\":1}")))));
  }

  @ParameterizedTest
  @CsvSource({
    // Go json.Marshal(float64(x)) output
    "1.0, 1",
    "1.5, 1.5",
    "0.000001, 0.000001",
    "0.0000001, 1e-7",
    "1e20, 100000000000000000000",
    "1e21, 1e+21",
    "-2.5e-8, -2.5e-8",
    "123456.789, 123456.789",
    "-0.0, -0",
  })
  void formatsFloatsLikeGo(double in, String out) {
    assertEquals(out, GoJson.float64(in));
  }

  private static String marshal(String json) {
    return str(GoJson.marshal(Json.tree(json)));
  }

  @Test
  void marshalIsCompactOfSorted() {
    // Two routes to Go's map output (one copying, one streaming) must agree byte for byte.
    String in = "{\"z\":[{\"b\":9007199254740993,\"a\":-0.0}],\"\u00e9\":1,\"\ud83d\ude00\":2,"
        + "\"\uffff\":3,\"A\":1e300,\"m\":-9223372036854775808}";
    assertEquals(str(GoJson.compact(GoJson.sorted(Json.tree(in)))), marshal(in));
  }

  @Test
  void mapKeysFollowUtf8ByteOrder() {
    // Oracle: Go compares the UTF-8 bytes; UTF-16 order would put the emoji (a surrogate pair) before U+FFFF.
    List<String> keys = List.of("\uffff", "\ud83d\ude00", "\u00e9", "z", "A", "\uff21");
    ObjectNode n = GoJson.mapper().createObjectNode();
    keys.forEach(k -> n.put(k, 1));
    List<String> expected = new ArrayList<>(keys);
    expected.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
        b.getBytes(StandardCharsets.UTF_8)));
    List<String> actual = new ArrayList<>();
    GoJson.sorted(n).fieldNames().forEachRemaining(actual::add);
    assertEquals(expected, actual);
    assertEquals(str(GoJson.compact(GoJson.sorted(n))), str(GoJson.marshal(n)));
  }

  @Test
  void mapsAreSortedAndCompactAtEveryLevel() {
    assertEquals("{\"a\":[{\"x\":1,\"y\":2}],\"b\":{\"c\":true,\"d\":null}}",
        marshal("{ \"b\": {\"d\": null, \"c\": true}, \"a\": [ {\"y\": 2, \"x\": 1} ] }"));
  }

  @Test
  void numbersGoThroughFloat64() {
    assertEquals("[1500,1.5,-0.25,100000000000000000000,1e+21,1e-7,0.000001,12345678901234567000,1]",
        marshal("[1500, 1.50, -25e-2, 1e20, 1e21, 0.0000001, 0.000001, 12345678901234567890, 1.0]"));
  }

  @Test
  void stringsAreEscapedLikeGo() {
    assertEquals("\"\\u003cb\\u003e \\u0026 \\\"q\\\" \\\\ \\n\\t\\u0001 \\u2028 é\"",
        marshal("\"<b> & \\\"q\\\" \\\\ \\n\\t\\u0001 \\u2028 é\""));
  }

  @Test
  void quoteIsGoPercentQ() {
    assertEquals("\"it broke\\n\"", GoJson.quote("it broke\n"));
    assertEquals("\"a\\x00b\\x7f \\\"c\\\" ü\"", GoJson.quote("a\0b\u007f \"c\" ü"));
    // strconv.Quote's named escapes, and its non-printables (format characters, no-break space) as \\u.
    assertEquals("\"\\n\\t\\r\\a\\b\\f\\v\"", GoJson.quote("\n\t\r\u0007\b\f\u000b"));
    assertEquals("\"é世\\u200b\\u00a0\"", GoJson.quote("é世\u200b\u00a0"));
  }

  @Test
  void syntaxErrorsUseGoScannerTexts() {
    String[][] cases = {
      {"", "unexpected end of JSON input"},
      {"{\"a\":", "unexpected end of JSON input"},
      {"garbage", "invalid character 'g' looking for beginning of value"},
      {"this", "invalid character 'h' in literal true (expecting 'r')"},
      {"{\"a\" 1}", "invalid character '1' after object key"},
      {"{\"a\":1 \"b\"}", "invalid character '\"' after object key:value pair"},
      {"{1}", "invalid character '1' looking for beginning of object key string"},
      {"[1 2]", "invalid character '2' after array element"},
      {"{} x", "invalid character 'x' after top-level value"},
      {"-x", "invalid character 'x' in numeric literal"},
      {"\"\\q\"", "invalid character 'q' in string escape code"},
    };
    for (String[] c : cases) {
      GoJson.GoJsonException e = assertThrows(GoJson.GoJsonException.class,
          () -> GoJson.parse(c[0].getBytes(StandardCharsets.UTF_8)), c[0]);
      assertEquals(c[1], e.getMessage(), c[0]);
    }
  }
}
