package io.jcni.plugins.internal.linux;

import com.google.common.net.InetAddresses;
import io.jcni.libcni.types.IpNet;
import java.net.InetAddress;

/** An address family filter for address and route listings. */
public enum Family {
  /** Both IPv4 and IPv6. */
  ANY(Kernel.AF_UNSPEC),
  /** IPv4 ({@code AF_INET}). */
  IPV4(Kernel.AF_INET),
  /** IPv6 ({@code AF_INET6}). */
  IPV6(Kernel.AF_INET6);

  private static final InetAddress ANY4 = InetAddresses.forString("0.0.0.0");
  private static final InetAddress ANY6 = InetAddresses.forString("::");

  final int af;

  Family(int af) {
    this.af = af;
  }

  /** The whole address space of this family, {@code 0.0.0.0/0} or {@code ::/0}: a default route's destination. */
  public IpNet wholeSpace() {
    if (this == ANY) {
      throw new IllegalStateException("no single address space for family " + this);
    }
    return IpNet.of(this == IPV4 ? ANY4 : ANY6, 0);
  }

  static Family of(int af) {
    return af == Kernel.AF_INET ? IPV4 : af == Kernel.AF_INET6 ? IPV6 : ANY;
  }
}
