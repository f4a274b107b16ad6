package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.invoke.PluginInvoker;
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
  private final Duration perExec;

  /** An invoker searching {@code cniPath}, running plugins with {@code exec} within the operation's deadline. */
  public ExecInvoker(List<String> cniPath, RawExec exec) {
    this(cniPath, exec, null);
  }

  /**
   * An invoker searching {@code cniPath}, running plugins with {@code exec} within the operation's deadline and
   * each run within {@code perExec} (null: no limit of its own).
   */
  public ExecInvoker(List<String> cniPath, RawExec exec, Duration perExec) {
    this.cniPath = List.copyOf(cniPath);
    this.exec = exec;
    this.perExec = perExec;
  }

  @Override
  public byte[] invoke(Command command, String type, CmdArgs args) throws CniException {
    return invoke(command, type, args, Deadline.none());
  }

  @Override
  public byte[] invoke(Command command, String type, CmdArgs args, Deadline deadline) throws CniException {
    Path plugin = FindInPath.find(type, cniPath);
    deadline.check("plugin " + type + " to start");
    Deadline run = perExec == null ? deadline : Deadline.after(deadline.limit(perExec));
    return exec.exec(plugin, args.stdinData(), PluginEnv.of(command, args), run);
  }
}
