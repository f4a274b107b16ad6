package io.jcni.demo;

import io.jcni.libcni.OperationLog;
import java.io.PrintStream;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The CLI's logging setup: jcni logs through {@code System.Logger}, which without a logging library on the class
 * path writes to {@code java.util.logging}, whose default console handler would print its warnings next to the
 * CLI's own error line. So jcni's loggers are silent unless {@code -v} asks for every operation on stderr.
 */
final class CliLogging {
  /** Kept strongly: java.util.logging holds loggers weakly, and a collected one forgets its level. */
  private static final Logger JCNI = Logger.getLogger("io.jcni");
  private static Handler installed; // guarded by CliLogging.class

  private CliLogging() {}

  /** Silences jcni's logs, or with {@code verbose} sends all of them (DEBUG and up) to {@code err}, one line each. */
  static synchronized void configure(boolean verbose, PrintStream err) {
    if (installed != null) {
      JCNI.removeHandler(installed);
      installed = null;
    }
    JCNI.setUseParentHandlers(false);
    if (!verbose) {
      JCNI.setLevel(Level.OFF);
      return;
    }
    Handler h = new StreamHandler(err, new OneLine()) {
      @Override
      public synchronized void publish(LogRecord r) {
        super.publish(r);
        flush(); // a line per operation as it happens, not at exit
      }
    };
    h.setLevel(Level.ALL);
    JCNI.setLevel(Level.ALL);
    JCNI.addHandler(h);
    installed = h;
  }

  /** {@code jcni: DEBUG io.jcni.libcni: ADD network=… took 3ms}. */
  private static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord r) {
      String level = r.getLevel().intValue() >= Level.WARNING.intValue() ? "WARNING"
          : r.getLevel().intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG";
      String name = r.getLoggerName() == null ? OperationLog.NAME : r.getLoggerName();
      return "jcni: " + level + " " + name + ": " + formatMessage(r) + System.lineSeparator();
    }
  }
}
