package io.jcni.plugins.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.hostlocal.HostLocalPlugin;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Skel's checks and output, compared with what Go's skel prints from {@code /usr/lib/cni/host-local}. */
class SkelTest {
  static final String GO = "/usr/lib/cni/host-local";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  record Run(int status, String stdout, String stderr) {
    JsonNode json() throws IOException {
      return JSON.readTree(stdout);
    }
  }

  static Run skel(CniPlugin plugin, Map<String, String> env, String stdin) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Skel.run(plugin, env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err);
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Run go(Map<String, String> env, String stdin) {
    GoPlugin.Run run = GoPlugin.of("host-local").runWithOnly(env, stdin.getBytes(StandardCharsets.UTF_8));
    return new Run(run.exit(), run.out(), run.stderr());
  }

  static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static Map<String, String> full(String cmd) {
    return env("CNI_COMMAND", cmd, "CNI_CONTAINERID", "c1", "CNI_NETNS", "/var/run/netns/jt-x", "CNI_IFNAME", "eth0",
        "CNI_PATH", "/usr/lib/cni");
  }

  static Map<String, String> with(Map<String, String> base, String k, String v) {
    Map<String, String> m = new HashMap<>(base);
    if (v == null) {
      m.remove(k);
    } else {
      m.put(k, v);
    }
    return m;
  }

  String conf(String version) {
    return "{\"cniVersion\":\"" + version + "\",\"name\":\"mynet\",\"ipam\":{\"type\":\"host-local\","
        + "\"dataDir\":\"" + tmp + "\",\"ranges\":[[{\"subnet\":\"10.250.7.0/24\"}]]}}";
  }

