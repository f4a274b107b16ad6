package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.Deadline;
import java.util.List;

/**
 * A firewall executor with every command bound by one operation's deadline ({@link FirewallExec#within}).
 *
 * <p>A record rather than a lambda so that code which batches the commands of several operations (the
 * iptables-restore group commit) can see the executor underneath and each caller's deadline.
 */
record BoundedFirewallExec(FirewallExec inner, Deadline deadline) implements FirewallExec {
  @Override
  public String run(List<String> argv, String stdin) throws FirewallCommandException {
    return inner.run(argv, stdin, deadline);
  }

  @Override
  public String run(List<String> argv, String stdin, Deadline other) throws FirewallCommandException {
    return inner.run(argv, stdin, other);
  }

  @Override
  public boolean runsOnHost() {
    return inner.runsOnHost();
  }

  @Override
  public boolean commit(io.jcni.plugins.internal.linux.NfTablesBatch batch) {
    return inner.commit(batch);
  }

  @Override
  public java.util.Optional<TableDump> readTable(IptablesFamily family, String table) {
    return inner.readTable(family, table);
  }

  @Override
  public java.util.Optional<java.util.List<ListedRule>> readChain(IptablesFamily family, String table,
      String chain) {
    return inner.readChain(family, table, chain);
  }

  @Override
  public java.util.Optional<java.util.List<io.jcni.plugins.internal.linux.NfTablesRules.Rule>> listNftRules(int family,
      String table, String chain) {
    return inner.listNftRules(family, table, chain);
  }

  @Override
  public boolean commitNft(io.jcni.plugins.internal.linux.NfTablesBatch batch) {
    return inner.commitNft(batch);
  }

  @Override
  public Object target() {
    return inner.target();
  }

  @Override
  public FirewallExec within(Deadline other) {
    return new BoundedFirewallExec(inner, other);
  }
}
