package io.jcni.plugins.internal.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** An in-process IPAM stand-in for bridge tests: ADD answers what {@code add} returns, DEL calls {@code del}. */
record ScriptedIpam(String type, Function<CmdArgs, String> add, Consumer<CmdArgs> del) implements CniPlugin {
  @Override
  public List<String> supportedVersions() {
    return List.of("1.0.0");
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    return tree(add.apply(args).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code json} as the result object it spells. */
  private static ObjectNode tree(byte[] json) {
    try {
      return (ObjectNode) GoJson.mapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) {}

  @Override
  public void del(CmdArgs args, PluginContext ctx) {
    del.accept(args);
  }
}
