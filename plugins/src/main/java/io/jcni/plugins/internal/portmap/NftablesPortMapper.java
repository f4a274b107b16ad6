package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesRules;
import io.jcni.plugins.internal.netfilter.FirewallCommandException;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.NftRuleRef;
import io.jcni.plugins.internal.netfilter.NftRulesByComment;
import io.jcni.plugins.internal.netfilter.TableWork;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The nftables backend: the rules of {@link HostPortTable}. An ADD's changes to both address families are one
 * nf_tables transaction from this process ({@link HostPortBatch}); with entry conditions, which are nft rule text
 * only nft parses, or where netlink cannot be used or the kernel refuses the transaction, they are one
 * {@code nft -f -} instead. A DEL deletes the container's rules of both families by handle in one transaction from
 * this process, or where that is not possible with one {@code nft -f -} per family. DEL and CHECK find a
 * container's rules by their comment, the container id, in chains read over netlink; CHECK runs
 * {@code nft -j list chain} only where they cannot be read there or a chain lists empty (nft's error then tells a
 * missing chain).
 */
final class NftablesPortMapper implements PortMapper {
  private static final List<String> APPLY = List.of("nft", "-f", "-");
  /** A rule deleted by someone else between listing and deleting fails the batch; the second try lists afresh. */
  private static final int DELETE_ATTEMPTS = 2;

  /** The chains of both families that hold containers' rules. */
  private static final List<NftRulesByComment.Chain> CONTAINER_CHAINS = Stream
      .of(NfTablesBatch.FAMILY_IPV4, NfTablesBatch.FAMILY_IPV6)
      .flatMap(f -> HostPortTable.CONTAINER_CHAINS.stream()
          .map(c -> new NftRulesByComment.Chain(f, HostPortTable.TABLE, c)))
      .toList();

  private final FirewallExec exec;
  private final Deadline deadline;

  NftablesPortMapper(FirewallExec exec, Deadline deadline) {
    this.exec = exec;
    this.deadline = deadline;
  }

  /**
   * {@link #forward(PortMapConf, String, List)} as {@link TableWork}: together with the chain's other rule changes
   * where its messages are covered; {@code then} follows when the ADD has nothing else left that can fail.
   */
  @Override
  public void forward(PortMapConf conf, String containerId, List<IpNet> containers, TableWork.Step then,
      PluginContext ctx) throws CniException {
    TableWork.nft(exec, deadline, "hostport " + containerId, (batch, shared) -> {
      Optional<NfTablesBatch> own = HostPortBatch.forward(conf, containerId, containers);
      own.ifPresent(batch::addAll);
      return TableWork.Planned.covered(own.isPresent());
    }, () -> forward(conf, containerId, containers), then).hand(ctx);
  }

  /** {@link #unforward(PortMapConf, String)} as {@link TableWork}: the container's rules as read now. */
  @Override
  public void unforward(PortMapConf conf, String containerId, PluginContext ctx) throws CniException {
    TableWork.nft(exec, deadline, "hostport " + containerId,
        (batch, shared) -> TableWork.Planned.covered(
            NftRulesByComment.addDeletes(exec, CONTAINER_CHAINS, containerId::equals, batch)),
        () -> unforward(conf, containerId), () -> {}).hand(ctx);
  }

  @Override
  public void forward(PortMapConf conf, String containerId, List<IpNet> containers) throws CniException {
    Optional<NfTablesBatch> batch = HostPortBatch.forward(conf, containerId, containers);
    // past the deadline nft is run, and reports it, as before
    if (batch.isPresent() && !deadline.isExpired() && (batch.get().isEmpty() || exec.commitNft(batch.get()))) {
      return;
    }
    StringBuilder script = new StringBuilder();
    for (IpNet container : containers) {
      script.append(HostPortTable.forwardScript(conf, containerId, container));
    }
    try {
      exec.run(APPLY, script.toString(), deadline);
    } catch (FirewallCommandException e) {
      throw stopped(e) ? e : failure("unable to set up nftables rules for port mappings: ", e);
    }
  }

