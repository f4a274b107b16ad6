package io.jcni.plugins.internal.hostlocal;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;
import java.util.Set;

/**
 * Hands out addresses of one range set from a {@link Store}: a requested address, or the next free one
 * round-robin. Every operation holds the store lock, so Go processes, other jcni processes and other threads
 * never get the same address.
 */
public final class Allocator {
  private final RangeSet set;
  private final Store store;
  private final int rangeId;

  /**
   * @param set a canonical range set
   * @param rangeId the set's index in the configuration, the {@code N} of {@code last_reserved_ip.N}
   */
  public Allocator(RangeSet set, Store store, int rangeId) {
    this.set = set;
    this.store = store;
    this.rangeId = rangeId;
  }

  /**
   * Reserves an address for {@code id}/{@code ifname}: {@code requested} if not null, else the next free one.
   *
   * @return the address with its subnet's prefix length and its range's gateway (no interface index)
   */
  public IpConfig get(String id, String ifname, InetAddress requested) throws CniException {
    try (Store.Lock lock = store.lock()) {
      if (requested != null) {
        return getRequested(id, ifname, requested);
      }
      for (InetAddress taken : store.getById(id, ifname)) {
        if (set.contains(taken)) {
          throw allocationError(
              Ips.format(taken) + " has been allocated to " + id + ", duplicate allocation is not allowed");
        }
      }
      // Go tries each address with an exclusive create, which fails on every one already taken: O(pods) failed
      // syscalls per ADD on a full range, or when another range set moved last_reserved_ip away. Names the store
      // holds are skipped instead; anything else (a directory, a symlink) still meets the exclusive create.
      Set<String> files = store.fileNames();
      RangeIterator it = RangeIterator.startingAfter(set, store.lastReservedIp(rangeId).orElse(null));
      for (RangeIterator.Candidate c = it.next(); c != null; c = it.next()) {
        if (files.contains(Ips.format(c.ip()))) {
          continue;
        }
        if (store.reserve(id, ifname, c.ip(), rangeId)) {
          return ipConfig(c.ip(), c.range());
        }
      }
      throw allocationError("no IP addresses available in range set: " + set);
    }
  }

  private IpConfig getRequested(String id, String ifname, InetAddress ip) throws CniException {
    Range r = set.rangeFor(ip);
    if (ip.equals(r.gateway())) {
      throw allocationError("requested ip " + Ips.format(ip) + " is subnet's gateway");
    }
    if (!store.reserve(id, ifname, ip, rangeId)) {
      throw allocationError(
          "requested IP address " + Ips.format(ip) + " is not available in range set " + set);
    }
    return ipConfig(ip, r);
  }

  /** Releases everything owned by {@code id}/{@code ifname} (with upstream's legacy id-only fallback). */
  public void release(String id, String ifname) throws CniException {
    try (Store.Lock lock = store.lock()) {
      store.releaseById(id, ifname);
    }
  }

  /** The range set this allocator serves. */
  public RangeSet rangeSet() {
    return set;
  }

  private static IpConfig ipConfig(InetAddress ip, Range r) {
    return new IpConfig(null, new IpNet(ip, r.subnet().prefixLength()), r.gateway());
  }

  // Upstream returns these as plain errors (code 999 through skel); no spec code describes "pool exhausted" better.
  private static CniException allocationError(String msg) {
    return new CniException(ErrorCode.INTERNAL, msg);
  }
}
