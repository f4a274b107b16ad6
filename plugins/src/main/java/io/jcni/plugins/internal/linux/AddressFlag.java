package io.jcni.plugins.internal.linux;

import java.util.EnumSet;
import java.util.Set;

/** An interface address flag ({@code IFA_F_*}), named as {@code ip addr} prints it. */
public enum AddressFlag {
  /** A secondary address of its subnet ({@code IFA_F_SECONDARY}). */
  SECONDARY(0x01),
  /** No duplicate address detection ({@code IFA_F_NODAD}). */
  NODAD(0x02),
  /** Usable while DAD runs ({@code IFA_F_OPTIMISTIC}). */
  OPTIMISTIC(0x04),
  /** DAD found the address in use elsewhere ({@code IFA_F_DADFAILED}). */
  DADFAILED(0x08),
  /** A Mobile IPv6 home address ({@code IFA_F_HOMEADDRESS}). */
  HOMEADDRESS(0x10),
  /** Preferred lifetime over ({@code IFA_F_DEPRECATED}). */
  DEPRECATED(0x20),
  /** DAD still running ({@code IFA_F_TENTATIVE}). */
  TENTATIVE(0x40),
  /** Configured, not autoconfigured ({@code IFA_F_PERMANENT}). */
  PERMANENT(0x80),
  /** Privacy addresses are derived from it ({@code IFA_F_MANAGETEMPADDR}). */
  MANAGETEMPADDR(0x100),
  /** No prefix route is added for it ({@code IFA_F_NOPREFIXROUTE}). */
  NOPREFIXROUTE(0x200),
  /** Multicast group joined automatically ({@code IFA_F_MCAUTOJOIN}). */
  MCAUTOJOIN(0x400),
  /** RFC 7217 stable privacy address ({@code IFA_F_STABLE_PRIVACY}). */
  STABLE_PRIVACY(0x800);

  final int bit;

  AddressFlag(int bit) {
    this.bit = bit;
  }

  static int bits(Set<AddressFlag> flags) {
    int b = 0;
    for (AddressFlag f : flags) {
      b |= f.bit;
    }
    return b;
  }

  static Set<AddressFlag> of(int bits) {
    EnumSet<AddressFlag> s = EnumSet.noneOf(AddressFlag.class);
    for (AddressFlag f : values()) {
      if ((bits & f.bit) != 0) {
        s.add(f);
      }
    }
    return s;
  }
}
