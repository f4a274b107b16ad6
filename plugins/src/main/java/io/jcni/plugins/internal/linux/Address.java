package io.jcni.plugins.internal.linux;

import io.jcni.libcni.types.IpNet;
import java.util.Set;

/**
 * An address on an interface ({@code RTM_NEWADDR}).
 *
 * @param index the interface's ifindex
 * @param prefix the address with its prefix length
 * @param flags the address flags (tentative while IPv6 DAD runs, dadfailed after a duplicate was found, …)
 * @param scope the scope ({@link Route#SCOPE_UNIVERSE}, {@link Route#SCOPE_LINK}, {@link Route#SCOPE_HOST})
 */
public record Address(int index, IpNet prefix, Set<AddressFlag> flags, int scope) {
  /** Copies {@code flags}, so the record stays immutable. */
  public Address {
    flags = Set.copyOf(flags);
  }

  /** Whether duplicate address detection is still running. */
  public boolean tentative() {
    return flags.contains(AddressFlag.TENTATIVE);
  }

  /** Whether duplicate address detection found the address in use elsewhere. */
  public boolean dadFailed() {
    return flags.contains(AddressFlag.DADFAILED);
  }
}
