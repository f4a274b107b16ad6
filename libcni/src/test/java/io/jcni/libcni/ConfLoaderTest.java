package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result;
import io.jcni.libcni.types.Results;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cases of upstream libcni/conf_test.go, with jcni's file-name prefix on errors from files. */
class ConfLoaderTest {
  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Nested
  class LoadConf {
    final String pluginConfig = "{ \"name\": \"some-plugin\", \"type\": \"foobar\", \"some-key\": \"some-value\" }";

    @Test
    void findsTheConfigByName() throws Exception {
      write("50-whatever.conf", pluginConfig);
      PluginConf c = ConfLoader.loadConf(dir, "some-plugin");
      assertEquals("some-plugin", c.name());
      assertEquals("foobar", c.type());
      assertEquals("", c.cniVersion());
      assertArrayEquals(b(pluginConfig), c.bytes());
    }

    @Test
    void missingDirectoryIsNoConfigsFound() {
      Path gone = dir.resolve("nope");
      NoConfigsFoundException e = assertThrows(NoConfigsFoundException.class, () -> ConfLoader.loadConf(gone, "x"));
      assertEquals("no net configurations found in " + gone, e.getMessage());
      assertEquals(gone, e.dir());
    }

    @Test
    void jsonExtensionWorksToo() throws Exception {
      String json = "{ \"name\": \"some-plugin\", \"some-key\": \"some-value\", \"type\": \"foobar\" }";
      write("50-whatever.json", json);
      assertArrayEquals(b(json), ConfLoader.loadConf(dir, "some-plugin").bytes());
    }

    @Test
    void noMatchIsNotFound() throws Exception {
      write("50-whatever.conf", pluginConfig);
      NotFoundException e = assertThrows(NotFoundException.class,
          () -> ConfLoader.loadConf(dir, "some-other-plugin"));
      assertEquals("no net configuration with name \"some-other-plugin\" in " + dir, e.getMessage());
    }

    @Test
    void malformedFileAbortsWithItsName() throws Exception {
      write("50-whatever.conf", pluginConfig);
      Path bad = write("00-bad.conf", "{");
      CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConf(dir, "some-plugin"));
      assertEquals(bad + ": error parsing configuration: unexpected end of JSON input", e.getMessage());
      assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
    }

    @Test
    void nestedDirectoriesAreNotSearched() throws Exception {
      write("50-whatever.conf", pluginConfig);
      write("subdir1/subdir2/90-deep.conf", "{ \"name\": \"deep\", \"some-key\": \"some-value\" }");
      CniException e = assertThrows(NotFoundException.class, () -> ConfLoader.loadConf(dir, "deep"));
      assertTrue(e.getMessage().startsWith("no net configuration with name"));
    }

