package io.jcni.libcni.internal.types;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The readable form of a byte array in a record's {@code toString}: JSON, stdin and stderr bytes as their text,
 * anything else as hex, both cut short with the full length given.
 */
public final class ByteText {
  /** Characters of text (or bytes of hex) shown before the rest is elided. */
  static final int LIMIT = 256;

  private ByteText() {}

  /** {@code "text" (n bytes)} when {@code b} is printable UTF-8, else {@code 0x0a0b… (n bytes)}; "null" for null. */
  public static String of(byte[] b) {
    if (b == null) {
      return "null";
    }
    String text = printableUtf8(b);
    if (text != null) {
      String shown = text.length() > LIMIT ? text.substring(0, LIMIT) + "…" : text;
      return "\"" + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
          .replace("\"", "\\\"") + "\" (" + b.length + " bytes)";
    }
    int n = Math.min(b.length, LIMIT / 2);
    return "0x" + HexFormat.of().formatHex(b, 0, n) + (n < b.length ? "…" : "") + " (" + b.length + " bytes)";
  }

  private static String printableUtf8(byte[] b) {
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
        return null;
      }
    }
    return s;
  }
}
