package io.jcni.libcni.internal.spi;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcni.libcni.types.CniException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Edges of the ADD name checks, against Go's definitions (byte length, {@code unicode.IsSpace}). */
class AttachmentNamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"eth0", "123456789012345", "veth.1", "a-b_c", "ééééééé"})
  void acceptsValidInterfaceNames(String name) {
    assertDoesNotThrow(() -> AttachmentNames.checkInterfaceName(name));
  }

  @ParameterizedTest
  // 8 two-byte characters are 16 bytes: Go counts bytes (len), not characters.
  @ValueSource(strings = {"éééééééé", "1234567890123456"})
  void countsBytesNotCharacters(String name) {
    CniException e = assertThrows(CniException.class, () -> AttachmentNames.checkInterfaceName(name));
    assertEquals("interface name is too long", e.msg());
  }

  @ParameterizedTest
  // Go's unicode.IsSpace: \t \n \v \f \r space U+0085 U+00A0 and the Unicode White_Space characters, which include
  // the no-break spaces U+2007 and U+202F that Java's Character.isWhitespace leaves out.
  @ValueSource(strings = {"a b", "a\tb", "a\u000bb", "a\u0085b", "a\u00a0b", "a\u2007b", "a\u202fb", "a\u3000b",
      "a\u2028b"})
  void refusesGoWhitespace(String name) {
    CniException e = assertThrows(CniException.class, () -> AttachmentNames.checkInterfaceName(name));
    assertEquals("interface name contains / or : or whitespace characters", e.msg());
  }

  @ParameterizedTest
  // Java calls U+001C..U+001F whitespace; Go does not, and the kernel takes them.
  @ValueSource(strings = {"a\u001cb", "a\u001fb"})
  void acceptsWhatGoDoesNotCallSpace(String name) {
    assertDoesNotThrow(() -> AttachmentNames.checkInterfaceName(name));
  }
}
