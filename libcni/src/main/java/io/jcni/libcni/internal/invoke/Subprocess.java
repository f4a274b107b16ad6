package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.internal.types.ByteText;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteResultHandler;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * One way to run an external program: an argument vector (never a shell), stdin bytes, an environment, stdout and
 * stderr captured, and a {@link Deadline}; used for exec'd plugins and for the firewall programs.
 *
 * <p>When the deadline passes, or the calling thread is interrupted, the program and every process it started
 * are killed ({@link ProcessTree}) and the run ends as {@link Stopped}; after an interrupt the thread's interrupt
 * flag is set again. Once the program has exited, a process it left behind may keep the output pipes open for
 * {@link #OUTPUT_GRACE} before the output written so far is taken as complete (Go's {@code Cmd.WaitDelay}).
 * Instances are immutable; {@code with…} methods return copies.
 */
public final class Subprocess {
  /**
   * How long a process the program left behind may hold its output pipes after it exited; Commons Exec applies it
   * per pump, so the wait is at most about twice this.
   */
  public static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);

  // After a kill the pipes close at once; the bound only guards against a holder we could not see.
  private static final Duration KILL_GRACE = Duration.ofSeconds(5);

  private final List<String> argv;
  private final Map<String, String> env;
  private final byte[] stdin;
  private final OutputStream stderrSink;

  private Subprocess(List<String> argv, Map<String, String> env, byte[] stdin, OutputStream stderrSink) {
    this.argv = argv;
    this.env = env;
    this.stdin = stdin;
    this.stderrSink = stderrSink;
  }

  /** A run of {@code argv} ({@code argv[0]} a path) with this process's environment and empty stdin. */
  public static Subprocess of(List<String> argv) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty argument vector");
    }
    return new Subprocess(List.copyOf(argv), null, new byte[0], null);
  }

  /** This run with {@code env} as the program's whole environment. */
  public Subprocess withEnv(Map<String, String> env) {
    return new Subprocess(argv, Map.copyOf(env), stdin, stderrSink);
  }

  /** This run with {@code stdin} ({@code null} for none) on the program's standard input. */
  public Subprocess withStdin(byte[] stdin) {
    return new Subprocess(argv, env, stdin == null ? new byte[0] : stdin.clone(), stderrSink);
  }

  /** This run copying what the program writes on stderr to {@code sink} once it ended ({@code null}: no copy). */
  public Subprocess withStderrCopiedTo(OutputStream sink) {
    return new Subprocess(argv, env, stdin, sink);
  }

  /** How a run ended. */
  public sealed interface Outcome permits Exited, Stopped {
    /** What the program wrote on stdout (up to its end or its kill). */
    byte[] stdout();

    /** What the program wrote on stderr. */
    byte[] stderr();
  }

  /** The program exited by itself with {@code status} (Java's exit value: 128 + n for death by signal n). */
  public record Exited(int status, byte[] stdout, byte[] stderr) implements Outcome {
    @Override
    public boolean equals(Object o) {
      return o instanceof Exited e && status == e.status && Arrays.equals(stdout, e.stdout)
          && Arrays.equals(stderr, e.stderr);
    }

    @Override
    public int hashCode() {
      return Objects.hash(status, Arrays.hashCode(stdout), Arrays.hashCode(stderr));
    }

    @Override
    public String toString() {
      return "Exited[status=" + status + ", stdout=" + ByteText.of(stdout) + ", stderr=" + ByteText.of(stderr) + "]";
    }
  }

  /** The program was killed because of {@code why}; {@code after} is the deadline's budget or the time it ran. */
  public record Stopped(CniException.Stop why, Duration after, byte[] stdout, byte[] stderr) implements Outcome {
    @Override
    public boolean equals(Object o) {
      return o instanceof Stopped s && why == s.why && Objects.equals(after, s.after)
          && Arrays.equals(stdout, s.stdout) && Arrays.equals(stderr, s.stderr);
    }

    @Override
    public int hashCode() {
      return Objects.hash(why, after, Arrays.hashCode(stdout), Arrays.hashCode(stderr));
    }

    @Override
    public String toString() {
      return "Stopped[why=" + why + ", after=" + after + ", stdout=" + ByteText.of(stdout) + ", stderr="
          + ByteText.of(stderr) + "]";
    }
  }

  /**
   * Runs the program until it ends or {@code deadline} stops it. Nothing is started when the deadline has already
   * passed or the thread is already interrupted.
   *
   * @throws IOException the program could not be started (as Java words it, e.g. {@code error=2, No such file})
   */
  public Outcome run(Deadline deadline) throws IOException {
    long start = System.nanoTime();
    if (Thread.currentThread().isInterrupted()) {
      return new Stopped(CniException.Stop.CANCELLED, Duration.ZERO, new byte[0], new byte[0]);
    }
    if (deadline.isExpired()) {
      return new Stopped(CniException.Stop.TIMED_OUT, deadline.budget(), new byte[0], new byte[0]);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PumpStreamHandler streams = new PumpStreamHandler(out, err, new ByteArrayInputStream(stdin));
    streams.setStopTimeout(OUTPUT_GRACE);
    DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(streams).get();
    executor.setExitValues(null);
    ProcessTree tree = new ProcessTree();
    executor.setProcessDestroyer(tree);
    Completion done = new Completion();
    executor.execute(commandLine(), env, done);
    CniException.Stop stop = awaitOrStop(done, deadline);
    if (stop != null) {
      tree.kill();
      awaitAfterKill(done);
    }
    Process p = tree.process();
    if (p == null) {
      if (stop != null) {
        return new Stopped(stop, stopTime(stop, deadline, start), new byte[0], new byte[0]);
      }
      throw launchError(done);
    }
    byte[] stderr = err.toByteArray();
    copyStderr(stderr);
    if (stop != null) {
      return new Stopped(stop, stopTime(stop, deadline, start), out.toByteArray(), stderr);
    }
    return new Exited(p.exitValue(), out.toByteArray(), stderr);
  }

  private CommandLine commandLine() {
    CommandLine cmd = new CommandLine(argv.get(0));
    for (String arg : argv.subList(1, argv.size())) {
      cmd.addArgument(arg, false);
    }
    return cmd;
  }

  /**
   * Commons Exec's end-of-run callback as a future; the library's own {@code DefaultExecuteResultHandler} polls
   * every 50 ms, which would add up to that much to every plugin call.
   */
  private static final class Completion extends CompletableFuture<ExecuteException> implements ExecuteResultHandler {
    @Override
    public void onProcessComplete(int exitValue) {
      complete(null);
    }

    @Override
    public void onProcessFailed(ExecuteException e) {
      complete(e);
    }
  }

  /** Waits for the end of the run; returns why it must be stopped instead, or {@code null} when it ended. */
  private static CniException.Stop awaitOrStop(Completion done, Deadline deadline) {
    try {
      Duration left = deadline.remaining();
      if (left == null) {
        done.get();
      } else {
        done.get(left.toNanos(), TimeUnit.NANOSECONDS);
      }
      return null;
    } catch (TimeoutException e) {
      return CniException.Stop.TIMED_OUT;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CniException.Stop.CANCELLED;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause()); // never completed exceptionally
    }
  }

  private static void awaitAfterKill(Completion done) {
    // The caller's interrupt flag may be set; wait for the pumps without being woken by it.
    boolean interrupted = Thread.interrupted();
    try {
      done.get(KILL_GRACE.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    } catch (ExecutionException | TimeoutException e) {
      // the outputs so far are all there will be
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Duration stopTime(CniException.Stop stop, Deadline deadline, long start) {
    return stop == CniException.Stop.TIMED_OUT ? deadline.budget() : Duration.ofNanos(System.nanoTime() - start);
  }

  private static IOException launchError(Completion done) {
    ExecuteException e = done.join();
    if (e != null && e.getCause() instanceof IOException io) {
      return io;
    }
    return e != null ? e : new IOException("not started");
  }

  private void copyStderr(byte[] stderr) {
    if (stderrSink == null || stderr.length == 0) {
      return;
    }
    synchronized (stderrSink) {
      try {
        stderrSink.write(stderr);
        stderrSink.flush();
      } catch (IOException e) {
        // stderr is informational only; a broken sink must not fail the run.
      }
    }
  }
}
