package io.jcni.libcni.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Upstream pkg/version plugin_test.go cases, plus the real Go host-local's VERSION and version-gate output. */
class PluginInfoTest {
  private static final Path HOST_LOCAL = Path.of("/usr/lib/cni/host-local");

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void decodesSupportedVersions() throws CniException {
    PluginInfo p = PluginInfo.decode(b("{\"cniVersion\": \"some-library-version\", "
        + "\"supportedVersions\": [ \"some-version\", \"some-other-version\" ]}"));
    assertEquals(List.of("some-version", "some-other-version"), p.supportedVersions());
  }

  @Test
  void badJson() {
    CniException e = assertThrows(CniException.class, () -> PluginInfo.decode(b("{{{")));
    assertTrue(e.getMessage().startsWith("decoding version info: "), e.getMessage());
  }

  @Test
  void missingCniVersion() {
    CniException e = assertThrows(CniException.class,
        () -> PluginInfo.decode(b("{ \"supportedVersions\": [ \"foo\" ] }")));
    assertEquals("decoding version info: missing field cniVersion", e.getMessage());
  }

  @Test
  void version020WithoutListMeansLegacy() throws CniException {
    assertEquals(List.of("0.1.0", "0.2.0"), PluginInfo.decode(b("{ \"cniVersion\": \"0.2.0\" }"))
        .supportedVersions());
    CniException e = assertThrows(CniException.class, () -> PluginInfo.decode(b("{ \"cniVersion\": \"0.3.0\" }")));
    assertEquals("decoding version info: missing field supportedVersions", e.getMessage());
  }

  private static Process run(String command, String stdin) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(HOST_LOCAL.toString());
    pb.environment().putAll(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", "jt-version", "CNI_NETNS",
        "/var/run/netns/jt-none", "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(b(stdin));
    }
    return p;
  }

  @Test
  void encodesLikeTheGoPlugin() throws Exception {
    assumeTrue(Files.isExecutable(HOST_LOCAL), "containernetworking-plugins not installed");
    Process p = run("VERSION", "");
    byte[] go = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    PluginInfo info = PluginInfo.decode(go);
    assertEquals(new String(go, StandardCharsets.UTF_8), new String(info.encode(), StandardCharsets.UTF_8));
  }

  @Test
  void incompatibleVersionErrorMatchesGoSkel() throws Exception {
    assumeTrue(Files.isExecutable(HOST_LOCAL), "containernetworking-plugins not installed");
    Process v = run("VERSION", "");
    PluginInfo info = PluginInfo.decode(v.getInputStream().readAllBytes());
    v.waitFor();
    Process p = run("ADD", "{\"cniVersion\":\"0.5.0\",\"name\":\"jt-v\",\"type\":\"host-local\",\"ipam\":"
        + "{\"type\":\"host-local\",\"subnet\":\"10.222.0.0/24\",\"dataDir\":\"/nonexistent/jt-v\"}}");
    JsonNode go = new ObjectMapper().readTree(p.getInputStream().readAllBytes());
    assertEquals(1, p.waitFor());
    CniException e = assertThrows(CniException.class, () -> info.requireSupports("0.5.0"));
    assertEquals(go, new ObjectMapper().readTree(e.toJson().toString()));
  }

  @Test
  void supportsIsAnExactStringMatch() throws CniException {
    PluginInfo p = PluginInfo.supports("0.4.0", "1.0.0");
    assertTrue(p.supports("1.0.0"));
    assertEquals(false, p.supports("1.0"));
    p.requireSupports("0.4.0");
    assertEquals(Versions.CURRENT, PluginInfo.all().cniVersion());
    assertEquals(Versions.ALL, PluginInfo.all().supportedVersions());
  }

  private static PluginInfo decode(String s) throws CniException {
    return PluginInfo.decode(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodingRules() throws Exception {
    assertEquals(new PluginInfo("0.3.1", List.of("0.1.0", "0.3.1")),
        decode("{\"cniVersion\":\"0.3.1\",\"supportedVersions\":[\"0.1.0\",\"0.3.1\"]}"));
    assertEquals(PluginInfo.supports("0.1.0", "0.2.0"), decode("{\"cniVersion\":\"0.2.0\"}"));
    assertEquals("decoding version info: missing field cniVersion",
        assertThrows(CniException.class, () -> decode("{\"supportedVersions\":[\"1.0.0\"]}")).getMessage());
    assertEquals("decoding version info: missing field supportedVersions",
        assertThrows(CniException.class, () -> decode("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[]}"))
            .getMessage());
    assertEquals("decoding version info: invalid character 'o' in literal null (expecting 'u')",
        assertThrows(CniException.class, () -> decode("no")).getMessage());
  }

  @Test
  void wrongJsonKindsUseGoTypeErrors() {
    assertEquals("decoding version info: json: cannot unmarshal array into Go value of type version.pluginInfo",
        assertThrows(CniException.class, () -> decode("[]")).getMessage());
    assertEquals("decoding version info: json: cannot unmarshal number into Go struct field pluginInfo.cniVersion"
        + " of type string", assertThrows(CniException.class, () -> decode("{\"cniVersion\":1}")).getMessage());
    assertEquals("decoding version info: json: cannot unmarshal string into Go struct field "
        + "pluginInfo.supportedVersions of type []string",
        assertThrows(CniException.class, () -> decode("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":\"x\"}"))
            .getMessage());
    assertEquals("decoding version info: unexpected end of JSON input",
        assertThrows(CniException.class, () -> decode("")).getMessage());
  }
}