    @Test
    void readsCapabilitiesIncludingFalseOnes() throws Exception {
      write("50-whatever.conf", "{ \"name\": \"some-plugin\", \"type\": \"noop\", \"cniVersion\": \"0.3.1\", "
          + "\"capabilities\": { \"portMappings\": true, \"somethingElse\": true, \"noCapability\": false } }");
      PluginConf c = ConfLoader.loadConf(dir, "some-plugin");
      assertEquals(Map.of("portMappings", true, "somethingElse", true, "noCapability", false), c.capabilities());
      assertTrue(c.hasCapability("portMappings"));
      assertFalse(c.hasCapability("noCapability"));
    }
  }

  @Nested
  class PluginConfParsing {
    @Test
    void unreadableFile() {
      CniException e = assertThrows(CniException.class,
          () -> ConfLoader.pluginConfFromFile(Path.of("/tmp/nope/not-here")));
      assertTrue(e.getMessage().startsWith("error reading /tmp/nope/not-here: open /tmp/nope/not-here"),
          e.getMessage());
      assertEquals(ErrorCode.IO_FAILURE, e.errorCode());
    }

    @Test
    void missingTypeInFile() throws Exception {
      Path f = write("50-whatever.conf", "{ \"name\": \"some-plugin\", \"some-key\": \"some-value\" }");
      CniException e = assertThrows(CniException.class, () -> ConfLoader.pluginConfFromFile(f));
      assertEquals(f + ": error parsing configuration: missing 'type'", e.getMessage());
    }

    @Test
    void missingTypeInBytes() {
      CniException e = assertThrows(CniException.class,
          () -> ConfLoader.pluginConfFromBytes(b("{ \"name\": \"some-plugin\", \"some-key\": \"some-value\" }")));
      assertEquals("error parsing configuration: missing 'type'", e.getMessage());
      assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
    }

    @Test
    void wrongMemberTypesAreRejectedLikeGoStructDecoding() {
      for (String bad : List.of("{\"type\":5}", "{\"type\":\"x\",\"ipam\":\"host-local\"}",
          "{\"type\":\"x\",\"capabilities\":{\"a\":\"yes\"}}", "{\"type\":\"x\",\"dns\":{\"nameservers\":\"a\"}}",
          "{\"type\":\"x\",\"prevResult\":[]}", "[1]")) {
        CniException e = assertThrows(CniException.class, () -> ConfLoader.pluginConfFromBytes(b(bad)), bad);
        assertTrue(e.getMessage().startsWith("error parsing configuration: json: cannot unmarshal"),
            e.getMessage());
      }
    }

    @Test
    void keysMatchCaseInsensitivelyAndIpamTypeIsRead() throws Exception {
      PluginConf c = ConfLoader.pluginConfFromBytes(b("{\"Type\":\"bridge\",\"NAME\":\"n\",\"ipam\":{\"type\":"
          + "\"host-local\"}}"));
      assertEquals("bridge", c.type());
      assertEquals("n", c.name());
      assertEquals("host-local", c.ipamType());
    }

    @Test
    void laterMatchingKeysWinAndNullLeavesTheValueLikeGo() throws Exception {
      assertEquals("b", ConfLoader.pluginConfFromBytes(b("{\"type\":\"a\",\"TYPE\":\"b\"}")).type());
      assertEquals("a", ConfLoader.pluginConfFromBytes(b("{\"type\":\"a\",\"Type\":null}")).type());
    }

    @Test
    void valuesAreDefensiveCopies() throws Exception {
      byte[] in = b("{\"type\":\"bridge\"}");
      PluginConf c = ConfLoader.pluginConfFromBytes(in);
      in[2] = 'X';
      c.bytes()[2] = 'Y';
      c.config().put("type", "other");
      assertEquals("{\"type\":\"bridge\"}", s(c.bytes()));
      assertEquals("bridge", c.config().get("type").textValue());
    }
  }

  static final String CONFIG_LIST = """
      {
        "name": "some-network",
        "cniVersion": "0.2.0",
        "disableCheck": true,
        "plugins": [
          {
            "type": "host-local",
            "subnet": "10.0.0.1/24"
          },
          {
            "type": "bridge",
            "mtu": 1400
          },
          {
            "type": "port-forwarding",
            "ports": {"20.0.0.1:8080": "80"}
          }
        ]
      }""";

  @Nested
  class LoadNetworkConf {
    @Test
    void loadsTheExactStructureWithSortedPluginBytes() throws Exception {
      write("50-whatever.conflist", CONFIG_LIST);
      NetworkConfigList l = ConfLoader.loadConfList(dir, "some-network");
      NetworkConfigList expected = new NetworkConfigList("some-network", "0.2.0", true, false, false, List.of(
          ConfLoader.pluginConfFromBytes(b("{\"subnet\":\"10.0.0.1/24\",\"type\":\"host-local\"}")),
          ConfLoader.pluginConfFromBytes(b("{\"mtu\":1400,\"type\":\"bridge\"}")),
          ConfLoader.pluginConfFromBytes(b("{\"ports\":{\"20.0.0.1:8080\":\"80\"},\"type\":\"port-forwarding\"}"))),
          b(CONFIG_LIST));
      assertEquals(expected, l);
      assertEquals("{\"mtu\":1400,\"type\":\"bridge\"}", s(l.plugins().get(1).bytes()));
    }

    @Test
    void conflistIsPreferredOverASingleConf() throws Exception {
      write("50-whatever.conflist", CONFIG_LIST);
      write("49-whatever.conf", "{\"name\": \"some-network\", \"cniVersion\": \"0.2.0\", \"type\": \"bridge\"}");
      assertEquals(3, ConfLoader.loadConfList(dir, "some-network").plugins().size());
    }

    @Test
    void fallsBackToTheSingleConf() throws Exception {
      write("49-whatever.conf", "{\"name\": \"some-network\", \"cniVersion\": \"0.2.0\", \"type\": \"bridge\"}");
      NetworkConfigList l = ConfLoader.loadConfList(dir, "some-network");
      assertEquals(1, l.plugins().size());
      assertEquals("bridge", l.plugins().get(0).type());
      assertEquals("0.2.0", l.cniVersion());
    }

    @Test
    void missingDirectoryIsNoConfigsFound() {
      Path gone = dir.resolve("gone");
      NoConfigsFoundException e = assertThrows(NoConfigsFoundException.class,
          () -> ConfLoader.loadConfList(gone, "some-network"));
      assertEquals("no net configurations found in " + gone, e.getMessage());
    }

    @Test
    void onlyConflistsAndNoMatchIsNotFound() throws Exception {
      write("50-whatever.conflist", CONFIG_LIST);
      NotFoundException e = assertThrows(NotFoundException.class,
          () -> ConfLoader.loadConfList(dir, "some-other-network"));
      assertEquals("no net configuration with name \"some-other-network\" in " + dir, e.getMessage());
      assertEquals("some-other-network", e.name());
    }

    @Test
    void malformedConflistAbortsTheLookup() throws Exception {
      write("50-whatever.conflist", CONFIG_LIST);
      Path bad = write("00-bad.conflist", "{");
      CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(dir, "some-plugin"));
      assertEquals(bad + ": error parsing configuration list: unexpected end of JSON input", e.getMessage());
      assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
    }

    @Test
    void nestedDirectoriesAreNotSearched() throws Exception {
      write("50-whatever.conflist", CONFIG_LIST);
      write("subdir1/subdir2/90-deep.conflist", "{\"name\": \"deep\", \"plugins\": [{\"type\": \"x\"},]}");
      assertThrows(NotFoundException.class, () -> ConfLoader.loadConfList(dir, "deep"));
    }

    private String list(String extra, String plugins) {
      return "{\"name\": \"some-network\", \"cniVersion\": \"0.4.0\"" + extra
          + (plugins == null ? "" : ", \"plugins\": " + plugins) + "}";
    }

    private static final String ONE = "[{\"type\": \"host-local\", \"subnet\": \"10.0.0.1/24\"}]";

    @Test
    void disableCheckAcceptsTrueAndFalseStrings() throws Exception {
      write("50-whatever.conflist", list(", \"disableCheck\": \"true\"", ONE));
      assertTrue(ConfLoader.loadConfList(dir, "some-network").disableCheck());
      write("50-whatever.conflist", list(", \"disableCheck\": \"FALSE\"", ONE));
      assertFalse(ConfLoader.loadConfList(dir, "some-network").disableCheck());
      write("50-whatever.conflist", list(", \"disableGC\": \"True\"", ONE));
      assertTrue(ConfLoader.loadConfList(dir, "some-network").disableGC());
    }

    @Test
    void disableCheckRejectsOtherValues() throws Exception {
      Path f = write("50-whatever.conflist", list(", \"disableCheck\": \"adsfasdfasf\"", ONE));
      CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(dir, "some-network"));
      assertEquals(f + ": error parsing configuration list: invalid value \"adsfasdfasf\" for disableCheck",
          e.getMessage());
      write("50-whatever.conflist", list(", \"disableGC\": 1", ONE));
      e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(dir, "some-network"));
      assertEquals(f + ": error parsing configuration list: invalid type float64 for disableGC", e.getMessage());
    }

    private Path subdirPlugin() throws IOException {
      return write("some-network/funky-second-plugin.conf",
          "{\"type\": \"bro-check-out-my-plugin\", \"subnet\": \"10.0.0.1/24\"}");
    }

    @Test
    void loadOnlyInlinedPluginsIsParsed() throws Exception {
      write("50-whatever.conflist", list(", \"loadOnlyInlinedPlugins\": true", ONE));
      subdirPlugin();
      assertTrue(ConfLoader.loadConfList(dir, "some-network").loadOnlyInlinedPlugins());
    }

    @Test
    void loadOnlyInlinedPluginsDefaultsToFalse() throws Exception {
      write("50-whatever.conflist", list("", ONE));
      assertFalse(ConfLoader.loadConfList(dir, "some-network").loadOnlyInlinedPlugins());
    }

    @Test
    void loadOnlyInlinedPluginsRejectsOtherValues() throws Exception {
      Path f = write("50-whatever.conflist", list(", \"loadOnlyInlinedPlugins\": \"sphagnum\"", ONE));
      CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(dir, "some-network"));
      assertEquals(f + ": error parsing configuration list: invalid value \"sphagnum\" for loadOnlyInlinedPlugins",
          e.getMessage());
    }

    @Test
    void loadOnlyInlinedPluginsWithoutPluginsIsAnError() throws Exception {
      Path f = write("50-whatever.conflist", list(", \"loadOnlyInlinedPlugins\": true", null));
      CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(dir, "some-network"));
      assertEquals(f + ": error parsing configuration list: `loadOnlyInlinedPlugins` is true, and no 'plugins' key",
          e.getMessage());
    }

    @Test
    void withoutPluginsTheSubdirSuppliesThem() throws Exception {
      write("50-whatever.conflist", list(", \"loadOnlyInlinedPlugins\": false", null));
      subdirPlugin();
      NetworkConfigList l = ConfLoader.loadConfList(dir, "some-network");
      assertFalse(l.loadOnlyInlinedPlugins());
      assertEquals(List.of("bro-check-out-my-plugin"), l.plugins().stream().map(PluginConf::type).toList());
    }

    @Test
    void noPluginsAnywhereIsAnError() throws Exception {
      Path f = write("50-whatever.conflist", list("", null));
      CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(dir, "some-network"));
      assertEquals(f + ": no plugin configs found", e.getMessage());
    }

    @Test
    void inlinedPluginsWithoutSubdirAreFine() throws Exception {
      write("50-whatever.conflist", list("", ONE));
      assertEquals(1, ConfLoader.loadConfList(dir, "some-network").plugins().size());
    }

    @Test
    void emptySubdirIsFine() throws Exception {
      write("50-whatever.conflist", list("", ONE));
      Files.createDirectories(dir.resolve("some-network"));
      assertEquals(1, ConfLoader.loadConfList(dir, "some-network").plugins().size());
    }

    @Test
    void inlinedAndSubdirPluginsMergeInThatOrder() throws Exception {
      Path f = write("50-whatever.conflist", list("", ONE));
      subdirPlugin();
      write("some-network/ignored.json", "{\"type\": \"not-a-conf\"}");
      NetworkConfigList l = ConfLoader.loadConfList(dir, "some-network");
      assertEquals(List.of("host-local", "bro-check-out-my-plugin"),
          l.plugins().stream().map(PluginConf::type).toList());
      assertArrayEquals(Files.readAllBytes(f), l.bytes());
    }

    @Test
    void loadOnlyInlinedPluginsIgnoresTheSubdir() throws Exception {
      write("50-whatever.conflist", list(", \"loadOnlyInlinedPlugins\": true", ONE));
      subdirPlugin();
      NetworkConfigList l = ConfLoader.loadConfList(dir, "some-network");
      assertEquals(List.of("host-local"), l.plugins().stream().map(PluginConf::type).toList());
    }

    @Test
    void badSubdirPluginNamesItsFile() throws Exception {
      write("50-whatever.conflist", list("", ONE));
      Path bad = write("some-network/bad.conf", "{\"subnet\": \"10.0.0.1/24\"}");
      CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(dir, "some-network"));
      assertEquals(bad + ": error parsing configuration: missing 'type'", e.getMessage());
    }

    @Test
    void unreadableConflist() {
      CniException e = assertThrows(CniException.class,
          () -> ConfLoader.confListFromFile(Path.of("/tmp/nope/not-here")));
      assertTrue(e.getMessage().startsWith("error reading /tmp/nope/not-here: open /tmp/nope/not-here"),
          e.getMessage());
    }
  }

  @Nested
  class ConfListFromBytes {
    private NetworkConfigList parse(String json) throws CniException {
      return ConfLoader.confListFromBytes(b(json));
    }

    private String error(String json) {
      return assertThrows(CniException.class, () -> parse(json)).getMessage();
    }

    private String versions(String... vs) {
      return "{\"name\": \"test\", \"cniVersions\": [" + String.join(",", List.of(vs).stream()
          .map(v -> "\"" + v + "\"").toList()) + "], \"plugins\": [{\"type\": \"foo\"}]}";
    }

    @Test
    void selectsTheMaximumVersion() throws Exception {
      assertEquals("1.1.0", parse(versions("1.1.0", "0.4.0", "1.0.0")).cniVersion());
    }

    @Test
    void ignoresVersionsAboveWhatLibcniImplements() throws Exception {
      assertEquals("1.1.0", parse(versions("99.0.0", "1.1.0", "0.4.0", "1.0.0")).cniVersion());
    }

    @Test
    void failsOnAnInvalidVersion() {
      assertEquals("error parsing configuration list: invalid cniVersions entry 1.0.f at index 2: failed to "
          + "convert micro version part \"f\": strconv.Atoi: parsing \"f\": invalid syntax",
          error(versions("1.1.0", "0.4.0", "1.0.f")));
    }

    @Test
    void fallsBackToCniVersionVerbatim() throws Exception {
      assertEquals("1.2.3", parse("{\"name\": \"test\", \"cniVersion\": \"1.2.3\", \"plugins\": [{\"type\": "
          + "\"foo\"}]}").cniVersion());
    }

    @Test
    void mergesCniVersionsAndCniVersion() throws Exception {
      assertEquals("1.0.0", parse("{\"name\": \"test\", \"cniVersion\": \"1.0.0\", \"cniVersions\": [\"0.1.0\", "
          + "\"0.4.0\"], \"plugins\": [{\"type\": \"foo\"}]}").cniVersion());
      // cniVersion above 1.1.0 is dropped once cniVersions is there.
      assertEquals("0.4.0", parse("{\"name\": \"test\", \"cniVersion\": \"2.0.0\", \"cniVersions\": [\"0.4.0\"], "
          + "\"plugins\": [{\"type\": \"foo\"}]}").cniVersion());
    }

    @Test
    void emptyCniVersionsLeavesTheVersionEmpty() throws Exception {
      assertEquals("", parse(versions()).cniVersion());
    }

    @Test
    void typeErrorsUseGoTypeNames() {
      assertEquals("error parsing configuration list: no name", error("{\"plugins\": []}"));
      assertEquals("error parsing configuration list: invalid name type float64", error("{\"name\": 1}"));
      assertEquals("error parsing configuration list: invalid name type <nil>", error("{\"name\": null}"));
      assertEquals("error parsing configuration list: invalid cniVersion type bool",
          error("{\"name\": \"n\", \"cniVersion\": true}"));
      assertEquals("error parsing configuration list: invalid type for cniVersions: []interface {}",
          error("{\"name\": \"n\", \"cniVersions\": \"1.0.0\"}"));
      assertEquals("error parsing configuration list: invalid type for cniVersions index 1: float64",
          error("{\"name\": \"n\", \"cniVersions\": [\"1.0.0\", 1]}"));
      assertEquals("error parsing configuration list: invalid 'plugins' type map[string]interface {}",
          error("{\"name\": \"n\", \"plugins\": {}}"));
      assertEquals("error parsing configuration list: no plugins in list", error("{\"name\": \"n\", \"plugins\": []}"));
      assertEquals("failed to parse plugin config 1: error parsing configuration: missing 'type'",
          error("{\"name\": \"n\", \"plugins\": [{\"type\": \"a\"}, {\"name\": \"b\"}]}"));
      assertTrue(error("[]").startsWith("error parsing configuration list: json: cannot unmarshal array"));
    }

    @Test
    void listWithoutPluginsIsAllowedFromBytes() throws Exception {
      assertEquals(List.of(), parse("{\"name\": \"n\"}").plugins());
    }

    @Test
    void pluginBytesAreReMarshalledLikeGo() throws Exception {
      NetworkConfigList l = parse("{\"name\": \"n\", \"plugins\": [{\"type\": \"a\", \"z\": 1.0, \"b\": \"<&>\", "
          + "\"big\": 12345678901234567890, \"nested\": {\"y\": 1, \"x\": [true, null]}}]}");
      assertEquals("{\"b\":\"\\u003c\\u0026\\u003e\",\"big\":12345678901234567000,\"nested\":{\"x\":[true,null],"
          + "\"y\":1},\"type\":\"a\",\"z\":1}", s(l.plugins().get(0).bytes()));
    }
  }

  @Nested
  class InjectConf {
    PluginConf base() throws CniException {
      return ConfLoader.pluginConfFromBytes(b("{ \"name\": \"some-plugin\", \"type\": \"foobar\" }"));
    }

    @Test
    void unparsableBytes() throws Exception {
      PluginConf broken = new PluginConf("some-plugin", "", "foobar", null, null,
          new ObjectMapper().createObjectNode(), b("{ cc cc cc}"));
      CniException e = assertThrows(CniException.class, () -> ConfLoader.injectConf(broken, Map.of("a", "b")));
      assertTrue(e.getMessage().startsWith("unmarshal existing network bytes"), e.getMessage());
    }

    @Test
    void emptyKey() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("", null);
      CniException e = assertThrows(CniException.class, () -> ConfLoader.injectConf(base(), m));
      assertEquals("keys cannot be empty", e.getMessage());
    }

    @Test
    void nilValue() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("test", null);
      CniException e = assertThrows(CniException.class, () -> ConfLoader.injectConf(base(), m));
      assertEquals("key 'test' value must not be nil", e.getMessage());
    }

    @Test
    void addsAValueCompactWithSortedKeys() throws Exception {
      PluginConf c = ConfLoader.injectConf(base(), Map.of("test", "test"));
      assertEquals("{\"name\":\"some-plugin\",\"test\":\"test\",\"type\":\"foobar\"}", s(c.bytes()));
      assertEquals("some-plugin", c.name());
      assertEquals("foobar", c.type());
    }

    @Test
    void overwritesAnExistingKey() throws Exception {
      PluginConf c = ConfLoader.injectConf(ConfLoader.injectConf(base(), Map.of("test", "test")),
          Map.of("test", "changedValue"));
      assertEquals("{\"name\":\"some-plugin\",\"test\":\"changedValue\",\"type\":\"foobar\"}", s(c.bytes()));
      PluginConf same = ConfLoader.injectConf(ConfLoader.injectConf(base(), Map.of("test", "test")),
          Map.of("test", "test"));
      assertEquals("{\"name\":\"some-plugin\",\"test\":\"test\",\"type\":\"foobar\"}", s(same.bytes()));
    }

    @Test
    void injectsDnsInGoShapeAndChangesTheType() throws Exception {
      PluginConf c = ConfLoader.injectConf(base(),
          Map.of("dns", new Dns(List.of("server1", "server2"), "local", null, null)));
      c = ConfLoader.injectConf(c, Map.of("type", "bridge"));
      assertEquals("{\"dns\":{\"domain\":\"local\",\"nameservers\":[\"server1\",\"server2\"]},"
          + "\"name\":\"some-plugin\",\"type\":\"bridge\"}", s(c.bytes()));
      assertEquals("bridge", c.type());
    }
  }

  @Test
  void injectConfWritesResultsAndAddressesInTheirGoShapes() throws Exception {
    PluginConf base = ConfLoader.pluginConfFromBytes(b("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\"}"));
    Result prev = Results.parse(b("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"interface\":0,\"address\":"
        + "\"10.1.2.3/24\"}],\"interfaces\":[{\"name\":\"eth0\"}]}"));
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("prevResult", prev);
    values.put("ip", Ips.parse("2001:DB8:0::1"));
    values.put("net", IpNet.parse("10.1.2.3/24"));
    values.put("list", List.of(1, "x", true));
    PluginConf c = ConfLoader.injectConf(base, values);
    assertEquals("{\"cniVersion\":\"1.0.0\",\"ip\":\"2001:db8::1\",\"list\":[1,\"x\",true],\"name\":\"n\","
        + "\"net\":\"10.1.2.3/24\",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}],"
        + "\"ips\":[{\"address\":\"10.1.2.3/24\",\"interface\":0}]},\"type\":\"t\"}", s(c.bytes()));
    assertEquals(prev, Results.parsePrevResult(c.config().get("prevResult"), c.cniVersion()));
  }

  @Test
  void confListFromConfRoundTrips() throws Exception {
    PluginConf p = ConfLoader.pluginConfFromBytes(b("{\"name\":\"some-plugin\",\"cniVersion\":\"0.3.1\", "
        + "\"type\":\"foobar\"}"));
    NetworkConfigList l = ConfLoader.confListFromConf(p);
    assertEquals("some-plugin", l.name());
    assertEquals("0.3.1", l.cniVersion());
    assertEquals(1, l.plugins().size());
    PluginConf only = l.plugins().get(0);
    assertEquals(p.name(), only.name());
    assertEquals(p.type(), only.type());
    assertEquals(p.cniVersion(), only.cniVersion());
    assertEquals(p.config(), only.config());
    assertEquals("{\"cniVersion\":\"0.3.1\",\"name\":\"some-plugin\",\"plugins\":[{\"cniVersion\":\"0.3.1\","
        + "\"name\":\"some-plugin\",\"type\":\"foobar\"}]}", s(l.bytes()));
    assertEquals(l, ConfLoader.confListFromBytes(l.bytes()));
  }

  @Nested
  class ConfFiles {
    @Test
    void listsMatchingFilesInNameOrderSkippingDirectories() throws Exception {
      write("b.conf", "{}");
      write("a.conflist", "{}");
      write("c.json", "{}");
      write("d.CONF", "{}");
      write(".conf", "{}");
      write("e.conf.bak", "{}");
      Files.createDirectories(dir.resolve("dir.conf"));
      Files.createSymbolicLink(dir.resolve("link.conf"), dir.resolve("dir.conf"));
      List<String> names = ConfLoader.confFiles(dir, List.of(".conf", ".json")).stream()
          .map(p -> p.getFileName().toString()).toList();
      assertEquals(List.of(".conf", "b.conf", "c.json", "link.conf"), names);
    }

    @Test
    void missingDirectoryIsEmpty() throws Exception {
      assertEquals(List.of(), ConfLoader.confFiles(dir.resolve("nope"), List.of(".conf")));
    }

    @Test
    void aFileInsteadOfADirectoryIsAnError() throws Exception {
      Path f = write("x", "");
      CniException e = assertThrows(CniException.class, () -> ConfLoader.confFiles(f, List.of(".conf")));
      assertEquals("open " + f + ": not a directory", e.getMessage());
      assertInstanceOf(CniException.class, e);
    }
  }
}
