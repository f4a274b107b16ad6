package io.jcni.libcni;

import io.jcni.libcni.types.CniException;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The log of plugin operations, through {@link System.Logger} named {@value #NAME}: each ADD, CHECK, DEL, GC and
 * STATUS of a plugin at {@code DEBUG}, each failure once at {@code WARNING}.
 *
 * <p>A record reads {@code ADD network=N container=C ifname=I plugin=T mode=inline|exec took 12ms}; a failure
 * ends in {@code failed after 12ms: <message>}. Without a logging library on the class path, {@code System.Logger}
 * writes to {@code java.util.logging}, where {@code DEBUG} is {@code FINE}.
 */
public final class OperationLog {
  /** The logger name. */
  public static final String NAME = "io.jcni.libcni";

  private static final System.Logger LOG = System.getLogger(NAME);

  private OperationLog() {}

  /** Logs a plugin operation that succeeded, at DEBUG. */
  static void done(Op op, long startNanos) {
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, op + " took " + since(startNanos));
    }
  }

  /**
   * Logs a failed plugin operation: at WARNING when no layer has logged {@code e} yet, else at DEBUG only.
   */
  static void failed(Op op, long startNanos, CniException e) {
    Level level = e.markLogged() ? Level.WARNING : Level.DEBUG;
    if (LOG.isLoggable(level)) {
      LOG.log(level, op + " failed after " + since(startNanos) + ": " + e.getMessage());
    }
  }

  /**
   * Logs a failure of an operation that ran no plugin of its own (e.g. a network that is not loaded, or a lock
   * wait that timed out) at WARNING, unless it was logged already.
   */
  public static void failed(String what, CniException e) {
    if (e.markLogged() && LOG.isLoggable(Level.WARNING)) {
      LOG.log(Level.WARNING, what + " failed: " + e.getMessage());
    }
  }

  private static String since(long startNanos) {
    Duration d = Duration.ofNanos(System.nanoTime() - startNanos);
    long micros = d.toNanos() / 1000;
    return micros < 10_000 ? String.format(java.util.Locale.ROOT, "%.1fms", micros / 1000.0) : d.toMillis() + "ms";
  }

  /** What one plugin call was: command, network, container, interface, plugin type and inline-or-exec. */
  record Op(String command, String network, String containerId, String ifName, String type, String mode) {
    @Override
    public String toString() {
      return command + " network=" + network + " container=" + containerId + " ifname=" + ifName + " plugin=" + type
          + " mode=" + mode;
    }
  }
}
