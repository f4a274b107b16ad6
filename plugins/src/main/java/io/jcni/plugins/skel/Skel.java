package io.jcni.plugins.skel;

import io.jcni.libcni.internal.invoke.DispatchingInvoker;
import io.jcni.libcni.internal.invoke.ExecInvoker;
import io.jcni.libcni.internal.invoke.RawExec;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.spi.SkelChecks;
import io.jcni.libcni.internal.types.ErrorText;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.version.PluginInfo;
import io.jcni.libcni.version.Versions;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an in-process {@link CniPlugin} as a CNI plugin executable, the counterpart of Go's {@code pkg/skel}.
 *
 * <p>It reads the {@code CNI_*} environment and stdin, applies skel's checks in skel's order (required variables,
 * network name, container id, interface name, version gates), calls the plugin, and prints the result or the
 * error JSON on stdout with exit status 1 — so a runtime that can only exec plugins sees no difference from a Go
 * binary. Plugins run this way delegate (to their IPAM) in-process when the delegate's type is in the registry
 * they run with, and by exec'ing it from {@code CNI_PATH} otherwise. {@code jcni serve} runs each request it
 * receives through {@link #run(CniPlugin, PluginRegistry, Deadline, Map, InputStream, OutputStream, OutputStream)}.
 */
public final class Skel {
  /** The environment variable naming the plugin type when no argument does. */
  public static final String PLUGIN_ENV = "JCNI_PLUGIN";


  private static final List<String> VARS =
      List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH");
  private static final Map<String, Set<String>> REQUIRED_FOR =
      Map.of(
          "CNI_CONTAINERID", Set.of("ADD", "CHECK", "DEL"),
          "CNI_NETNS", Set.of("ADD", "CHECK"),
          "CNI_IFNAME", Set.of("ADD", "CHECK", "DEL"),
          "CNI_ARGS", Set.of(),
          "CNI_PATH", Set.of("ADD", "CHECK", "DEL", "GC", "STATUS"));

  private Skel() {}

  /**
   * The executable's entry point: {@code args[0]} (or {@code $JCNI_PLUGIN}) names the plugin type, found among
   * the {@link CniPlugin} services on the class path. Exits with the status of {@link #run}.
   */
  public static void main(String[] args) {
    String type = args.length > 0 ? args[0] : System.getenv(PLUGIN_ENV);
    PluginRegistry registry = PluginRegistry.discover();
    CniPlugin plugin = type == null || type.isEmpty() ? null : registry.lookup(type).orElse(null);
    if (plugin == null) {
      String msg = type == null || type.isEmpty()
          ? "no plugin type: pass it as the first argument or in " + PLUGIN_ENV
          : "no in-process plugin of type \"" + type + "\"";
      printError(new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES, msg), System.out);
      System.exit(1);
    }
    System.exit(run(plugin, registry, Deadline.none(), System.getenv(), System.in, System.out, System.err));
  }

  /**
   * Runs one command of {@code plugin} as an executable would, with {@code env} as its environment; delegations
   * to other types are exec'd.
   *
   * @return the exit status: 0 on success, 1 after printing an error
   */
  public static int run(
      CniPlugin plugin, Map<String, String> env, InputStream stdin, OutputStream stdout, OutputStream stderr) {
    return run(plugin, PluginRegistry.empty(), Deadline.none(), env, stdin, stdout, stderr);
  }

  /**
   * Runs one command of {@code plugin} as an executable would, with {@code env} as its environment, within
   * {@code deadline}; a delegation runs in-process when {@code registry} holds its type.
   *
   * @return the exit status: 0 on success, 1 after printing an error
   */
  public static int run(CniPlugin plugin, PluginRegistry registry, Deadline deadline, Map<String, String> env,
      InputStream stdin, OutputStream stdout, OutputStream stderr) {
    PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
    try {
      dispatch(plugin, registry, deadline, env, stdin, out, err);
      out.flush();
      return 0;
    } catch (CniException e) {
      printError(e, out);
      return 1;
    } catch (RuntimeException e) {
      printError(new CniException(ErrorCode.INTERNAL, ErrorText.of(e), "", e), out);
      return 1;
    }
  }

  private static void dispatch(CniPlugin plugin, PluginRegistry registry, Deadline deadline,
      Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err) throws CniException {
    String cmd = env.getOrDefault("CNI_COMMAND", "");
    List<String> missing = new ArrayList<>();
    for (String v : VARS) {
      if (env.getOrDefault(v, "").isEmpty()
          && (v.equals("CNI_COMMAND") || REQUIRED_FOR.get(v).contains(cmd))) {
        missing.add(v);
      }
    }
    if (!missing.isEmpty()) {
      if (cmd.isEmpty()) {
        // Run by hand with no command: say what this is, as Go plugins print their "about" string.
        err.println("CNI " + plugin.type() + " plugin (jcni)");
        err.println("CNI protocol versions supported: " + String.join(", ", plugin.supportedVersions()));
        return;
      }
      throw new CniException(
          ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "required env variables [" + String.join(",", missing) + "] missing");
    }
    PluginInfo info = new PluginInfo(Versions.CURRENT, plugin.supportedVersions());
    if (cmd.equals("VERSION")) {
      out.write(info.encode(), 0, info.encode().length);
      return;
    }
    byte[] stdinData;
    try {
      stdinData = stdin.readAllBytes();
    } catch (IOException e) {
      throw new CniException(ErrorCode.IO_FAILURE, "error reading from stdin: " + ErrorText.of(e));
    }
    CmdArgs args =
        new CmdArgs(
            env.getOrDefault("CNI_CONTAINERID", ""),
            env.getOrDefault("CNI_NETNS", ""),
            env.getOrDefault("CNI_IFNAME", ""),
            env.getOrDefault("CNI_ARGS", ""),
            splitPath(env.getOrDefault("CNI_PATH", "")),
            stdinData);
    Command command = Command.parse(cmd).orElse(null);
    SkelChecks.check(command, args, info);
    if (command == null) {
      throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES, "unknown CNI_COMMAND: " + cmd);
    }
    PluginContext ctx = delegation(registry, args.path(), err).context(deadline);
    switch (command) {
      case ADD -> {
        byte[] result = plugin.add(args, ctx);
        out.write(result, 0, result.length);
      }
      case DEL -> plugin.del(args, ctx);
      case CHECK -> plugin.check(args, ctx);
      case GC -> plugin.gc(args, ctx);
      case STATUS -> plugin.status(args, ctx);
      case VERSION -> { }
    }
  }

  private static List<String> splitPath(String path) {
    return path.isEmpty() ? List.of() : Arrays.asList(path.split(File.pathSeparator, -1));
  }

  /**
   * Delegation from a skel-run plugin: in-process for a type in {@code registry}, otherwise the delegate type
   * exec'd from {@code CNI_PATH}, as Go's invoke.Delegate*; an exec'd delegate's stderr goes to {@code err}.
   */
  private static DispatchingInvoker delegation(PluginRegistry registry, List<String> cniPath, PrintStream err) {
    return new DispatchingInvoker(registry, type -> true, new ExecInvoker(cniPath, new RawExec(err)));
  }

  private static void printError(CniException e, PrintStream out) {
    byte[] b = GoJson.indented(e.toJson());
    out.write(b, 0, b.length);
    out.flush();
  }
}
