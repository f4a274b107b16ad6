package io.jcni.libcni.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/** Test helper: semantic JSON comparison, as Gomega's MatchJSON (member order ignored). */
public final class Json {
  private static final ObjectMapper M = new ObjectMapper();

  private Json() {}

  public static JsonNode tree(String s) {
    try {
      return M.readTree(s);
    } catch (Exception e) {
      throw new AssertionError("bad JSON in test: " + s, e);
    }
  }

  public static void assertMatches(String expected, byte[] actual) {
    assertEquals(tree(expected), tree(new String(actual, StandardCharsets.UTF_8)),
        () -> "got " + new String(actual, StandardCharsets.UTF_8));
  }

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
