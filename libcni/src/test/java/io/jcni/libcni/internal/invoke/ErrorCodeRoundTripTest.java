package io.jcni.libcni.internal.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Error codes keep their numbers: named ones map to the enum, a plugin's own code survives decode and encode. */
class ErrorCodeRoundTripTest {
  private static CniException decoded(String stdout) {
    return RawExec.pluginError("exit status 1", stdout.getBytes(StandardCharsets.UTF_8), new byte[0]);
  }

  @Test
  void namedCodeKeepsItsNumber() {
    CniException e = decoded("{\"code\":7,\"msg\":\"bad conf\"}");
    assertEquals(7, e.code());
    assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
    for (ErrorCode c : ErrorCode.values()) {
      if (c != ErrorCode.UNRECOGNIZED) {
        assertEquals(c, ErrorCode.of(c.number()));
        assertEquals(c.number(), new CniException(c, "m").code());
      }
    }
    assertEquals(999, ErrorCode.INTERNAL.number());
    assertEquals(51, ErrorCode.PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY.number());
  }

  @Test
  void pluginSpecificCodeRoundTrips() {
    CniException e = decoded("{\"code\":142,\"msg\":\"vendor says no\",\"details\":\"d\"}");
    assertEquals(142, e.code());
    assertEquals(ErrorCode.UNRECOGNIZED, e.errorCode());
    assertEquals("{\"code\":142,\"msg\":\"vendor says no\",\"details\":\"d\"}", e.toJson().toString());
    assertEquals(142, e.withPrefix("network \"n\" (eth0): ").code());
  }

  @Test
  void contextSurvivesWrappingAndInnermostWins() {
    CniException e = new CniException(ErrorCode.IO_FAILURE, "m").concerning("net", "bridge", "ADD", "eth0");
    e.concerning("other", "host-local", "DEL", "eth1");
    CniException w = e.withPrefix("p: ");
    assertEquals("net", w.network().orElseThrow());
    assertEquals("bridge", w.pluginType().orElseThrow());
    assertEquals("ADD", w.cniCommand().orElseThrow());
    assertEquals("eth0", w.ifName().orElseThrow());
    assertEquals(ErrorCode.IO_FAILURE, w.errorCode());
  }
}
