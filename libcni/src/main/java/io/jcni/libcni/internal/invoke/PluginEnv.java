package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment an exec'd plugin runs with: this process's environment plus the six {@code CNI_*} variables of
 * the call, which win over inherited values (Go's {@code Args.AsEnv}).
 */
public final class PluginEnv {
  private PluginEnv() {}

  /** The environment for {@code command} with {@code args}, on top of this process's environment. */
  public static Map<String, String> of(Command command, CmdArgs args) {
    return of(System.getenv(), command, args);
  }

  /** The environment for {@code command} with {@code args}, on top of {@code parent}. */
  public static Map<String, String> of(Map<String, String> parent, Command command, CmdArgs args) {
    Map<String, String> env = new HashMap<>(parent);
    env.putAll(args.toEnv(command));
    return env;
  }
}
