package io.jcni.demo.multinode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.util.List;

/**
 * One of Debian's Go plugins registered in a node's jcni runtime as if it were in-process: each call execs the
 * binary inside the node's namespace, which is thereby the plugin's "host" (its veths, routes and sysctls land
 * there, not in the test machine's namespace).
 */
record GoPluginInNode(String type, String nodeNetns) implements CniPlugin {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public List<String> supportedVersions() {
    return List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    byte[] out = go().run(Command.ADD, args).orThrow();
    try {
      return (ObjectNode) JSON.readTree(out);
    } catch (IOException | ClassCastException e) {
      throw new CniException(999, type + " in " + nodeNetns + " printed no result: " + new String(out));
    }
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    go().run(Command.CHECK, args).orThrow();
  }

  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    go().run(Command.DEL, args).orThrow();
  }

  private GoPlugin go() {
    return GoPlugin.of(type).in(nodeNetns);
  }
}