  @Override
  public void check(PortMapConf conf, String containerId, IpNet container) throws CniException {
    boolean v6 = !container.isIpv4();
    int hostPorts = HostPortTable.expectedHostPortRules(conf, v6);
    int masquerades = conf.snat() ? HostPortTable.masqSources(conf, container).size() : 0;
    if (hostPorts > 0) {
      requireRules(v6, HostPortTable.HOSTPORTS, containerId, hostPorts);
    }
    if (masquerades > 0) {
      requireRules(v6, HostPortTable.MASQUERADING, containerId, masquerades);
    }
  }

  private void requireRules(boolean v6, String chain, String containerId, int count) throws CniException {
    Optional<List<NfTablesRules.Rule>> rules = exec.listNftRules(
        v6 ? NfTablesBatch.FAMILY_IPV6 : NfTablesBatch.FAMILY_IPV4, HostPortTable.TABLE, chain);
    if (rules.isPresent()) {
      long found = rules.get().stream().filter(r -> containerId.equals(r.comment())).count();
      if (found >= count) {
        return;
      }
      if (!rules.get().isEmpty()) {
        throw missing(chain);
      }
      // an empty listing is also what a missing chain gives, for which nft's own error is the answer
    }
    String json;
    try {
      json = exec.run(List.of("nft", "-j", "list", "chain", HostPortTable.family(v6), HostPortTable.TABLE, chain),
          null, deadline);
    } catch (FirewallCommandException e) {
      throw stopped(e) ? e : failure("failed to run nft: ", e);
    }
    long found = NftRuleRef.Listing.parse(json).rules().stream()
        .filter(r -> containerId.equals(r.comment())).count();
    if (found < count) {
      throw missing(chain);
    }
  }

  private static CniException missing(String chain) {
    return new CniException(ErrorCode.INTERNAL, "missing hostport rules in \"" + chain + "\" chain");
  }

  @Override
  public void unforward(PortMapConf conf, String containerId) throws CniException {
    // both families' rules in one transaction; past the deadline nft is run, and reports it, as before
    if (!deadline.isExpired() && NftRulesByComment.delete(exec, CONTAINER_CHAINS, containerId::equals)) {
      return;
    }
    for (boolean v6 : new boolean[] {false, true}) {
      for (int attempt = 1; ; attempt++) {
        List<String> deletes = deletesFor(v6, containerId);
        if (deletes.isEmpty()) {
          break;
        }
        try {
          exec.run(APPLY, String.join("\n", deletes) + "\n", deadline);
          break;
        } catch (FirewallCommandException e) {
          if (stopped(e) || !e.isNotFound() || attempt == DELETE_ATTEMPTS) {
            throw stopped(e) ? e : failure("error deleting nftables rules: ", e);
          }
        }
      }
    }
  }

  /** The delete commands of the container's rules in one family's table; none when the table or nft is absent. */
  private List<String> deletesFor(boolean v6, String containerId) throws CniException {
    String json;
    try {
      json = exec.run(List.of("nft", "-j", "list", "table", HostPortTable.family(v6), HostPortTable.TABLE), null,
          deadline);
    } catch (FirewallCommandException e) {
      if (stopped(e)) {
        throw e;
      }
      // Go skips a family whose table is missing, or where nft cannot be used at all
      if (e.isNotFound() || e.exitStatus() == FirewallCommandException.NOT_STARTED) {
        return List.of();
      }
      throw failure("could not list rules in table " + HostPortTable.TABLE + ": failed to run nft: ", e);
    }
    List<String> deletes = new ArrayList<>();
    for (NftRuleRef r : NftRuleRef.Listing.parse(json).rules()) {
      if (HostPortTable.CONTAINER_CHAINS.contains(r.chain()) && containerId.equals(r.comment())) {
        deletes.add(r.deleteCommand());
      }
    }
    return deletes;
  }

  private static boolean stopped(FirewallCommandException e) {
    return e.isTimeout() || e.isCancelled();
  }

  /** Go's message: the prefix and nft's own error text. */
  private static CniException failure(String prefix, FirewallCommandException e) {
    String why = e.stderr().strip();
    return new CniException(ErrorCode.INTERNAL, prefix + (why.isEmpty() ? e.getMessage() : why), e.details(), e);
  }
}
