package io.jcni.plugins.internal.attach;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpConfig;
import io.jcni.plugins.internal.linux.Sysctl;
import java.io.IOException;
import java.util.List;

/** Host IP forwarding for the families of an attachment's addresses (Go's {@code ip.EnableForward}). */
public final class Forwarding {
  private Forwarding() {}

  /** Turns on {@code net.ipv4.ip_forward} and/or {@code net.ipv6.conf.all.forwarding} as {@code ips} need. */
  public static void enable(Sysctl host, List<IpConfig> ips) throws CniException {
    boolean v4 = ips.stream().anyMatch(i -> i.address().isIpv4());
    boolean v6 = ips.stream().anyMatch(i -> !i.address().isIpv4());
    try {
      if (v4) {
        host.ensure("net/ipv4/ip_forward", "1");
      }
      if (v6) {
        host.ensure("net/ipv6/conf/all/forwarding", "1");
      }
    } catch (IOException e) {
      throw Failures.internal("Could not enable IP forwarding: " + Failures.v(e), e);
    }
  }
}
