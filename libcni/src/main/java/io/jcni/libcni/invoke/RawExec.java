package io.jcni.libcni.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.GoJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * One run of a plugin binary with the CNI exec protocol: stdin in, stdout back, stderr captured, failures decoded
 * exactly as Go's {@code invoke.RawExec} decodes them.
 *
 * <p>A failed run becomes a {@link CniException}: the plugin's own {@code {code,msg,details}} when it printed one,
 * otherwise code 0 with {@code netplugin failed with no error message: <err>}, {@code netplugin failed:
 * "<stderr>": <err>} or {@code netplugin failed but error parsing its diagnostic message "<out>": <perr>}, where
 * {@code <err>} is worded like Go's ({@code exit status 1}, {@code signal: killed}, {@code fork/exec P: …}).
 *
 * <p>A timeout, or interrupting the calling thread, kills the plugin and every process it started (SIGKILL), so
 * a plugin's helpers cannot outlive it or hold its output pipes open; the call then fails with the
 * no-error-message error, as Go's does when its context ends. An exec that fails with {@code text file busy}
 * (a plugin binary being replaced while we start it) is retried up to six times one second apart, each time with
 * a fresh process. A plugin that exits but leaves a daemon holding its stdout open is not waited for beyond a
 * few seconds; the output it wrote is used. Whatever the plugin wrote to stderr is copied to the configured sink
 * (also when it failed). Instances are thread-safe.
 */
public final class RawExec {
  /** How many times an exec failing with {@code text file busy} is attempted, as in Go. */
  public static final int TEXT_FILE_BUSY_TRIES = 6;

