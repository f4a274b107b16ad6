package io.jcni.libcni.spi;

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
}
