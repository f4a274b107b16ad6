package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.Deadline;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesRules;
import java.util.List;
import java.util.Optional;

/**
 * Runs one firewall program (iptables-save/-restore, nft) as an argument vector with optional stdin and returns
 * its stdout.
 *
 * <p>The plugins never build shell command lines. {@link #host()} runs programs directly on this machine, in the
 * network namespace of the calling thread; tests wrap it to run inside a throw-away namespace.
 */
@FunctionalInterface
public interface FirewallExec {
  /**
   * Runs {@code argv} (argv[0] is a program name, looked up on {@code PATH} and in the sbin directories, or a path)
   * with {@code stdin} (may be {@code null} for none) and returns what it wrote on stdout. An interrupt of the
   * calling thread stops it (see {@link #run(List, String, Deadline)}).
   *
   * @throws FirewallCommandException if it cannot be started or exits non-zero; carries the exit status and stderr
   */
  String run(List<String> argv, String stdin) throws FirewallCommandException;

  /**
   * {@link #run(List, String)} within {@code deadline}: when it passes, or the calling thread is interrupted, the
   * program is killed and a {@link FirewallCommandException} with {@link FirewallCommandException#isTimeout()} or
   * {@link FirewallCommandException#isCancelled()} is thrown. This default only checks before starting.
   */
  default String run(List<String> argv, String stdin, Deadline deadline) throws FirewallCommandException {
    if (Thread.currentThread().isInterrupted()) {
      throw FirewallCommandException.stopped(argv, FirewallCommandException.Stop.CANCELLED, null, null, stdin);
    }
    if (deadline.isExpired()) {
      throw FirewallCommandException.stopped(argv, FirewallCommandException.Stop.TIMED_OUT, deadline.budget(), null,
          stdin);
    }
    return run(argv, stdin);
  }

  /**
   * Whether programs run on this machine in the calling thread's namespace ({@link #host()}, also bound to a
   * deadline): only then may rules be written from this process instead ({@link HostNfTables}).
   */
  default boolean runsOnHost() {
    return false;
  }

  /**
   * Commits {@code batch} (iptables-nft's encoding of iptables rules) in this executor's namespace from this
   * process, where iptables here is the checked iptables-nft ({@link HostNfTables}); false, with nothing applied,
   * when that is not possible or the kernel refused it, and the caller then runs iptables-restore.
   */
  default boolean commit(NfTablesBatch batch) {
    return false;
  }

  /**
   * The iptables table {@code table} of {@code family} read from the kernel in this executor's namespace, without
   * launching iptables-save ({@link HostNfTables}); empty when that is not possible, and the caller then runs
   * iptables-save.
   */
  default Optional<TableDump> readTable(IptablesFamily family, String table) {
    return Optional.empty();
  }

  /**
   * The rules of {@code chain} in the iptables table {@code table} of {@code family} with their nf_tables handles,
   * read from the kernel in this executor's namespace; empty when that is not possible.
   */
  default Optional<List<ListedRule>> readChain(IptablesFamily family, String table, String chain) {
    return Optional.empty();
  }

  /**
   * The rules of {@code chain} of nft's own table {@code table} of {@code family} (e.g.
   * {@link NfTablesRules#FAMILY_INET}) read from the kernel in this executor's namespace, without launching nft;
   * empty when that is not possible, and the caller then runs {@code nft -j list}.
   */
  default Optional<List<NfTablesRules.Rule>> listNftRules(int family, String table, String chain) {
    return Optional.empty();
  }

  /**
   * Commits {@code batch} of changes to nft's own tables in this executor's namespace from this process; false,
   * with nothing applied, when that is not possible or the kernel refused it, and the caller then runs nft.
   */
  default boolean commitNft(NfTablesBatch batch) {
    return false;
  }

  /**
   * The tables this executor reads and writes, as a value: executors with equal targets work on the same ones, so
   * their changes may go in one transaction ({@link TableWork}). Itself by default.
   */
  default Object target() {
    return this;
  }

  /** The deadline every command of this executor is bound by ({@link #within}); none by default. */
  default Deadline deadline() {
    return Deadline.none();
  }

  /** This executor with every command bound by {@code deadline} (the operation's, or one for undoing it). */
  default FirewallExec within(Deadline deadline) {
    return new BoundedFirewallExec(this, deadline);
  }

  /** The executor that runs programs on this machine with Commons Exec. */
  static FirewallExec host() {
    return HostFirewallExec.INSTANCE;
  }

  /**
   * The executor that runs programs on this machine inside {@code ns} (the calling thread's namespace when null),
   * honouring deadlines: a program inherits the namespace of the thread that starts it.
   */
  static FirewallExec in(NetNs ns) {
    if (ns == null) {
      return host();
    }
    return new FirewallExec() {
      @Override
      public String run(List<String> argv, String stdin) throws FirewallCommandException {
        return run(argv, stdin, Deadline.none());
      }

      @Override
      public String run(List<String> argv, String stdin, Deadline deadline) throws FirewallCommandException {
        try {
          return ns.runIn(() -> host().run(argv, stdin, deadline));
        } catch (java.io.IOException e) {
          throw new FirewallCommandException(argv, FirewallCommandException.NOT_STARTED, e.getMessage(), stdin, e);
        }
      }

      @Override
      public boolean commit(NfTablesBatch batch) {
        return HostNfTables.commitIn(ns, batch);
      }

      @Override
      public Optional<TableDump> readTable(IptablesFamily family, String table) {
        return HostNfTables.readIn(ns, family, table);
      }

      @Override
      public Optional<List<ListedRule>> readChain(IptablesFamily family, String table, String chain) {
        return HostNfTables.readChain(ns, family, table, chain);
      }

      @Override
      public Optional<List<NfTablesRules.Rule>> listNftRules(int family, String table, String chain) {
        return HostNfTables.listNative(ns, family, table, chain);
      }

      @Override
      public boolean commitNft(NfTablesBatch batch) {
        return HostNfTables.commitNativeIn(ns, batch);
      }

      @Override
      public Object target() {
        return ns;
      }
    };
  }
}