  static Stream<Arguments> refusals() {
    String ok = "{\"cniVersion\":\"0.4.0\",\"name\":\"mynet\",\"ipam\":{\"subnet\":\"10.250.7.0/24\"}}";
    return Stream.of(
        Arguments.of("ADD without env", env("CNI_COMMAND", "ADD"), ok),
        Arguments.of("DEL without env", env("CNI_COMMAND", "DEL"), ok),
        Arguments.of("CHECK without netns", with(full("CHECK"), "CNI_NETNS", null), ok),
        Arguments.of("ADD without path", with(full("ADD"), "CNI_PATH", null), ok),
        Arguments.of("bad container id", with(full("ADD"), "CNI_CONTAINERID", "a b"), ok),
        Arguments.of("ifname too long", with(full("ADD"), "CNI_IFNAME", "abcdefghijklmnop"), ok),
        Arguments.of("ifname dot", with(full("DEL"), "CNI_IFNAME", ".."), ok),
        Arguments.of("ifname colon", with(full("ADD"), "CNI_IFNAME", "eth:0"), ok),
        Arguments.of("no name", full("ADD"), "{\"cniVersion\":\"0.4.0\"}"),
        Arguments.of("bad name", full("ADD"), "{\"cniVersion\":\"0.4.0\",\"name\":\"a/b\"}"),
        Arguments.of("empty stdin", full("ADD"), ""),
        Arguments.of("CHECK on 0.3.1", full("CHECK"),
            "{\"cniVersion\":\"0.3.1\",\"name\":\"mynet\",\"ipam\":{\"subnet\":\"10.250.7.0/24\"}}"),
        Arguments.of("unknown command", full("FOO"), ok));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  @RequiresExecutable(GO)
  void refusesLikeGoSkel(String what, Map<String, String> env, String stdin) throws Exception {
    Run go = go(env, stdin);
    Run ours = skel(new HostLocalPlugin(), env, stdin);
    assertEquals(1, go.status(), go.toString());
    assertEquals(1, ours.status(), ours.toString());
    assertEquals(go.json(), ours.json());
  }

  @Test
  void incompatibleVersion() throws Exception {
    Run r = skel(new HostLocalPlugin(), full("ADD"), conf("0.5.0"));
    assertEquals(1, r.status());
    assertEquals(
        JSON.readTree("{\"code\":1,\"msg\":\"incompatible CNI versions\",\"details\":\"config is \\\"0.5.0\\\", plugin"
            + " supports [\\\"0.1.0\\\" \\\"0.2.0\\\" \\\"0.3.0\\\" \\\"0.3.1\\\" \\\"0.4.0\\\" \\\"1.0.0\\\""
            + " \\\"1.1.0\\\"]\"}"),
        r.json());
    if (new java.io.File(GO).canExecute()) {
      Run go = go(full("ADD"), conf("0.5.0"));
      assertEquals(go.json().get("msg"), r.json().get("msg"));
      assertEquals(go.json().get("code"), r.json().get("code"));
    }
  }

  @Test
  void gcAndStatusNeed110() throws Exception {
    Map<String, String> gc = env("CNI_COMMAND", "GC", "CNI_PATH", "/usr/lib/cni");
    Run r = skel(new HostLocalPlugin(), gc, conf("1.0.0"));
    assertEquals(JSON.readTree("{\"code\":1,\"msg\":\"config version does not allow GC\"}"), r.json());
    Run s = skel(new HostLocalPlugin(), with(gc, "CNI_COMMAND", "STATUS"), conf("1.0.0"));
    assertEquals(JSON.readTree("{\"code\":1,\"msg\":\"config version does not allow STATUS\"}"), s.json());
    assertEquals(0, skel(new HostLocalPlugin(), gc, conf("1.1.0")).status());
    assertEquals(0, skel(new HostLocalPlugin(), with(gc, "CNI_COMMAND", "STATUS"), conf("1.1.0")).status());
  }

  @Test
  void versionOutput() {
    Run r = skel(new HostLocalPlugin(), env("CNI_COMMAND", "VERSION"), "");
    assertEquals(0, r.status());
    assertEquals(
        "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.1.0\",\"0.2.0\",\"0.3.0\",\"0.3.1\",\"0.4.0\","
            + "\"1.0.0\",\"1.1.0\"]}\n",
        r.stdout());
  }

  @Test
  void noCommandPrintsAbout() {
    Run r = skel(new HostLocalPlugin(), env(), "");
    assertEquals(0, r.status());
    assertEquals("", r.stdout());
    assertTrue(r.stderr().contains("CNI protocol versions supported: 0.1.0, 0.2.0"), r.stderr());
  }

  @Test
  @RequiresExecutable(GO)
  void addCheckDelThroughSkelMatchGo() throws Exception {
    Path goDir = Files.createDirectories(tmp.resolve("go"));
    String goConf = conf("1.0.0").replace(tmp.toString(), goDir.toString());
    Run go = go(full("ADD"), goConf);
    Run ours = skel(new HostLocalPlugin(), full("ADD"), conf("1.0.0"));
    assertEquals(0, ours.status(), ours.stdout());
    JsonNode goJson = go.json();
    ((com.fasterxml.jackson.databind.node.ObjectNode) goJson).remove("dns"); // Go 1.1.1 prints an empty dns
    assertEquals(goJson, ours.json());
    assertEquals(0, skel(new HostLocalPlugin(), full("CHECK"), conf("1.0.0")).status());
    assertEquals(0, skel(new HostLocalPlugin(), with(full("DEL"), "CNI_NETNS", null), conf("1.0.0")).status());
    Run check = skel(new HostLocalPlugin(), full("CHECK"), conf("1.0.0"));
    assertEquals(1, check.status());
    assertEquals("host-local: Failed to find address added by container c1", check.json().get("msg").asText());
  }

  @Test
  void plainExceptionsBecomeCode999() throws Exception {
    CniPlugin broken = new TestPlugin() {
      @Override
      public ObjectNode addResult(CmdArgs args, PluginContext ctx) {
        throw new IllegalStateException("boom");
      }
    };
    Run r = skel(broken, full("ADD"), conf("1.0.0"));
    assertEquals(1, r.status());
    assertEquals(JSON.readTree("{\"code\":999,\"msg\":\"boom\"}"), r.json());
    assertTrue(r.stdout().contains("\n    \"code\": 999"), "Go's four-space indentation: " + r.stdout());
  }

  @Test
  @RequiresExecutable(GO)
  void delegatesToAnExecutableFromCniPath() throws Exception {
    CniPlugin delegating = new TestPlugin() {
      @Override
      public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
        byte[] ipam = ctx.delegate(Command.ADD, "host-local", args);
        try {
          return (ObjectNode) JSON.readTree(ipam);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public void del(CmdArgs args, PluginContext ctx) throws CniException {
        ctx.delegate(Command.DEL, "host-local", args);
      }
    };
    Run r = skel(delegating, full("ADD"), conf("1.0.0"));
    assertEquals(0, r.status(), r.stdout());
    assertEquals("10.250.7.2/24", r.json().get("ips").get(0).get("address").asText());
    assertEquals("c1\r\neth0", Files.readString(tmp.resolve("mynet/10.250.7.2")));
    Run again = skel(delegating, full("ADD"), conf("1.0.0"));
    assertEquals(1, again.status());
    assertEquals(999, again.json().get("code").asInt(), "the delegate's error passes through: " + again.stdout());
    assertEquals(0, skel(delegating, full("DEL"), conf("1.0.0")).status());
    assertTrue(Files.notExists(tmp.resolve("mynet/10.250.7.2")));
  }

  abstract static class TestPlugin implements CniPlugin {
    @Override
    public String type() {
      return "test";
    }

    @Override
    public List<String> supportedVersions() {
      return HostLocalPlugin.SUPPORTED_VERSIONS;
    }

    @Override
    public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
      return null; // prints nothing
    }

    @Override
    public void check(CmdArgs args, PluginContext ctx) {}

    @Override
    public void del(CmdArgs args, PluginContext ctx) throws CniException {}
  }
}
