package io.jcni.libcni.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.invoke.ResultDecoder;
import io.jcni.libcni.types.CniException;

/**
 * What an in-process plugin may ask of the runtime that invoked it: above all, delegation to another plugin
 * (its IPAM), which goes back through the same resolver as the top-level call — inline when the type is registered
 * and allowed, exec'd from {@code CNI_PATH} otherwise.
 */
public interface PluginContext {

  /**
   * Runs {@code command} on the plugin of {@code type} with the given inputs, as Go's {@code invoke.DelegateAdd}
   * and friends do (same env, only {@code CNI_COMMAND} differs), and returns its stdout bytes (empty when it
   * printed nothing).
   */
  byte[] delegate(Command command, String type, CmdArgs args) throws CniException;

  /**
   * ADD delegated to the plugin of {@code type} (Go's {@code invoke.DelegateAdd}), its result as a JSON object with
   * the version filled in from the configuration where it printed none: an in-process plugin's result object as
   * it is, without printing and parsing it; an exec'd plugin's stdout decoded. Fails as Go's does when that output
   * is no result.
   */
  default ObjectNode delegateAdd(String type, CmdArgs args) throws CniException {
    return ResultDecoder.decode(args.stdinData(), delegate(Command.ADD, type, args));
  }

  /**
   * The deadline of the operation this call belongs to: waits (locks, link states, commands) end by it, and
   * delegations share it.
   */
  default Deadline deadline() {
    return Deadline.none();
  }

  /** This context with another deadline, e.g. {@link Deadline#forUndo()} to undo a failed ADD's delegations. */
  default PluginContext withDeadline(Deadline other) {
    return this;
  }

  /**
   * Hands {@code work} to the runtime to be completed after this plugin returns, with the deferred work of the
   * chain's other in-process plugins ({@link Deferred}); true when taken. False when this call has no chain to
   * share with (a single plugin, a delegation, a rollback's DEL): the plugin then does the work itself, at once
   * ({@link Deferred#complete}, then {@link Deferred#finish}).
   */
  default boolean defer(Deferred work) {
    return false;
  }
}
