package io.jcni.libcni.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Go encoding/json behaviour the byte-compatibility rests on; expected texts are Go's documented output. */
class GoJsonTest {
  private static String marshal(String json) throws Exception {
    return new String(GoJson.marshal(GoJson.MAPPER.readTree(json)), StandardCharsets.UTF_8);
  }

  @Test
  void mapsAreSortedAndCompactAtEveryLevel() throws Exception {
    assertEquals("{\"a\":[{\"x\":1,\"y\":2}],\"b\":{\"c\":true,\"d\":null}}",
        marshal("{ \"b\": {\"d\": null, \"c\": true}, \"a\": [ {\"y\": 2, \"x\": 1} ] }"));
  }

  @Test
  void numbersGoThroughFloat64() throws Exception {
    assertEquals("[1500,1.5,-0.25,100000000000000000000,1e+21,1e-7,0.000001,12345678901234567000,1]",
        marshal("[1500, 1.50, -25e-2, 1e20, 1e21, 0.0000001, 0.000001, 12345678901234567890, 1.0]"));
  }

  @Test
  void stringsAreEscapedLikeGo() throws Exception {
    assertEquals("\"\\u003cb\\u003e \\u0026 \\\"q\\\" \\\\ \\n\\t\\u0001 \\u2028 é\"",
        marshal("\"<b> & \\\"q\\\" \\\\ \\n\\t\\u0001 \\u2028 é\""));
  }

  @Test
  void quoteIsGoPercentQ() {
    assertEquals("\"it broke\\n\"", GoJson.quote("it broke\n"));
    assertEquals("\"a\\x00b\\x7f \\\"c\\\" ü\"", GoJson.quote("a\0b\u007f \"c\" ü"));
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
