package io.jcni.plugins.internal.bridge;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.types.CniException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A {@link PluginContext} for tests (run with {@code -Djcni.test.ipam=exec} to exec every IPAM plugin): IPAM types registered in-process run inline, anything else is exec'd from
 * {@code /usr/lib/cni}; every delegation is recorded.
 */
final class TestContext implements PluginContext {
  private final Map<String, CniPlugin> inline;
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());

  TestContext(Map<String, CniPlugin> inline) {
    this.inline = inline;
  }

  /** The default for bridge tests: host-local in process (when on the class path), everything else exec'd. */
  static TestContext standard() {
    if ("exec".equals(System.getProperty("jcni.test.ipam"))) {
      return execOnly();
    }
    return new TestContext(InlineIpam.plugins());
  }

  /** Every IPAM type exec'd from /usr/lib/cni (the Go host-local among them). */
  static TestContext execOnly() {
    return new TestContext(Map.of());
  }

  @Override
  public byte[] delegate(Command command, String type, CmdArgs args) throws CniException {
    calls.add(command + " " + type);
    CniPlugin p = inline.get(type);
    if (p == null) {
      if (!GoPlugin.of(type).installed()) {
        throw new CniException(50, "failed to find plugin \"" + type + "\" in path [" + GoPlugin.DIR + "]");
      }
      return GoPlugin.of(type).run(command, args).orThrow();
    }
    switch (command) {
      case ADD:
        return p.add(args, this);
      case DEL:
        p.del(args, this);
        return new byte[0];
      case CHECK:
        p.check(args, this);
        return new byte[0];
      case GC:
        p.gc(args, this);
        return new byte[0];
      case STATUS:
        p.status(args, this);
        return new byte[0];
      default:
        throw new CniException(4, "unexpected command " + command);
    }
  }
}
