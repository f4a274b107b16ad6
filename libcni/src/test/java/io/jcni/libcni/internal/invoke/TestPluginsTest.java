package io.jcni.libcni.internal.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.version.PluginInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test-bin noop behaves as later tests rely on: result modes, command log, skel-like checks; the skel texts
 * are cross-checked against a real Go plugin where one exists.
 */
class TestPluginsTest {
  @TempDir Path tmp;

  private final ExecInvoker invoker = new ExecInvoker(List.of(TestBin.dir().toString()), new RawExec(null));

  private byte[] run(Command c, String conf, String debugJson) throws Exception {
    Path d = Files.writeString(tmp.resolve("debug"), debugJson);
    return invoker.invoke(c, "noop", new CmdArgs("cid", "/ns", "eth0", "DEBUG=" + d, List.of("/p"),
        conf.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void passthroughAndInjectDns() throws Exception {
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"prevResult\":{\"cniVersion\":\"1.0.0\","
        + "\"ips\":[{\"address\":\"10.200.0.2/24\"}]}}";
    JsonNode pass = GoJson.mapper().readTree(run(Command.ADD, conf, "{\"ReportResult\":\"PASSTHROUGH\"}"));
    assertEquals(GoJson.mapper().readTree(conf).get("prevResult"), pass);
    JsonNode dns = GoJson.mapper().readTree(run(Command.ADD, conf, "{\"ReportResult\":\"INJECT-DNS\"}"));
    assertEquals("1.2.3.4", dns.at("/dns/nameservers/0").asText());
    assertEquals("10.200.0.2/24", dns.at("/ips/0/address").asText());
  }

  @Test
  void commandLogAppendsOneLinePerCall() throws Exception {
    Path log = tmp.resolve("log");
    String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"commandLog\":\"" + log + "\"}";
    run(Command.ADD, conf, "{}");
    run(Command.DEL, conf, "{}");
    List<String> lines = Files.readAllLines(log);
    assertEquals(2, lines.size());
    assertEquals("DEL", GoJson.mapper().readTree(lines.get(1)).get("Command").asText());
    assertEquals(conf, new String(Base64.getDecoder().decode(
        GoJson.mapper().readTree(lines.get(0)).at("/CmdArgs/StdinData").asText()), StandardCharsets.UTF_8));
  }

  @Test
  void versionGatesUseSkelTexts() {
    CniException e = assertThrows(CniException.class,
        () -> run(Command.ADD, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}",
            "{\"ReportVersionSupport\":[\"0.3.1\",\"0.4.0\"]}"));
    assertEquals(1, e.code());
    assertEquals("incompatible CNI versions; config is \"1.0.0\", plugin supports [\"0.3.1\" \"0.4.0\"]",
        e.getMessage());
    assertEquals("config version does not allow CHECK", assertThrows(CniException.class,
        () -> run(Command.CHECK, "{\"cniVersion\":\"0.3.1\",\"name\":\"n\"}", "{}")).getMessage());
    assertEquals("config version does not allow GC", assertThrows(CniException.class,
        () -> run(Command.GC, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", "{}")).getMessage());
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/loopback")
  void incompatibleVersionTextMatchesGoSkel() throws Exception {
    PluginInfo info = VersionInfo.getVersionInfo(new ExecInvoker(List.of("/usr/lib/cni"), new RawExec(null)),
        "loopback");
    CmdArgs args = new CmdArgs("cid", "/ns", "eth0", "", List.of("/usr/lib/cni"),
        "{\"cniVersion\":\"9.9.9\",\"name\":\"n\",\"type\":\"loopback\"}".getBytes(StandardCharsets.UTF_8));
    CniException go = assertThrows(CniException.class,
        () -> new ExecInvoker(List.of("/usr/lib/cni"), new RawExec(null)).invoke(Command.ADD, "loopback", args));
    StringBuilder quoted = new StringBuilder();
    for (String v : info.supportedVersions()) {
      quoted.append(quoted.length() > 0 ? " " : "").append('"').append(v).append('"');
    }
    assertEquals("incompatible CNI versions; config is \"9.9.9\", plugin supports [" + quoted + "]",
        go.getMessage());
    Path d = Files.writeString(tmp.resolve("debug"),
        GoJson.mapper().createObjectNode().set("ReportVersionSupport",
            GoJson.mapper().valueToTree(info.supportedVersions())).toString());
    CniException ours = assertThrows(CniException.class, () -> invoker.invoke(Command.ADD, "noop",
        new CmdArgs("cid", "/ns", "eth0", "DEBUG=" + d, List.of("/p"), args.stdinData())));
    assertEquals(go.getMessage(), ours.getMessage());
    assertEquals(go.code(), ours.code());
  }
}
