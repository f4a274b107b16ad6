package io.jcni.libcni.internal.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of a plugin binary with the CNI exec protocol: stdin in, stdout back, stderr captured, failures decoded
 * exactly as Go's {@code invoke.RawExec} decodes them.
 *
 * <p>A failed run becomes a {@link CniException}: the plugin's own {@code {code,msg,details}} when it printed one,
 * otherwise code 0 with {@code netplugin failed with no error message: <err>}, {@code netplugin failed:
 * "<stderr>": <err>} or {@code netplugin failed but error parsing its diagnostic message "<out>": <perr>}, where
 * {@code <err>} is worded like Go's ({@code exit status 1}, {@code signal: killed}, {@code fork/exec P: …}).
 *
 * <p>The plugin runs as a {@link Subprocess}: when the operation's {@link Deadline} passes, or the calling thread
 * is interrupted, the plugin and every process it started are killed and the call fails with a timed-out or
 * cancelled {@link CniException} (code 11) naming the plugin, whatever it had written so far. (Go's libcni reports
 * {@code signal: killed} there; jcni makes the cause recognisable.) An exec that fails with {@code text file busy}
 * (a plugin binary being replaced while we start it) is retried up to six times one second apart, each time with
 * a fresh process. A plugin that exits but leaves a daemon holding its stdout open is not waited for beyond a
 * few seconds ({@link Subprocess#OUTPUT_GRACE}); the output it wrote is used (libcni waits forever). Whatever the
 * plugin wrote to stderr is copied to the configured sink (also when it failed). Instances are thread-safe.
 */
public final class RawExec {
  /** How many times an exec failing with {@code text file busy} is attempted, as in Go. */
  public static final int TEXT_FILE_BUSY_TRIES = 6;

  private static final Duration TEXT_FILE_BUSY_PAUSE = Duration.ofSeconds(1);
  private static final Pattern ERRNO = Pattern.compile("error=\\d+, (.*)$");
  private static final String[] SIGNALS = {
    "", "hangup", "interrupt", "quit", "illegal instruction", "trace/breakpoint trap", "aborted", "bus error",
    "floating point exception", "killed", "user defined signal 1", "segmentation fault", "user defined signal 2",
    "broken pipe", "alarm clock", "terminated", "stack fault", "child exited", "continued", "stopped (signal)",
    "stopped", "stopped (tty input)", "stopped (tty output)", "urgent I/O condition", "CPU time limit exceeded",
    "file size limit exceeded", "virtual timer expired", "profiling timer expired", "window changed",
    "I/O possible", "power failure", "bad system call"
  };

  private final OutputStream stderrSink;
  private final Duration busyPause;

  /** A RawExec forwarding plugin stderr to {@link System#err}. */
  public RawExec() {
    this(System.err);
  }

  /** A RawExec forwarding plugin stderr to {@code stderrSink} ({@code null} discards it). */
  public RawExec(OutputStream stderrSink) {
    this(stderrSink, TEXT_FILE_BUSY_PAUSE);
  }

  RawExec(OutputStream stderrSink, Duration busyPause) {
    this.stderrSink = stderrSink;
    this.busyPause = busyPause;
  }

  /**
   * Runs {@code plugin} with {@code env} as its whole environment and {@code stdin} on its standard input, and
   * returns its standard output.
   *
   * @param deadline the operation's deadline; it also bounds the text-file-busy retries
   * @throws CniException the plugin's error, one describing how it failed (see the class comment), or a timed-out
   *     or cancelled one naming the plugin
   */
  public byte[] exec(Path plugin, byte[] stdin, Map<String, String> env, Deadline deadline) throws CniException {
    Subprocess run = Subprocess.of(List.of(plugin.toString())).withEnv(env).withStdin(stdin)
        .withStderrCopiedTo(stderrSink);
    for (int attempt = 1; ; attempt++) {
      Subprocess.Outcome outcome;
      try {
        outcome = run.run(deadline);
      } catch (IOException e) {
        String err = launchErrorText(plugin, e);
        if (err.endsWith("text file busy") && attempt < TEXT_FILE_BUSY_TRIES) {
          pause(plugin, deadline);
          continue;
        }
        throw pluginError(err, new byte[0], new byte[0]);
      }
      if (outcome instanceof Subprocess.Stopped stopped) {
        throw stoppedError(plugin, stopped.why(), stopped.after());
      }
      Subprocess.Exited exited = (Subprocess.Exited) outcome;
      if (exited.status() == 0) {
        return exited.stdout();
      }
      throw pluginError(exitText(exited.status()), exited.stdout(), exited.stderr());
    }
  }

  private void pause(Path plugin, Deadline deadline) throws CniException {
    Duration wait = deadline.limit(busyPause);
    try {
      TimeUnit.NANOSECONDS.sleep(wait.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (Thread.currentThread().isInterrupted()) {
      throw stoppedError(plugin, CniException.Stop.CANCELLED, null);
    }
    if (deadline.isExpired()) {
      throw stoppedError(plugin, CniException.Stop.TIMED_OUT, deadline.budget());
    }
  }

  /** The error of a plugin run that the deadline or an interrupt ended; {@code after} may be {@code null}. */
  static CniException stoppedError(Path plugin, CniException.Stop why, Duration after) {
    return switch (why) {
      case TIMED_OUT -> CniException.timeout(
          "plugin " + plugin + " timed out after " + Deadline.format(after) + " (the operation's deadline)");
      case CANCELLED -> CniException.cancellation("plugin " + plugin + " was cancelled"
          + (after == null ? "" : " after " + Deadline.format(after)) + " (the calling thread was interrupted)");
    };
  }

  /** Go's {@code ProcessState.String()} for a Java exit value; 129…192 are read as death by signal. */
  static String exitText(int exitValue) {
    int sig = exitValue - 128;
    if (sig > 0 && sig <= 64) {
      return sig < SIGNALS.length ? "signal: " + SIGNALS[sig] : "signal " + sig;
    }
    return "exit status " + exitValue;
  }

  /** Go's {@code fork/exec <path>: <errno text>} for a process that could not be started. */
  static String launchErrorText(Path plugin, IOException e) {
    Throwable t = e;
    String text = null;
    while (t != null && text == null) {
      Matcher m = ERRNO.matcher(String.valueOf(t.getMessage()));
      if (m.find()) {
        text = m.group(1);
      }
      t = t.getCause();
    }
    if (text == null) {
      text = String.valueOf(e.getMessage());
    } else if (!text.isEmpty()) {
      text = text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
    return "fork/exec " + plugin + ": " + text;
  }

  /** Turns a failed run into the CniException Go's {@code pluginErr} would build. */
  static CniException pluginError(String err, byte[] stdout, byte[] stderr) {
    if (stdout.length == 0) {
      if (stderr.length == 0) {
        return new CniException(ErrorCode.UNKNOWN, "netplugin failed with no error message: " + err);
      }
      return new CniException(
          ErrorCode.UNKNOWN,
          "netplugin failed: " + GoJson.quote(new String(stderr, StandardCharsets.UTF_8)) + ": " + err);
    }
    try {
      return decodeError(GoJson.parse(stdout));
    } catch (GoJson.GoJsonException perr) {
      return new CniException(
          ErrorCode.UNKNOWN,
          "netplugin failed but error parsing its diagnostic message "
              + GoJson.quote(new String(stdout, StandardCharsets.UTF_8)) + ": " + perr.getMessage());
    }
  }

  /** Reads a plugin's {@code {code,msg,details}} as Go unmarshals it into {@code types.Error}. */
  private static CniException decodeError(JsonNode json) throws GoJson.GoJsonException {
    if (json.isNull()) {
      return new CniException(0, "");
    }
    if (!json.isObject()) {
      throw new GoJson.GoJsonException(GoJson.typeMismatch(json, "types.Error"));
    }
    long code = 0;
    String msg = "";
    String details = "";
    for (Map.Entry<String, JsonNode> f : json.properties()) {
      JsonNode v = f.getValue();
      String key = f.getKey().toLowerCase(Locale.ROOT);
      if (v.isNull()) {
        continue;
      }
      switch (key) {
        case "code" -> {
          if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > 0xffffffffL) {
            throw new GoJson.GoJsonException(
                "json: cannot unmarshal " + (v.isNumber() ? "number " + v.asText() : GoJson.typeMismatch(v, "uint")
                    .substring("json: cannot unmarshal ".length()).replaceFirst(" into .*", ""))
                    + " into Go struct field Error.code of type uint");
          }
          code = v.asLong();
        }
        case "msg", "details" -> {
          if (!v.isTextual()) {
            throw new GoJson.GoJsonException(GoJson.typeMismatch(v, "string")
                .replace("Go value of type string", "Go struct field Error." + key + " of type string"));
          }
          if (key.equals("msg")) {
            msg = v.textValue();
          } else {
            details = v.textValue();
          }
        }
        default -> {
          // Go ignores fields types.Error does not have.
        }
      }
    }
    return new CniException((int) code, msg, details);
  }
}
