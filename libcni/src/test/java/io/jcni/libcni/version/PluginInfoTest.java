package io.jcni.libcni.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Upstream pkg/version plugin_test.go cases, plus the real Go host-local's VERSION and version-gate output. */
class PluginInfoTest {
  private static final GoPlugin HOST_LOCAL = GoPlugin.of("host-local");

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

  private static GoPlugin.Run run(Command command, String stdin) {
    return HOST_LOCAL.run(GoPlugin.env(command, "jt-version", "/var/run/netns/jt-none", "eth0", ""), stdin);
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/host-local")
  void encodesLikeTheGoPlugin() throws Exception {
    GoPlugin.Run p = run(Command.VERSION, "");
    byte[] go = p.orThrow();
    PluginInfo info = PluginInfo.decode(go);
    assertEquals(new String(go, StandardCharsets.UTF_8), new String(info.encode(), StandardCharsets.UTF_8));
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/host-local")
  void incompatibleVersionErrorMatchesGoSkel() throws Exception {
    PluginInfo info = PluginInfo.decode(run(Command.VERSION, "").orThrow());
    GoPlugin.Run p = run(Command.ADD, "{\"cniVersion\":\"0.5.0\",\"name\":\"jt-v\",\"type\":\"host-local\",\"ipam\":"
        + "{\"type\":\"host-local\",\"subnet\":\"10.222.0.0/24\",\"dataDir\":\"/nonexistent/jt-v\"}}");
    JsonNode go = p.json();
    assertEquals(1, p.exit());
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
