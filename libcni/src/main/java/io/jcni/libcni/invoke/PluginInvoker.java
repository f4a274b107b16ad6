package io.jcni.libcni.invoke;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.invoke.DispatchingInvoker;
import io.jcni.libcni.internal.invoke.ExecInvoker;
import io.jcni.libcni.internal.invoke.ResultDecoder;
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

  /**
   * Runs ADD on the plugin of {@code type} within {@code deadline} and returns its result object as libcni reads it
   * ({@link ResultDecoder}: its {@code cniVersion} filled in from the configuration where missing). This default
   * decodes the printed stdout; an invoker that has the result as an object already passes it on.
   *
   * @throws CniException the plugin's error, or code 6 when what it printed is not a result object
   */
  default ObjectNode add(String type, CmdArgs args, Deadline deadline) throws CniException {
    return ResultDecoder.decode(args.stdinData(), invoke(Command.ADD, type, args, deadline));
  }
}
