package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The upstream {@code collectVlanTrunk} table of bridge_test.go. */
class VlanTrunkTest {

  private static VlanTrunk range(Integer min, Integer max) {
    return new VlanTrunk(min, max, null);
  }

  private static VlanTrunk id(int id) {
    return new VlanTrunk(null, null, id);
  }

  @Test
  void succeeds() throws Exception {
    assertEquals(List.of(), VlanTrunk.collect(List.of()));
    assertEquals(List.of(100, 101, 102, 103, 104, 105), VlanTrunk.collect(List.of(range(100, 105))));
    assertEquals(List.of(10), VlanTrunk.collect(List.of(id(10))));
    assertEquals(
        List.of(10, 100, 101, 102, 103, 104, 105), VlanTrunk.collect(List.of(id(10), range(100, 105))));
    // one entry may carry a range and an id; duplicates collapse
    assertEquals(List.of(3, 4, 5), VlanTrunk.collect(List.of(new VlanTrunk(3, 5, 4), id(5))));
    assertEquals(List.of(1, 4094), VlanTrunk.collect(List.of(id(4094), id(1))));
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(range(100, null), "minID and maxID should be configured simultaneously, maxID is missing"),
        Arguments.of(range(null, 105), "minID and maxID should be configured simultaneously, minID is missing"),
        Arguments.of(range(-1, 105), "incorrect trunk minID parameter"),
        Arguments.of(range(5000, 105), "incorrect trunk minID parameter"),
        Arguments.of(range(100, 5000), "incorrect trunk maxID parameter"),
        Arguments.of(range(100, -1), "incorrect trunk maxID parameter"),
        Arguments.of(id(5000), "incorrect trunk id parameter"),
        Arguments.of(id(-1), "incorrect trunk id parameter"),
        Arguments.of(id(0), "incorrect trunk id parameter"),
        Arguments.of(range(1000, 100), "minID is greater than maxID in trunk parameter"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void fails(VlanTrunk t, String message) {
    CniException e = assertThrows(CniException.class, () -> VlanTrunk.collect(List.of(id(7), t)));
    assertEquals(message, e.getMessage());
    assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
  }
}
