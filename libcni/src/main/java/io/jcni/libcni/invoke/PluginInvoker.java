package io.jcni.libcni.invoke;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.types.CniException;

/**
 * The way libcni runs one plugin: by exec'ing its binary ({@link ExecInvoker}) or in-process
 * ({@link DispatchingInvoker}); callers cannot tell which.
 */
@FunctionalInterface
public interface PluginInvoker {

  /**
   * Runs {@code command} on the plugin of {@code type} and returns what it printed on stdout (empty when it
   * printed nothing).
   *
   * @throws CniException the plugin's error, or why it could not be run
   */
  byte[] invoke(Command command, String type, CmdArgs args) throws CniException;
}
