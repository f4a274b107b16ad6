package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.internal.invoke.Subprocess;
import io.jcni.libcni.spi.Deadline;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@link FirewallExec} on this machine, each program run as a {@link Subprocess}. */
final class HostFirewallExec implements FirewallExec {
  static final HostFirewallExec INSTANCE = new HostFirewallExec();

  /** Runtimes often start plugins with a PATH lacking sbin, where iptables and nft live. */
  private static final List<String> SBIN = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

  private HostFirewallExec() {}

  @Override
  public String run(List<String> argv, String stdin) throws FirewallCommandException {
    return run(argv, stdin, Deadline.none());
  }

  @Override
  public boolean runsOnHost() {
    return true;
  }

  @Override
  public boolean commit(NfTablesBatch batch) {
    return HostNfTables.commit(batch);
  }

  @Override
  public java.util.Optional<TableDump> readTable(IptablesFamily family, String table) {
    return HostNfTables.read(family, table);
  }

  @Override
  public java.util.Optional<List<ListedRule>> readChain(IptablesFamily family, String table, String chain) {
    return HostNfTables.readChain(null, family, table, chain);
  }

  @Override
  public java.util.Optional<List<io.jcni.plugins.internal.linux.NfTablesRules.Rule>> listNftRules(int family, String table,
      String chain) {
    return HostNfTables.listNative(null, family, table, chain);
  }

  @Override
  public boolean commitNft(NfTablesBatch batch) {
    return HostNfTables.commitNative(batch);
  }

  @Override
  public String run(List<String> argv, String stdin, Deadline deadline) throws FirewallCommandException {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty argument vector");
    }
    String program = resolve(argv.get(0));
    if (program == null) {
      throw new FirewallCommandException(argv, FirewallCommandException.NOT_STARTED,
          argv.get(0) + ": executable file not found in $PATH", stdin, null);
    }
    List<String> resolved = new ArrayList<>(argv);
    resolved.set(0, program);
    Subprocess.Outcome outcome;
    try {
      outcome = Subprocess.of(resolved).withStdin(stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8))
          .run(deadline);
    } catch (IOException e) {
      throw new FirewallCommandException(argv, FirewallCommandException.NOT_STARTED, e.getMessage(), stdin, e);
    }
    String stderr = new String(outcome.stderr(), StandardCharsets.UTF_8);
    if (outcome instanceof Subprocess.Stopped stopped) {
      throw FirewallCommandException.stopped(argv, stopped.why(), stopped.after(), stderr, stdin);
    }
    int status = ((Subprocess.Exited) outcome).status();
    if (status != 0) {
      throw new FirewallCommandException(argv, status, stderr, stdin, null);
    }
    return new String(outcome.stdout(), StandardCharsets.UTF_8);
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
