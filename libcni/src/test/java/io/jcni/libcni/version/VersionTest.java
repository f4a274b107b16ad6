package io.jcni.libcni.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.types.CniException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionTest {

  @ParameterizedTest
  @CsvSource({
    "'', 0, 1, 0",
    "1, 1, 0, 0",
    "1.1, 1, 1, 0",
    "0.4.0, 0, 4, 0",
    "1.1.0, 1, 1, 0",
    "0.-42.0, 0, -42, 0",
    "+1.2.3, 1, 2, 3",
    "10.20.30, 10, 20, 30",
  })
  void parsesLikeGo(String text, int major, int minor, int patch) throws CniException {
    assertEquals(new Version(major, minor, patch), Version.parse(text));
  }

  @Test
  void nullIsTheEmptyVersion() throws CniException {
    assertEquals(new Version(0, 1, 0), Version.parse(null));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "1.2.3.4 | invalid version \"1.2.3.4\": too many parts",
    "1.0.f | failed to convert micro version part \"f\": strconv.Atoi: parsing \"f\": invalid syntax",
    "x.1 | failed to convert major version part \"x\": strconv.Atoi: parsing \"x\": invalid syntax",
    "1..0 | failed to convert minor version part \"\": strconv.Atoi: parsing \"\": invalid syntax",
    "1. | failed to convert minor version part \"\": strconv.Atoi: parsing \"\": invalid syntax",
    "broken | failed to convert major version part \"broken\": strconv.Atoi: parsing \"broken\": invalid syntax",
    "1.99999999999 | failed to convert minor version part \"99999999999\": strconv.Atoi: parsing \"99999999999\": value out of range",
  })
  void rejectsWithGoTexts(String text, String message) {
    CniException e = assertThrows(CniException.class, () -> Version.parse(text));
    assertEquals(message, e.getMessage());
    assertEquals(1, e.code());
  }

  @Test
  void comparesNumericallyNotLexically() throws CniException {
    assertTrue(Version.greaterThan("0.10.0", "0.9.0"));
    assertTrue(Version.greaterThan("1.0.0", "0.99.99"));
    assertTrue(Version.atLeast("0.4.0", "0.4"));
    assertFalse(Version.greaterThan("0.4.0", "0.4"));
    assertTrue(Version.atLeast("", "0.1.0"));
    assertFalse(Version.atLeast("0.3.1", "0.4.0"));
    assertTrue(Version.parse("1.1.0").isAtLeast(Version.parse("1.1")));
  }

  @Test
  void sortingTheKnownVersionsGivesTheSpecOrder() throws CniException {
    List<Version> shuffled = new ArrayList<>();
    for (String v : Versions.ALL) {
      shuffled.add(Version.parse(v));
    }
    Collections.reverse(shuffled);
    Collections.sort(shuffled);
    assertEquals(Versions.ALL, shuffled.stream().map(Version::toString).toList());
  }

  @Test
  void knownVersionLists() {
    assertEquals("1.1.0", Versions.CURRENT);
    assertEquals(7, Versions.ALL.size());
    assertEquals(List.of("0.1.0", "0.2.0"), Versions.LEGACY);
    assertEquals(List.of("0.4.0", "1.0.0", "1.1.0"), Versions.startingFrom("0.4.0"));
    assertEquals(List.of(), Versions.startingFrom("9.9.9"));
  }
}
