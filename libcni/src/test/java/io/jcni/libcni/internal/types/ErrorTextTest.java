package io.jcni.libcni.internal.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exceptions from the JDK and Jackson, as they reach a user: named file and Go's wording, no Java internals. */
class ErrorTextTest {
  static final Pattern JAVA = Pattern.compile("com\\.fasterxml|java\\.|jackson|Exception|\\[Source");

  @TempDir Path tmp;

  record Conf(int mtu, List<String> names) {}

  @Test
  void fileSystemErrorsNameTheFileInGosWords() throws Exception {
    Path missing = tmp.resolve("missing");
    assertEquals(missing + ": no such file or directory",
        ErrorText.of(assertThrows(IOException.class, () -> Files.readAllBytes(missing))));
    Path dir = Files.createDirectories(tmp.resolve("d"));
    Files.writeString(dir.resolve("f"), "");
    assertEquals(dir + ": directory not empty",
        ErrorText.of(assertThrows(IOException.class, () -> Files.delete(dir))));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), dir.resolve("f"));
    // The JDK does not name the file here; callers that opened it do.
    assertEquals("too many levels of symbolic links", ErrorText.of(assertThrows(IOException.class,
        () -> Files.newByteChannel(link, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))));
  }

  @Test
  void aWrappedExceptionShowsTheCauseNotItsClass() {
    UncheckedIOException wrapped = new UncheckedIOException(new java.nio.file.AccessDeniedException("/x/lock"));
    assertEquals("/x/lock: permission denied", ErrorText.of(wrapped));
    assertEquals("internal error", ErrorText.of(new NullPointerException()));
    assertEquals("/y: no such file or directory",
        ErrorText.of(new RuntimeException(new java.nio.file.NoSuchFileException("/y"))));
  }

  @Test
  void jacksonMessagesLoseJavaTypesAndLocations() {
    ObjectMapper m = new ObjectMapper();
    Exception e = assertThrows(IOException.class, () -> m.readValue("{\"mtu\":\"x\"}", Conf.class));
    String text = ErrorText.of(e);
    assertFalse(JAVA.matcher(text).find(), text);
    assertEquals("invalid JSON in field mtu: cannot deserialize value of type number from String \"x\": "
        + "not a valid number value", text);
    Exception list = assertThrows(IOException.class, () -> m.readValue("{\"names\":[1,{}]}", Conf.class));
    String t2 = ErrorText.of(list);
    assertFalse(JAVA.matcher(t2).find(), t2);
  }
}