  private static final Duration TEXT_FILE_BUSY_PAUSE = Duration.ofSeconds(1);
  // After a kill the pipes close at once; the bound only guards against a grandchild we could not see.
  private static final Duration KILL_GRACE = Duration.ofSeconds(5);
  // Once the plugin has exited, how long a process it left behind may keep its output pipes open (Go's
  // Cmd.WaitDelay; Commons Exec applies it per pump, so the total is about twice this); libcni sets none and
  // then waits forever.
  private static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);
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
   * @param timeout how long the plugin may run (across text-file-busy retries); {@code null}, zero or negative
   *     for no limit
   * @throws CniException the plugin's error, or one describing how it failed (see the class comment)
   */
  public byte[] exec(Path plugin, byte[] stdin, Map<String, String> env, Duration timeout) throws CniException {
    long deadline = timeout == null || timeout.isZero() || timeout.isNegative()
        ? Long.MAX_VALUE
        : System.nanoTime() + timeout.toNanos();
    if (Thread.currentThread().isInterrupted()) {
      // Go does not start a command whose context is already done.
      throw pluginError("context canceled", new byte[0], new byte[0]);
    }
    for (int attempt = 1; ; attempt++) {
      Run run = runOnce(plugin, stdin == null ? new byte[0] : stdin, env, deadline);
      if (run.launchError != null) {
        String err = launchErrorText(plugin, run.launchError);
        if (err.endsWith("text file busy") && attempt < TEXT_FILE_BUSY_TRIES) {
          pause(deadline);
          continue;
        }
        throw pluginError(err, new byte[0], new byte[0]);
      }
      forwardStderr(run.stderr);
      if (run.cancelReason == null && run.exitValue == 0) {
        return run.stdout;
      }
      String err = run.cancelReason != null ? "signal: killed" : exitText(run.exitValue);
      throw pluginError(err, run.stdout, run.stderr);
    }
  }

  private void pause(long deadline) throws CniException {
    long wait = Math.min(busyPause.toNanos(), deadline - System.nanoTime());
    if (wait <= 0) {
      throw pluginError("context deadline exceeded", new byte[0], new byte[0]);
    }
    try {
      TimeUnit.NANOSECONDS.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw pluginError("context canceled", new byte[0], new byte[0]);
    }
  }

  private void forwardStderr(byte[] stderr) {
    if (stderrSink == null || stderr.length == 0) {
      return;
    }
    synchronized (stderrSink) {
      try {
        stderrSink.write(stderr);
        stderrSink.flush();
      } catch (IOException e) {
        // stderr is informational only; a broken sink must not fail the plugin call.
      }
    }
  }

  /** The outcome of one process start: either a launch error or the exit value and both outputs. */
  private static final class Run {
    IOException launchError;
    int exitValue;
    String cancelReason;
    byte[] stdout = new byte[0];
    byte[] stderr = new byte[0];
  }

  /** A DefaultExecutor that hands out the Process it started, so a timeout can kill the whole tree. */
  private static final class TreeKillingExecutor extends DefaultExecutor {
    final AtomicReference<Process> process = new AtomicReference<>();
    final AtomicReference<IOException> launchError = new AtomicReference<>();
    final AtomicBoolean cancelled = new AtomicBoolean();

    @SuppressWarnings("deprecation")
    TreeKillingExecutor() {
      super();
    }

    @Override
    protected Process launch(CommandLine command, Map<String, String> env, Path dir) throws IOException {
      return started(() -> super.launch(command, env, dir));
    }

    @Override
    protected Process launch(CommandLine command, Map<String, String> env, File dir) throws IOException {
      return started(() -> super.launch(command, env, dir));
    }

    private interface Launch {
      Process get() throws IOException;
    }

    private Process started(Launch launch) throws IOException {
      Process p;
      try {
        p = launch.get();
      } catch (IOException e) {
        launchError.compareAndSet(null, e);
        throw e;
      }
      process.set(p);
      if (cancelled.get()) {
        killTree(p);
      }
      return p;
    }

    void cancel() {
      cancelled.set(true);
      Process p = process.get();
      if (p != null) {
        killTree(p);
      }
    }
  }

  private static void killTree(Process p) {
    // Descendants must be listed before the parent dies: orphans are re-parented and leave its tree.
    List<ProcessHandle> children = p.descendants().toList();
    p.destroyForcibly();
    for (ProcessHandle c : children) {
      c.destroyForcibly();
    }
  }

  private static Run runOnce(Path plugin, byte[] stdin, Map<String, String> env, long deadline) {
    Run run = new Run();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    TreeKillingExecutor executor = new TreeKillingExecutor();
    PumpStreamHandler streams = new PumpStreamHandler(out, err, new ByteArrayInputStream(stdin));
    streams.setStopTimeout(OUTPUT_GRACE);
    executor.setStreamHandler(streams);
    executor.setExitValues(null);
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Integer> exit = new AtomicReference<>();
    ExecuteResultHandler handler = new ExecuteResultHandler() {
      @Override
      public void onProcessComplete(int exitValue) {
        exit.set(exitValue);
        done.countDown();
      }

      @Override
      public void onProcessFailed(ExecuteException e) {
        exit.set(e.getExitValue());
        done.countDown();
      }
    };
    boolean interrupted = false;
    try {
      executor.execute(new CommandLine(plugin.toString()), env, handler);
      boolean finished;
      try {
        long left = deadline - System.nanoTime();
        finished = deadline == Long.MAX_VALUE ? await(done) : done.await(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (!finished) {
          run.cancelReason = "timeout";
        }
      } catch (InterruptedException e) {
        interrupted = true;
        finished = false;
        run.cancelReason = "interrupted";
      }
      if (!finished) {
        executor.cancel();
        awaitUninterruptibly(done, KILL_GRACE);
      }
    } catch (IOException e) {
      executor.launchError.compareAndSet(null, e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    run.launchError = executor.launchError.get();
    if (run.launchError != null) {
      return run;
    }
    Process p = executor.process.get();
    if (p != null && !p.isAlive()) {
      run.exitValue = p.exitValue();
    } else if (exit.get() != null) {
      run.exitValue = exit.get();
    } else {
      run.exitValue = -1;
    }
    run.stdout = out.toByteArray();
    run.stderr = err.toByteArray();
    return run;
  }

  private static boolean await(CountDownLatch latch) throws InterruptedException {
    latch.await();
    return true;
  }

  private static void awaitUninterruptibly(CountDownLatch latch, Duration max) {
    long end = System.nanoTime() + max.toNanos();
    boolean interrupted = false;
    while (true) {
      try {
        latch.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
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
