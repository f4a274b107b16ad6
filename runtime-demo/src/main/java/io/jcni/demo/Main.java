package io.jcni.demo;

import io.jcni.demo.serve.Serve;
import io.jcni.demo.serve.ShimInstaller;
import io.jcni.libcni.internal.types.ErrorText;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code jcni} command line: cnitool-compatible network operations, {@code demo} and {@code bench}, and the
 * {@code serve} daemon with its shims ({@code install-plugins}).
 *
 * <p>Every failure ends as one line on stderr naming the problem and a non-zero exit status, never a stack trace.
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: jcni [-v] [--exec|--inline] [--timeout SECONDS] add|check|del <network> <netns-path>",
      "       jcni [-v] [--exec|--inline] gc|status|validate <network>",
      "       jcni version <plugin-type>",
      "       jcni list",
      "       jcni serve [--socket PATH] [--timeout SECONDS]",
      "       jcni install-plugins <dir> [--socket PATH] [--serve-cmd CMD]",
      "       jcni demo [--nodes N]",
      "       jcni bench [--pods N] [--concurrency C] [--warmup N] [--ipmasq true|false] [--mode inline|exec|both]",
      "                  [--conf FILE.conflist]... [--cap-args JSON] [--prefix NAME] [--floor] [--json]",
      "environment: NETCONFPATH (/etc/cni/net.d), CNI_PATH (/opt/cni/bin:/usr/lib/cni), CNI_IFNAME (eth0),",
      "             CNI_ARGS, CAP_ARGS (JSON), CNI_CONTAINERID (cnitool's derivation), CNI_CACHE_DIR (/var/lib/cni)",
      "-v: log every plugin operation (network, container, plugin, in-process or exec, duration) on stderr");

  private Main() {}

  public static void main(String[] args) {
    int rc;
    try {
      rc = run(args);
    } catch (CniException e) {
      System.err.println("jcni: " + e.getMessage() + " (CNI error " + e.code() + ")");
      rc = 1;
    } catch (UsageException e) {
      System.err.println("jcni: " + e.getMessage());
      System.err.println(USAGE);
      rc = 2;
    } catch (Exception e) {
      System.err.println("jcni: " + ErrorText.of(e));
      rc = 1;
    }
    System.out.flush();
    System.exit(rc);
  }

  /** Runs one command line and returns the exit status. */
  static int run(String[] argv) throws Exception {
    boolean inline = false;
    boolean verbose = false;
    Duration timeout = null;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!rest.isEmpty()) {
        rest.add(a);
      } else if (a.equals("-v") || a.equals("--verbose")) {
        verbose = true;
      } else if (a.equals("--inline")) {
        inline = true;
      } else if (a.equals("--exec")) {
        inline = false;
      } else if (a.equals("--timeout")) {
        if (i + 1 >= argv.length) {
          throw new UsageException("--timeout needs a number of seconds");
        }
        timeout = seconds(argv[++i]);
      } else if (a.equals("-h") || a.equals("--help") || a.equals("help")) {
        System.out.println(USAGE);
        return 0;
      } else if (a.startsWith("--") && rest.isEmpty()) {
        throw new UsageException("unknown option " + a);
      } else {
        rest.add(a);
      }
    }
    CliLogging.configure(verbose, System.err);
    if (rest.isEmpty()) {
      throw new UsageException("no command given");
    }
    String cmd = rest.get(0);
    List<String> ops = rest.subList(1, rest.size());
    CniTool tool = new CniTool(CliEnv.system(), inline, timeout, System.out);
    switch (cmd) {
      case "add" -> tool.add(arg(ops, 0, "network"), arg(ops, 1, "netns-path"));
      case "check" -> tool.check(arg(ops, 0, "network"), arg(ops, 1, "netns-path"));
      case "del" -> tool.del(arg(ops, 0, "network"), delNetns(ops));
      case "gc" -> tool.gc(arg(ops, 0, "network"));
      case "status" -> tool.status(arg(ops, 0, "network"));
      case "validate" -> tool.validate(arg(ops, 0, "network"));
      case "version" -> tool.version(arg(ops, 0, "plugin-type"));
      case "list" -> tool.list();
      case "serve" -> {
        try {
          return Serve.command(ops, System.err);
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
      }
      case "install-plugins" -> {
        try {
          ShimInstaller.command(ops, PluginRegistry.discover().types(), System.out);
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
      }
      case "demo" -> { return Demo.run(ops, System.out, System.err); }
      case "bench" -> Bench.command(ops, CliEnv.system(), System.out);
      default -> throw new UsageException("unknown command " + cmd);
    }
    return 0;
  }

  /**
   * The namespace of a DEL. It may be omitted (the sandbox is gone) only when CNI_CONTAINERID names the container:
   * the default container ID is derived from the namespace path, so without either the DEL would silently miss.
   */
  private static String delNetns(List<String> ops) throws UsageException {
    if (ops.size() > 1) {
      return ops.get(1);
    }
    String id = System.getenv("CNI_CONTAINERID");
    if (id == null || id.isEmpty()) {
      throw new UsageException("del needs <netns-path>, or CNI_CONTAINERID when the namespace is gone");
    }
    return "";
  }

  private static String arg(List<String> ops, int i, String what) throws UsageException {
    if (ops.size() <= i) {
      throw new UsageException("missing <" + what + ">");
    }
    return ops.get(i);
  }

  private static Duration seconds(String s) throws UsageException {
    try {
      double d = Double.parseDouble(s);
      if (d <= 0) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis((long) (d * 1000));
    } catch (NumberFormatException e) {
      throw new UsageException("--timeout wants a positive number of seconds, not " + s);
    }
  }

  /** A command line that cannot be understood. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String msg) {
      super(msg);
    }
  }
}
