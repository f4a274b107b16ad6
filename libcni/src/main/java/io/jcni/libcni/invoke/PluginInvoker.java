package io.jcni.libcni.invoke;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.Deadline;
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

  /**
   * Runs {@code command} as {@link #invoke(Command, String, CmdArgs)} does, within {@code deadline}: an exec'd
   * plugin is killed when it passes, an in-process one sees it as {@link io.jcni.libcni.spi.PluginContext#deadline()}.
   * Invokers that know no deadline ignore it.
   */
  default byte[] invoke(Command command, String type, CmdArgs args, Deadline deadline) throws CniException {
    return invoke(command, type, args);
  }
}
