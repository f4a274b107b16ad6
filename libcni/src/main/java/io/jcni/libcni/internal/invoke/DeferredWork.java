package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.spi.Deferred;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The work the in-process plugins of one ADD or DEL have {@linkplain io.jcni.libcni.spi.PluginContext#defer
 * deferred} and not yet completed, each item with the plugin it came from, so that a failure names that plugin
 * ({@link #blame}). An operation that fails leaves it, undone, with the call.
 *
 * <p>It is completed by the caller after the last in-process plugin and before an exec'd one, and by a plugin's
 * context before a delegation (an IPAM DEL must not release an address before the rules that use it are gone);
 * what follows each item ({@link Deferred#finish}) waits until the operation has nothing else left that can fail.
 */
public final class DeferredWork {
  private record Item(String plugin, Deferred work) {}

  private final List<Item> pending = new ArrayList<>();
  /** Completed work whose {@link Deferred#finish} is still to run. */
  private final List<Item> completed = new ArrayList<>();
  private String running = "";
  private String failedPlugin;
  private CniException failure;

  /** Names the plugin that runs next (its failure prefix, "plugin type=… failed (add): "): it owns what it defers. */
  public synchronized void running(String plugin) {
    running = plugin;
  }

  synchronized void add(Deferred work) {
    pending.add(new Item(running, work));
  }

  /**
   * The plugin to name for {@code e}: the one whose deferred work failed, where {@code e} is (or wraps) that
   * failure, else {@code current}, the plugin that was running.
   */
  public synchronized String blame(String current, CniException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t == failure) {
        return failedPlugin;
      }
    }
    return current;
  }

  /**
   * Completes everything deferred so far: as one step where the first item {@linkplain Deferred#completeWith takes
   * the rest}, else each on its own, in order, stopping at the first failure, whose plugin {@link #blame} then
   * names. Nothing is pending afterwards; what completed waits for {@link #finish}.
   */
  public void complete() throws CniException {
    List<Item> items;
    synchronized (this) {
      items = List.copyOf(pending);
      pending.clear();
    }
    if (items.isEmpty()) {
      return;
    }
    List<Deferred> later = items.subList(1, items.size()).stream().map(Item::work).toList();
    if (later.isEmpty() || !run(items.get(0), () -> items.get(0).work().completeWith(later))) {
      for (Item item : items) {
        run(item, () -> {
          item.work().complete();
          return true;
        });
      }
    }
    synchronized (this) {
      completed.addAll(items);
    }
  }

  /**
   * {@linkplain Deferred#finish Finishes} what was completed, in the order it was deferred, once nothing of the
   * operation can fail any more but this; stops at the first failure, whose plugin {@link #blame} then names.
   */
  public void finish() throws CniException {
    List<Item> items;
    synchronized (this) {
      items = List.copyOf(completed);
      completed.clear();
    }
    for (Item item : items) {
      run(item, () -> {
        item.work().finish();
        return true;
      });
    }
  }

  @FunctionalInterface
  private interface Step {
    boolean run() throws CniException;
  }

  /** Runs {@code step} of {@code item}; a failure is blamed on the item's plugin, a {@link RuntimeException} as 999. */
  private boolean run(Item item, Step step) throws CniException {
    try {
      return step.run();
    } catch (CniException e) {
      throw failedIn(item, e);
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      throw failedIn(item, new CniException(ErrorCode.INTERNAL, msg, "", e));
    }
  }

  private synchronized CniException failedIn(Item item, CniException e) {
    failedPlugin = item.plugin();
    failure = e;
    return e;
  }
}
