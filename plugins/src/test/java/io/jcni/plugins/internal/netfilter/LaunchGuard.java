package io.jcni.plugins.internal.netfilter;

import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FirewallExec} in a test namespace that records every program launch and, once {@linkplain #forbid()
 * forbidden}, refuses them: the launch fails with an {@link AssertionError} and stays in {@link #forbidden()}, so
 * a test fails even where the code under test would have caught the failure. Kernel reads and nf_tables commits go
 * to the namespace from this process as {@link FirewallExec#in} does them; the transactions committed are counted.
 */
public final class LaunchGuard implements FirewallExec {
  private final FirewallExec inner;
  private final List<String> launched = Collections.synchronizedList(new ArrayList<>());
  private final List<String> forbidden = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger commits = new AtomicInteger();
  private volatile boolean forbid;

  public LaunchGuard(NetNs ns) {
    this.inner = FirewallExec.in(ns);
  }

  /** From now on, any launch is a test failure (after warm-up: backend detection, version checks). */
  public LaunchGuard forbid() {
    forbid = true;
    return this;
  }

  /** The argument vectors launched so far, each joined by spaces. */
  public List<String> launched() {
    return List.copyOf(launched);
  }

  /** The launches attempted after {@link #forbid()}; a test asserts this is empty. */
  public List<String> forbidden() {
    return List.copyOf(forbidden);
  }

  /** How many nf_tables transactions were committed so far (iptables-nft's encoding and nft's own tables). */
  public int commits() {
    return commits.get();
  }

  @Override
  public String run(List<String> argv, String stdin) throws FirewallCommandException {
    String line = String.join(" ", argv);
    if (forbid) {
      forbidden.add(line);
      throw new AssertionError("program launched after warm-up: " + line);
    }
    launched.add(line);
    return inner.run(argv, stdin);
  }

  @Override
  public boolean commit(NfTablesBatch batch) {
    return counted(inner.commit(batch));
  }

  @Override
  public Optional<TableDump> readTable(IptablesFamily family, String table) {
    return inner.readTable(family, table);
  }

  @Override
  public Optional<List<ListedRule>> readChain(IptablesFamily family, String table, String chain) {
    return inner.readChain(family, table, chain);
  }

  @Override
  public Optional<List<NfTablesRules.Rule>> listNftRules(int family, String table, String chain) {
    return inner.listNftRules(family, table, chain);
  }

  @Override
  public boolean commitNft(NfTablesBatch batch) {
    return counted(inner.commitNft(batch));
  }

  private boolean counted(boolean committed) {
    if (committed) {
      commits.incrementAndGet();
    }
    return committed;
  }
}
