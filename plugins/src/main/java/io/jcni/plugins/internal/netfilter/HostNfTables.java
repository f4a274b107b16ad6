package io.jcni.plugins.internal.netfilter;

import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesRules;
import io.jcni.plugins.internal.linux.NfTablesSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The nf_tables socket of this process's own network namespace, for writing iptables-nft rules without launching
 * iptables ({@link IptablesNftBatch}), and the kernel reads of iptables-nft's tables that replace iptables-save
 * ({@link #read}, {@link #readChain}).
 *
 * <p>Only there: other namespaces (tests', or a caller's that entered one) come and go, and the socket would keep
 * theirs alive; and it is kept open for the life of the process because closing it waits for an RCU grace period
 * (see {@link NfTablesSocket}). Only when this machine's iptables and ip6tables are {@value #CHECKED_VERSION}
 * ({@code iptables -V}, {@code ip6tables -V}): iptables-legacy keeps its rules elsewhere, and the encoding was checked byte for
 * byte against that version only (older versions wrote and read address prefixes differently); with any other,
 * iptables-restore does the work. Decided once per process.
 */
final class HostNfTables {
  private static final Object LOCK = new Object();
  private static NfTablesSocket socket; // guarded by LOCK; opened on first use
  private static boolean socketFailed; // guarded by LOCK
  private static Boolean iptablesNft; // guarded by LOCK; null until asked

  private HostNfTables() {}

  /**
   * Commits {@code batch} when the calling thread is in the process's own namespace and iptables here is
   * iptables-nft; false, with nothing applied, when it is not used or the kernel refused it (e.g. the chain exists,
   * or the nat table has no POSTROUTING chain yet), and the caller then goes the iptables-restore way.
   */
  static boolean commit(NfTablesBatch batch) {
    return isUsable() && commitNative(batch);
  }

  /**
   * Commits {@code batch} of nft's own tables (not iptables-nft's, so whatever iptables is here) when the calling
   * thread is in the process's own namespace; false, with nothing applied, otherwise or when the kernel refused it.
   */
  static boolean commitNative(NfTablesBatch batch) {
    NfTablesSocket s = socketForThisThread();
    if (s == null) {
      return false;
    }
    try {
      s.commit(batch);
      return true;
    } catch (ErrnoException e) {
      return false;
    }
  }

  /** {@link #commitNative} in {@code ns} on a socket opened for it and closed after. */
  static boolean commitNativeIn(NetNs ns, NfTablesBatch batch) {
    try {
      return ns.runIn(() -> {
        try (NfTablesSocket s = NfTablesSocket.openHere()) {
          s.commit(batch);
          return true;
        }
      });
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The rules of {@code chain} of nft's table {@code table} of {@code family}, in {@code ns} (the calling thread's
   * namespace when null and it is the process's own); empty when not possible, none when the table or chain does
   * not exist.
   */
  static Optional<List<NfTablesRules.Rule>> listNative(NetNs ns, int family, String table, String chain) {
    if (ns == null && !inOwnNamespace()) {
      return Optional.empty();
    }
    try {
      return Optional.of(inPlace(ns, () -> NfTablesRules.list(family, table, chain)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Commits {@code batch} in {@code ns} (a namespace other than the process's, e.g. a test's "host") on a socket
   * opened for it and closed after, when iptables here is iptables-nft; false, with nothing applied, otherwise.
   * Closing the socket waits for an RCU grace period, so this costs some milliseconds that {@link #commit} saves.
   */
  static boolean commitIn(NetNs ns, NfTablesBatch batch) {
    return isUsable() && commitNativeIn(ns, batch);
  }

  /**
   * The table {@code table} of {@code family} read from the kernel (chain names now, each chain's rules when first looked at)
   * when the calling thread is in the process's own namespace and iptables here is iptables-nft; empty otherwise,
   * and the caller then runs iptables-save.
   */
  static Optional<TableDump> read(IptablesFamily family, String table) {
    if (!inOwnNamespace() || !isUsable()) {
      return Optional.empty();
    }
    return read(family, table, null);
  }

  /** {@link #read(IptablesFamily, String)} in {@code ns}, each read entering it. */
  static Optional<TableDump> readIn(NetNs ns, IptablesFamily family, String table) {
    if (!isUsable()) {
      return Optional.empty();
    }
    return read(family, table, ns);
  }

  /** Reads in {@code ns}, or in the calling thread's namespace when null. */
  private static Optional<TableDump> read(IptablesFamily family, String table, NetNs place) {
    try {
      List<String> chains = inPlace(place, () -> NfTablesRules.chains(family.nfproto, table));
      return Optional.of(TableDump.lazy(chains, chain -> {
        try {
          return listChain(place, family, table, chain).stream().map(ListedRule::rule).toList();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The rules of {@code chain} of the table {@code table} of {@code family} with their handles, read in {@code ns}
   * (the calling thread's namespace when null and it is the process's own); empty when not possible.
   */
  static Optional<List<ListedRule>> readChain(NetNs ns, IptablesFamily family, String table, String chain) {
    if (ns == null && !inOwnNamespace() || !isUsable()) {
      return Optional.empty();
    }
    try {
      return Optional.of(listChain(ns, family, table, chain));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static List<ListedRule> listChain(NetNs ns, IptablesFamily family, String table, String chain)
      throws IOException {
    return inPlace(ns, () -> NfTablesRules.list(family.nfproto, table, chain)).stream()
        .map(r -> IptablesNftDecoder.decode(family, r)).toList();
  }

  private static <T> T inPlace(NetNs ns, NetNs.Body<T, IOException> body) throws IOException {
    return ns != null ? ns.runIn(body) : body.call();
  }

  private static boolean inOwnNamespace() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))
          .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static boolean isUsable() {
    synchronized (LOCK) {
      if (iptablesNft == null) {
        iptablesNft = iptablesIsNft();
      }
      return iptablesNft;
    }
  }

  private static NfTablesSocket socketForThisThread() {
    if (!inOwnNamespace()) {
      return null;
    }
    synchronized (LOCK) {
      if (socket == null && !socketFailed) {
        try {
          socket = NfTablesSocket.openHere();
        } catch (ErrnoException e) {
          socketFailed = true;
        }
      }
      return socket;
    }
  }

  static final String CHECKED_VERSION = "v1.8.9 (nf_tables)";

  /** Both families' programs: iptables and ip6tables are separate alternatives (legacy or nft) on Debian. */
  private static boolean iptablesIsNft() {
    try {
      for (IptablesFamily f : IptablesFamily.values()) {
        if (!FirewallExec.host().run(List.of(f.iptables, "-V"), null).strip()
            .equals(f.iptables + " " + CHECKED_VERSION)) {
          return false;
        }
      }
      return true;
    } catch (FirewallCommandException e) {
      return false;
    }
  }
}
