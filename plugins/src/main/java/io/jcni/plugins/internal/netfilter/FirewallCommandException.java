package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.time.Duration;
import java.util.List;

/**
 * A firewall program that could not be started, exited non-zero, or was stopped by its deadline or an interrupt.
 *
 * <p>The message follows go-iptables ({@code running [argv]: exit status N: stderr}); the CNI code is 999 as for
 * every plain error of the Go plugins, and 11 with {@link #isTimeout()} or {@link #isCancelled()} for a stopped
 * program ({@code running [argv]: timed out after 2s}). {@link #details()} holds the script fed on stdin, if any, because
 * iptables-restore and nft report errors by its line numbers.
 */
public final class FirewallCommandException extends CniException {
  private static final long serialVersionUID = 1L;

  /** Exit status when the program never ran. */
  public static final int NOT_STARTED = -1;

  /** Exit status when the program was killed because its deadline passed or the caller was interrupted. */
  public static final int STOPPED = -2;

  private final List<String> command;
  private final int exitStatus;
  private final String stderr;

  public FirewallCommandException(List<String> command, int exitStatus, String stderr, String stdin, Throwable cause) {
    this(ErrorCode.INTERNAL.number(), render(command, exitStatus == NOT_STARTED ? "could not start" : "exit status " + exitStatus,
        stderr), command, exitStatus, stderr, stdin, cause, null);
  }

  private FirewallCommandException(int code, String msg, List<String> command, int exitStatus, String stderr,
      String stdin, Throwable cause, Stop stop) {
    super(code, msg, stdin == null ? "" : stdin, cause, stop);
    this.command = List.copyOf(command);
    this.exitStatus = exitStatus;
    this.stderr = stderr == null ? "" : stderr;
  }

  /**
   * {@code command} killed because of {@code why}; {@code after} is the deadline's budget or how long it ran
   * ({@code null} when it never started).
   */
  public static FirewallCommandException stopped(List<String> command, Stop why, Duration after, String stderr,
      String stdin) {
    String how = (why == Stop.TIMED_OUT ? "timed out" : "cancelled")
        + (after == null ? "" : " after " + Deadline.format(after));
    return new FirewallCommandException(ErrorCode.TRY_AGAIN_LATER.number(), render(command, how, stderr), command, STOPPED,
        stderr, stdin, null, why);
  }

  private static String render(List<String> command, String status, String stderr) {
    String err = stderr == null ? "" : stderr.strip();
    return "running [" + String.join(" ", command) + "]: " + status + (err.isEmpty() ? "" : ": " + err);
  }

  /** The argument vector that failed. */
  public List<String> command() {
    return command;
  }

  /** The exit status, {@link #NOT_STARTED} or {@link #STOPPED}. */
  public int exitStatus() {
    return exitStatus;
  }

  /** What the program wrote on stderr (or why it could not start). */
  public String stderr() {
    return stderr;
  }

  /** Whether nft said the table, chain or rule does not exist (ENOENT), as knftables' IsNotFound decides. */
  public boolean isNotFound() {
    return exitStatus >= 0 && stderr.contains("No such file or directory");
  }
}
