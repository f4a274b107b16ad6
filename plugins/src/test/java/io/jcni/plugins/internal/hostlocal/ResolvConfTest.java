package io.jcni.plugins.internal.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream's dns_test.go cases. */
class ResolvConfTest {
  @TempDir Path tmp;

  Dns parse(String contents) throws IOException, CniException {
    return ResolvConf.parse(Files.writeString(tmp.resolve("resolv.conf"), contents));
  }

  @Test
  void simpleFile() throws Exception {
    assertEquals(
        new Dns(List.of("192.0.2.0", "192.0.2.1"), null, null, null),
        parse("\n\t\tnameserver 192.0.2.0\n\t\tnameserver 192.0.2.1\n\t\t"));
  }

  @Test
  void ignoresComments() throws Exception {
    assertEquals(new Dns(List.of("192.0.2.0"), null, null, null), parse("\nnameserver 192.0.2.0\n;nameserver 192.0.2.1\n"));
  }

  @Test
  void allFields() throws Exception {
    assertEquals(
        new Dns(
            List.of("192.0.2.0", "192.0.2.2"),
            "example.com",
            List.of("example.net", "example.org", "example.gov"),
            List.of("one", "two", "three", "four")),
        parse(
            "\nnameserver 192.0.2.0\nnameserver 192.0.2.2\ndomain example.com\n;nameserver comment\n"
                + "#nameserver comment\nsearch example.net example.org\nsearch example.gov\n"
                + "options one two three\noptions four\n"));
  }

  @Test
  void missingFile() {
    CniException e = assertThrows(CniException.class, () -> ResolvConf.parse(tmp.resolve("nope")));
    assertEquals("open " + tmp.resolve("nope") + ": no such file or directory", e.getMessage());
  }
}
