package io.jcni.libcni.types;

import io.jcni.libcni.internal.json.GoJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cases of upstream pkg/types args_test.go plus the texts the Go host-local binary prints. */
class CniArgsTest {
  private static final Set<String> IP = Set.of("IP");

  @Test
  void emptyIsEmpty() throws CniException {
    assertEquals(Map.of(), CniArgs.parse("", IP));
    assertEquals(Map.of(), CniArgs.parse(null, Set.of()));
  }

  @Test
  void knownPairsComeBackInOrderLastValueWins() throws CniException {
    Map<String, String> m = CniArgs.parse("MAC=aa:bb;IP=10.0.0.0;MAC=cc:dd", Set.of("IP", "MAC"));
    assertEquals(List.of("MAC", "IP"), List.copyOf(m.keySet()));
    assertEquals("cc:dd", m.get("MAC"));
    assertEquals("10.0.0.0", m.get("IP"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"IgnoreUnknown=True;Unk=nown", "IgnoreUnknown=1;Unk=nown", "Unk=nown;IgnoreUnknown=TRUE"})
  void unknownKeysAreDroppedWhenIgnored(String args) throws CniException {
    Map<String, String> m = CniArgs.parse(args, IP);
    assertEquals(Set.of("IgnoreUnknown"), m.keySet());
  }

  @Test
  void ignoreUnknownAloneIsKnown() throws CniException {
    assertEquals(Map.of("IgnoreUnknown", "1"), CniArgs.parse("IgnoreUnknown=1", Set.of()));
    assertEquals(Map.of("IgnoreUnknown", "false"), CniArgs.parse("IgnoreUnknown=false", Set.of()));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    // texts as /usr/lib/cni/host-local prints them (code 999)
    "X=y | ARGS: unknown args [\"X=y\"]",
    "X=y;Z=w | ARGS: unknown args [\"X=y\" \"Z=w\"]",
    "IgnoreUnknown=0;Unk=nown | ARGS: unknown args [\"Unk=nown\"]",
    "ignoreunknown=1;Unk=nown | ARGS: unknown args [\"ignoreunknown=1\" \"Unk=nown\"]",
    "IgnoreUnknown=maybe | ARGS: error parsing value of pair \"IgnoreUnknown=maybe\": boolean unmarshal error: invalid input maybe",
    "IgnoreUnknown=YES | ARGS: error parsing value of pair \"IgnoreUnknown=YES\": boolean unmarshal error: invalid input yes",
    "foo | ARGS: invalid pair \"foo\"",
    "IP=1=2 | ARGS: invalid pair \"IP=1=2\"",
    "IgnoreUnknown=0, Unk=nown | ARGS: invalid pair \"IgnoreUnknown=0, Unk=nown\"",
    "IP=10.0.0.1; | ARGS: invalid pair \"\"",
  })
  void failsWithGoTexts(String args, String message) {
    CniException e = assertThrows(CniException.class, () -> CniArgs.parse(args, IP));
    assertEquals(message, e.getMessage());
    assertEquals(ErrorCode.INTERNAL, e.errorCode());
  }

  @Test
  void keysAreCaseSensitive() {
    assertThrows(CniException.class, () -> CniArgs.parse("ip=10.0.0.1", IP));
  }

  @Test
  void quotesLikeGo() {
    assertEquals("\"a\\\"b\\\\c\\td\"", GoJson.quote("a\"b\\c\td"));
  }
}
