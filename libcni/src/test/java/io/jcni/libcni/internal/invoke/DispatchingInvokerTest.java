package io.jcni.libcni.internal.invoke;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.version.PluginInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-process dispatch, delegation back through the dispatcher, and the exec fallback with the real noop. */
class DispatchingInvokerTest {
  @TempDir Path tmp;

  private final List<String> calls = new ArrayList<>();

  /** An in-process plugin that records calls and, on ADD, delegates to the type named in CNI_ARGS. */
  private final class Upper implements CniPlugin {
    private final String type;

    Upper(String type) {
      this.type = type;
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public List<String> supportedVersions() {
      return List.of("0.4.0", "1.0.0");
    }

    @Override
    public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
      calls.add(type + " ADD");
      if (args.args().startsWith("BOOM")) {
        throw new IllegalStateException("boom");
      }
      if (args.args().startsWith("DELEGATE=")) {
        String[] parts = args.args().substring("DELEGATE=".length()).split(";", 2);
        String rest = parts.length > 1 ? parts[1] : "";
        return tree(ctx.delegate(Command.ADD, parts[0],
            new CmdArgs(args.containerId(), args.netns(), args.ifName(), rest, args.path(), args.stdinData())));
      }
      return tree(("{\"cniVersion\":\"1.0.0\",\"from\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void check(CmdArgs args, PluginContext ctx) {
      calls.add(type + " CHECK");
    }

    @Override
    public void del(CmdArgs args, PluginContext ctx) {
      calls.add(type + " DEL");
    }
  }

  private static final byte[] CONF =
      "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8);

  private static CmdArgs args(String cniArgs) {
    return new CmdArgs("cid", "/ns", "eth0", cniArgs, List.of(TestBin.dir().toString()), CONF);
  }

  private DispatchingInvoker dispatcher(java.util.function.Predicate<String> allowed) {
    PluginRegistry reg = PluginRegistry.empty().register(new Upper("upper")).register(new Upper("ipam"));
    return new DispatchingInvoker(reg, allowed,
        new ExecInvoker(List.of(TestBin.dir().toString()), new RawExec()));
  }

  @Test
  void inlineDelegationGoesBackThroughDispatcher() throws Exception {
    byte[] out = dispatcher(t -> true).invoke(Command.ADD, "upper", args("DELEGATE=ipam"));
    // printed as the binary prints it (indented), so compared as JSON
    assertEquals(GoJson.mapper().readTree("{\"cniVersion\":\"1.0.0\",\"from\":\"ipam\"}"),
        GoJson.mapper().readTree(out));
    assertEquals(List.of("upper ADD", "ipam ADD"), calls);
  }

  @Test
  void inlinePluginCanDelegateToExecdPlugin() throws Exception {
    Path d = Files.writeString(tmp.resolve("debug"), "{\"ReportResult\":\"{\\\"from\\\":\\\"noop\\\"}\"}");
    byte[] out = dispatcher(t -> true).invoke(Command.ADD, "upper", args("DELEGATE=noop;DEBUG=" + d));
    assertEquals(GoJson.mapper().readTree("{\"from\":\"noop\"}"), GoJson.mapper().readTree(out));
    assertEquals("ADD", GoJson.mapper().readTree(d.toFile()).get("Command").asText());
  }

  @Test
  void disallowedTypeIsExecd() {
    CniException e = assertThrows(CniException.class,
        () -> dispatcher(t -> !t.equals("upper")).invoke(Command.ADD, "upper", args("")));
    assertEquals("failed to find plugin \"upper\" in path [" + TestBin.dir() + "]", e.getMessage());
    assertTrue(calls.isEmpty());
  }

  @Test
  void versionAnswerIsSkelShaped() throws Exception {
    byte[] out = dispatcher(t -> true).invoke(Command.VERSION, "upper", args(""));
    assertEquals("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}\n",
        new String(out, StandardCharsets.UTF_8));
    assertEquals(new PluginInfo("1.1.0", List.of("0.4.0", "1.0.0")),
        VersionInfo.getVersionInfo(dispatcher(t -> true), "upper"));
  }

  @Test
  void voidCommandsPrintNothing() throws Exception {
    DispatchingInvoker d = dispatcher(t -> true);
    assertEquals(0, d.invoke(Command.DEL, "upper", args("")).length);
    assertEquals(0, d.invoke(Command.CHECK, "upper", args("")).length);
    assertEquals(List.of("upper DEL", "upper CHECK"), calls);
  }

  @Test
  void skelsChecksComeBeforeAnInlinePlugin() {
    DispatchingInvoker d = dispatcher(t -> true);
    // The 0.4.0 config does not allow GC or STATUS: a Go binary's skel refuses them, so inline does too.
    CniException gc = assertThrows(CniException.class, () -> d.invoke(Command.GC, "upper", args("")));
    assertEquals(1, gc.code());
    assertEquals("config version does not allow GC", gc.getMessage());
    CniException id = assertThrows(CniException.class, () -> d.invoke(Command.DEL, "upper",
        new CmdArgs("../x", "", "eth0", "", List.of(), CONF)));
    assertEquals("invalid characters in containerID; ../x", id.getMessage());
    CniException ns = assertThrows(CniException.class, () -> d.invoke(Command.ADD, "upper",
        new CmdArgs("cid", "", "eth0", "", List.of(), CONF)));
    assertEquals("required env variables [CNI_NETNS] missing", ns.getMessage());
    CniException version = assertThrows(CniException.class, () -> d.invoke(Command.ADD, "upper",
        new CmdArgs("cid", "/ns", "eth0", "", List.of(), "{\"cniVersion\":\"9.9.9\",\"name\":\"n\"}"
            .getBytes(StandardCharsets.UTF_8))));
    assertEquals(1, version.code());
    assertEquals("incompatible CNI versions; config is \"9.9.9\", plugin supports [\"0.4.0\" \"1.0.0\"]",
        version.getMessage());
    assertEquals(List.of(), calls);
  }

  @Test
  void runtimeExceptionIsInternalError() {
    CniException e = assertThrows(CniException.class,
        () -> dispatcher(t -> true).invoke(Command.ADD, "upper", args("BOOM")));
    assertEquals(999, e.code());
    assertEquals("boom", e.getMessage());
  }
  /** {@code json} as the result object it spells. */
  private static ObjectNode tree(byte[] json) {
    try {
      return (ObjectNode) GoJson.mapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
