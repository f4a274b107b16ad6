package io.jcni.libcni.internal.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteTextTest {
  @Test
  void textIsShownQuotedWithItsLength() {
    assertEquals("\"{\\\"cniVersion\\\":\\\"1.0.0\\\"}\\n\" (23 bytes)",
        ByteText.of("{\"cniVersion\":\"1.0.0\"}\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals("\"\" (0 bytes)", ByteText.of(new byte[0]));
    assertEquals("null", ByteText.of(null));
  }

  @Test
  void binaryIsShownAsHex() {
    assertEquals("0x00ff7f (3 bytes)", ByteText.of(new byte[] {0, -1, 127}));
  }

  @Test
  void longContentIsCutShortButKeepsTheFullLength() {
    String shown = ByteText.of("x".repeat(1000).getBytes(StandardCharsets.UTF_8));
    assertEquals("\"" + "x".repeat(ByteText.LIMIT) + "…\" (1000 bytes)", shown);
    String hex = ByteText.of(new byte[1000]);
    assertEquals("0x" + "00".repeat(ByteText.LIMIT / 2) + "… (1000 bytes)", hex);
  }
}
