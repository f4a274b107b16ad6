package io.jcni.plugins.firewall;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.List;

/**
 * A firewall program that could not be started or exited non-zero.
 *
 * <p>The message follows go-iptables ({@code running [argv]: exit status N: stderr}); the CNI code is 999 as for
 * every plain error of the Go plugins. {@link #details()} holds the script fed on stdin, if any, because
 * iptables-restore and nft report errors by its line numbers.
 */
public final class FirewallCommandException extends CniException {
  private static final long serialVersionUID = 1L;

  /** Exit status when the program never ran. */
  public static final int NOT_STARTED = -1;

  private final List<String> command;
  private final int exitStatus;
  private final String stderr;

  public FirewallCommandException(List<String> command, int exitStatus, String stderr, String stdin, Throwable cause) {
    super(ErrorCode.INTERNAL, render(command, exitStatus, stderr), stdin == null ? "" : stdin, cause);
    this.command = List.copyOf(command);
    this.exitStatus = exitStatus;
    this.stderr = stderr == null ? "" : stderr;
  }

  private static String render(List<String> command, int exitStatus, String stderr) {
    String status = exitStatus == NOT_STARTED ? "could not start" : "exit status " + exitStatus;
    String err = stderr == null ? "" : stderr.strip();
    return "running [" + String.join(" ", command) + "]: " + status + (err.isEmpty() ? "" : ": " + err);
  }

  /** The argument vector that failed. */
  public List<String> command() {
    return command;
  }

  /** The exit status, or {@link #NOT_STARTED}. */
  public int exitStatus() {
    return exitStatus;
  }

  /** What the program wrote on stderr (or why it could not start). */
  public String stderr() {
    return stderr;
  }

  /** Whether nft said the table, chain or rule does not exist (ENOENT), as knftables' IsNotFound decides. */
  public boolean isNotFound() {
    return exitStatus != NOT_STARTED && stderr.contains("No such file or directory");
  }
}
