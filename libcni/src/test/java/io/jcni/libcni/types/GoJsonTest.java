package io.jcni.libcni.types;

import static io.jcni.libcni.types.Json.str;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
  })
  void formatsFloatsLikeGo(double in, String out) {
    assertEquals(out, GoJson.float64(in));
  }
}
