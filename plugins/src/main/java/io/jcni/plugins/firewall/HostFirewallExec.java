package io.jcni.plugins.firewall;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.PumpStreamHandler;

/** {@link FirewallExec} on this machine through Commons Exec. */
final class HostFirewallExec implements FirewallExec {
  static final HostFirewallExec INSTANCE = new HostFirewallExec();

  /** Runtimes often start plugins with a PATH lacking sbin, where iptables and nft live. */
  private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

  private HostFirewallExec() {}

  @Override
  public String run(List<String> argv, String stdin) throws FirewallCommandException {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty argument vector");
    }
    String program = resolve(argv.get(0));
    if (program == null) {
      throw new FirewallCommandException(argv, FirewallCommandException.NOT_STARTED,
          argv.get(0) + ": executable file not found in $PATH", stdin, null);
    }
    CommandLine cmd = new CommandLine(program);
    for (String arg : argv.subList(1, argv.size())) {
      cmd.addArgument(arg, false);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayInputStream in = new ByteArrayInputStream(
        stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8));
    DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(new PumpStreamHandler(out, err, in))
        .get();
    executor.setExitValues(null);
    int status;
    try {
      status = executor.execute(cmd);
    } catch (ExecuteException e) {
      status = e.getExitValue();
    } catch (IOException e) {
      throw new FirewallCommandException(argv, FirewallCommandException.NOT_STARTED, e.getMessage(), stdin, e);
    }
    if (status != 0) {
      throw new FirewallCommandException(argv, status, err.toString(StandardCharsets.UTF_8), stdin, null);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Absolute path of {@code name} from PATH, then the sbin directories; a name with a slash is taken as is. */
  static String resolve(String name) {
    if (name.contains("/")) {
      return name;
    }
    Set<String> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        if (!d.isEmpty()) {
          dirs.add(d);
        }
      }
    }
    dirs.addAll(SBIN);
    for (String d : dirs) {
      File f = new File(d, name);
      if (f.isFile() && f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
