package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import java.util.ArrayList;
import java.util.List;

/** CIDR literals of the tests as {@link IpNet}s. */
final class Cidrs {
  private Cidrs() {}

  static IpNet one(String cidr) {
    try {
      return IpNet.parse(cidr);
    } catch (CniException e) {
      throw new AssertionError(cidr, e);
    }
  }

  static List<IpNet> of(String... cidrs) {
    return of(List.of(cidrs));
  }

  static List<IpNet> of(List<String> cidrs) {
    List<IpNet> out = new ArrayList<>();
    cidrs.forEach(c -> out.add(one(c)));
    return out;
  }
}
