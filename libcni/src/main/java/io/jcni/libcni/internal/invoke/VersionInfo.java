package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.invoke.PluginInvoker;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.version.PluginInfo;
import io.jcni.libcni.version.Versions;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The {@code VERSION} exchange with a plugin: the request Go's {@code invoke.GetVersionInfo} sends and the
 * decoding of the answer, including the rules for plugins older than the command.
 */
public final class VersionInfo {
  /** The stdin sent with VERSION. */
  static final byte[] REQUEST = ("{\"cniVersion\":\"" + Versions.CURRENT + "\"}")
      .getBytes(StandardCharsets.UTF_8);

  private VersionInfo() {}

  /**
   * Asks the plugin of {@code type} which versions it supports. A plugin that predates VERSION (it answers
   * {@code unknown CNI_COMMAND: VERSION}) supports 0.1.0 only.
   */
  public static PluginInfo getVersionInfo(PluginInvoker invoker, String type) throws CniException {
    // Go sends placeholders so plugins that validate their environment before the command still answer.
    CmdArgs args = new CmdArgs("", "dummy", "dummy", "", List.of("dummy"), REQUEST);
    byte[] out;
    try {
      out = invoker.invoke(Command.VERSION, type, args);
    } catch (CniException e) {
      if ("unknown CNI_COMMAND: VERSION".equals(e.getMessage())) {
        return new PluginInfo(Versions.CURRENT, List.of("0.1.0"));
      }
      throw e;
    }
    return PluginInfo.decode(out);
  }
}
