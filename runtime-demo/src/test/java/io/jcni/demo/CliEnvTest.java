package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcni.libcni.types.CniException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** cnitool's environment rules, with the container ID checked against coreutils' sha512sum. */
class CliEnvTest {
  static String sha512sumPrefix(String s) throws Exception {
    Process p = new ProcessBuilder("sha512sum").start();
    p.getOutputStream().write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    return out.substring(0, 20);
  }

  @Test
  void containerIdIsCnitoolsHashOfTheAbsoluteNetnsPath() throws Exception {
    CliEnv env = new CliEnv(Map.of());
    assertEquals("cnitool-" + sha512sumPrefix("/var/run/netns/jt-x"), env.containerId("/var/run/netns/jt-x"));
    String abs = Path.of("").toAbsolutePath().resolve("some/ns").toString();
    assertEquals("cnitool-" + sha512sumPrefix(abs), env.containerId("some/./ns"));
    assertEquals("given-id", new CliEnv(Map.of("CNI_CONTAINERID", "given-id")).containerId("/var/run/netns/jt-x"));
  }

  @Test
  void defaultsAreCnitools() {
    CliEnv env = new CliEnv(Map.of("CNI_PATH", ""));
    assertEquals(Path.of("/etc/cni/net.d"), env.confDir());
    assertEquals("eth0", env.ifName());
    assertEquals(List.of("/opt/cni/bin", "/usr/lib/cni"), env.cniPath());
    assertEquals(List.of("/a", "/b"), new CliEnv(Map.of("CNI_PATH", "/a::/b")).cniPath());
  }

  @Test
  void cniArgsNeedKeyAndValue() throws Exception {
    assertEquals(List.of(Map.entry("A", "1"), Map.entry("B", "x=y")),
        new CliEnv(Map.of("CNI_ARGS", "A=1;B=x=y")).cniArgs());
    for (String bad : List.of("A", "=1", "A=", "A=1;;B=2")) {
      CniException e = assertThrows(CniException.class, () -> new CliEnv(Map.of("CNI_ARGS", bad)).cniArgs(), bad);
      assertEquals(4, e.code());
    }
  }

  @Test
  void capArgsMustBeAJsonObject() throws Exception {
    assertNull(new CliEnv(Map.of()).capabilityArgs());
    assertEquals(Map.of("mac", "c2:11:22:33:44:55"),
        new CliEnv(Map.of("CAP_ARGS", "{\"mac\":\"c2:11:22:33:44:55\"}")).capabilityArgs());
    assertThrows(CniException.class, () -> new CliEnv(Map.of("CAP_ARGS", "[1]")).capabilityArgs());
  }
}
