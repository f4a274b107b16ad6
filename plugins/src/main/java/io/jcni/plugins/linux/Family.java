package io.jcni.plugins.linux;

/** An address family filter for address and route listings. */
public enum Family {
  /** Both IPv4 and IPv6. */
  ANY(Kernel.AF_UNSPEC),
  /** IPv4 ({@code AF_INET}). */
  IPV4(Kernel.AF_INET),
  /** IPv6 ({@code AF_INET6}). */
  IPV6(Kernel.AF_INET6);

  final int af;

  Family(int af) {
    this.af = af;
  }

  static Family of(int af) {
    return af == Kernel.AF_INET ? IPV4 : af == Kernel.AF_INET6 ? IPV6 : ANY;
  }
}
