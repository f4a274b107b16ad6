package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Result040;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An in-process plugin's ADD result reaches the caller as the object it answered, never printed and parsed, with
 * the same reading rules as a printed result: the same version fill-in and the same errors as the exec path.
 */
class CniConfigInProcessResultTest {
  @TempDir Path tmp;

  /** A plugin answering with {@code answer}'s tree whose printed form must not be asked for. */
  private record TreePlugin(Function<String, ObjectNode> answer) implements CniPlugin {
    @Override
    public String type() {
      return "jt-tree";
    }

    @Override
    public List<String> supportedVersions() {
      return List.of("0.4.0", "1.0.0", "1.1.0");
    }

    @Override
    public ObjectNode addResult(CmdArgs args, PluginContext ctx) {
      return answer.apply(args.ifName());
    }

    @Override
    public byte[] add(CmdArgs args, PluginContext ctx) {
      throw new AssertionError("the in-process result was printed");
    }

    @Override
    public void check(CmdArgs args, PluginContext ctx) {}

    @Override
    public void del(CmdArgs args, PluginContext ctx) {}
  }

  private static ObjectNode result(String version, String address) {
    ObjectNode r = GoJson.mapper().createObjectNode();
    if (version != null) {
      r.put("cniVersion", version);
    }
    r.putArray("ips").addObject().put("address", address);
    return r;
  }

  private CniConfig inline(TreePlugin plugin) {
    return CniConfig.builder().path(List.of()).cacheDir(tmp.resolve("cache"))
        .inline(PluginRegistry.empty().register(plugin), t -> true).build();
  }

  /** The same plugin run the way an exec'd binary's answer is read: printed, then decoded. */
  private CniConfig printed(TreePlugin plugin) {
    return CniConfig.builder().path(List.of()).cacheDir(tmp.resolve("cache-printed"))
        .invoker((command, type, args) -> GoJson.indented(plugin.addResult(args, null))).build();
  }

  private static PluginConf conf(String version) throws CniException {
    return ConfLoader.pluginConfFromBytes(("{\"cniVersion\":\"" + version + "\",\"name\":\"jt-net\","
        + "\"type\":\"jt-tree\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static RuntimeConf rt() {
    return new RuntimeConf("ctr", "/some/netns", "eth0", List.of(), Map.of(), null);
  }

  @Test
  void resultObjectReachesCallerWithoutBeingPrinted() throws CniException {
    Result r = inline(new TreePlugin(ifName -> result("1.1.0", "10.9.8.7/24"))).addNetwork(conf("1.1.0"), rt());
    Result100 r100 = assertInstanceOf(Result100.class, r);
    assertEquals("10.9.8.7/24", r100.ips().get(0).address().toString());
  }

  @Test
  void missingVersionIsTheConfigurationsAsForAPrintedResult() throws CniException {
    TreePlugin plugin = new TreePlugin(ifName -> result(null, "10.9.8.7/24"));
    Result inProcess = inline(plugin).addNetwork(conf("0.4.0"), rt());
    assertInstanceOf(Result040.class, inProcess);
    assertEquals(printed(plugin).addNetwork(conf("0.4.0"), rt()), inProcess);
  }

  @Test
  void badResultFailsAsAPrintedOneDoes() throws CniException {
    for (ObjectNode bad : List.of(result("9.9.9", "10.9.8.7/24"), result("1.1.0", "not-an-address"))) {
      TreePlugin plugin = new TreePlugin(ifName -> bad.deepCopy());
      CniException want = assertThrows(CniException.class, () -> printed(plugin).addNetwork(conf("1.1.0"), rt()));
      CniException got = assertThrows(CniException.class, () -> inline(plugin).addNetwork(conf("1.1.0"), rt()));
      assertEquals(want.code(), got.code(), bad.toString());
      assertEquals(want.getMessage(), got.getMessage(), bad.toString());
    }
  }

  /** A plugin that delegates its ADD to {@code jt-tree}, as a main plugin delegates to its IPAM. */
  private record DelegatingPlugin() implements CniPlugin {
    @Override
    public String type() {
      return "jt-main";
    }

    @Override
    public List<String> supportedVersions() {
      return List.of("0.4.0", "1.0.0", "1.1.0");
    }

    @Override
    public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
      return ctx.delegateAdd("jt-tree", args);
    }

    @Override
    public void check(CmdArgs args, PluginContext ctx) {}

    @Override
    public void del(CmdArgs args, PluginContext ctx) {}
  }

  @Test
  void aDelegatedInProcessResultReachesTheDelegatorWithoutBeingPrinted() throws CniException {
    CniConfig cni = CniConfig.builder().path(List.of()).cacheDir(tmp.resolve("cache"))
        .inline(PluginRegistry.empty().register(new TreePlugin(ifName -> result(null, "10.9.8.6/24")))
            .register(new DelegatingPlugin()), t -> true).build();
    PluginConf main = ConfLoader.pluginConfFromBytes(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"jt-net\",\"type\":\"jt-main\"}".getBytes(StandardCharsets.UTF_8));
    Result r = cni.addNetwork(main, rt());
    Result100 r100 = assertInstanceOf(Result100.class, r);
    assertEquals("1.0.0", r100.cniVersion(), "the version filled in from the configuration");
    assertEquals("10.9.8.6/24", r100.ips().get(0).address().toString());
  }
}
