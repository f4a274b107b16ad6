package io.jcni.libcni.spi;

import io.jcni.libcni.types.CniException;
import java.util.List;

/**
 * Work an in-process plugin hands to the runtime ({@link PluginContext#defer}) to be done after the plugin returns,
 * together with the deferred work of the other in-process plugins of the same ADD: the rule changes of a chain's
 * plugins can then reach the kernel as one transaction.
 *
 * <p>The runtime completes what was deferred before it runs a plugin that is not in-process and before the ADD
 * returns: the work itself ({@link #completeWith} or {@link #complete}), and, once the operation has nothing else
 * left that can fail (every plugin has run, the result is cached), what follows each ({@link #finish}). A failure
 * there fails the ADD, which is then rolled back as when a plugin fails, the plugin whose work failed included.
 * When a plugin of the chain fails, the work deferred so far is dropped, never done.
 */
public interface Deferred {

  /** Does this work on its own, as the plugin would have done it had it not been deferred. */
  void complete() throws CniException;

  /**
   * Does this work and {@code later} (deferred after it, by this chain's later plugins, in order) as one step,
   * all or nothing; false, having done nothing, where that is not possible, and the runtime then
   * {@linkplain #complete() completes} each on its own, in order. The default never combines.
   */
  default boolean completeWith(List<Deferred> later) {
    return false;
  }

  /**
   * What follows this work once the operation is done but for this (every plugin has run, all deferred work is
   * complete, an ADD's result is cached): a change that must not outlive a failed operation, as no DEL undoes it.
   * Run in the order the work was deferred, stopping at the first failure, which fails the operation. Work that is
   * not deferred is finished right after it is completed. The default does nothing.
   */
  default void finish() throws CniException {}
}
