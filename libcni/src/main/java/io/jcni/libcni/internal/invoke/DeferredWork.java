package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.spi.Deferred;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The work the in-process plugins of one ADD have {@linkplain io.jcni.libcni.spi.PluginContext#defer deferred} and
 * not yet completed, each item with the plugin it came from, so that a failure names that plugin. An ADD that fails
 * leaves it, undone, with the call.
 */
public final class DeferredWork {
  private record Item(String failurePrefix, Deferred work) {}

  private final List<Item> pending = new ArrayList<>();
  private String running = "";

  /** Names the plugin that runs next: what it defers fails with {@code failurePrefix} ("plugin type=… failed (add): "). */
  public synchronized void running(String failurePrefix) {
    running = failurePrefix;
  }

  synchronized void add(Deferred work) {
    pending.add(new Item(running, work));
  }

  /**
   * Completes everything deferred so far: as one step where the first item {@linkplain Deferred#completeWith takes
   * the rest}, else each on its own, in order, stopping at the first failure. Nothing is pending afterwards.
   *
   * @throws CniException the failure, prefixed with its plugin's {@code failurePrefix}
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
    if (!later.isEmpty() && run(items.get(0), () -> items.get(0).work().completeWith(later))) {
      return;
    }
    for (Item item : items) {
      run(item, () -> {
        item.work().complete();
        return true;
      });
    }
  }

  @FunctionalInterface
  private interface Step {
    boolean run() throws CniException;
  }

  /** Runs {@code step} of {@code item}; a failure names the item's plugin, a {@link RuntimeException} as code 999. */
  private static boolean run(Item item, Step step) throws CniException {
    try {
      return step.run();
    } catch (CniException e) {
      throw e.withPrefix(item.failurePrefix());
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      throw new CniException(ErrorCode.INTERNAL, msg, "", e).withPrefix(item.failurePrefix());
    }
  }
}
