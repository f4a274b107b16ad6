package io.jcni.libcni.invoke;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A {@link PluginInvoker} that finds the plugin binary on a search path and execs it.
 *
 * <p>The search path is the runtime's ({@code CNIConfig.Path} in Go), not the {@code CNI_PATH} the plugin is
 * given in its environment, although the two are normally the same.
 */
public final class ExecInvoker implements PluginInvoker {
  private final List<String> cniPath;
  private final RawExec exec;
  private final Duration timeout;

  /** An invoker searching {@code cniPath}, running plugins with {@code exec} within the operation's deadline. */
  public ExecInvoker(List<String> cniPath, RawExec exec) {
    this(cniPath, exec, null);
  }

  /**
   * An invoker searching {@code cniPath}, running plugins with {@code exec}, each call also limited to {@code
   * timeout} ({@code null} for none) for callers that do not give an operation's deadline.
   */
  public ExecInvoker(List<String> cniPath, RawExec exec, Duration timeout) {
    this.cniPath = List.copyOf(cniPath);
    this.exec = exec;
    this.timeout = timeout;
  }

  @Override
  public byte[] invoke(Command command, String type, CmdArgs args) throws CniException {
    return invoke(command, type, args, Deadline.none());
  }

  @Override
  public byte[] invoke(Command command, String type, CmdArgs args, Deadline deadline) throws CniException {
    Path plugin = FindInPath.find(type, cniPath);
    deadline.check("plugin " + type + " to start");
    return exec.exec(plugin, args.stdinData(), PluginEnv.of(command, args), callDeadline(deadline));
  }

  /** The operation's deadline, or this invoker's per-call limit when that ends sooner. */
  private Deadline callDeadline(Deadline operation) {
    Duration left = operation.remaining();
    return timeout == null || (left != null && left.compareTo(timeout) <= 0) ? operation : Deadline.after(timeout);
  }
}
