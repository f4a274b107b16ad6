package io.jcni.plugins.internal.tuning;

import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.Link;
import java.io.IOException;
import java.util.Map;

/**
 * One CHECK of the tuning plugin: each configured sysctl and link value must be what the container has now; the
 * messages are upstream's.
 */
final class TuningCheck {
  private final TuningConf conf;
  private final String ifName;
  private final Container c;

  TuningCheck(TuningConf conf, String ifName, Container c) {
    this.conf = conf;
    this.ifName = ifName;
    this.c = c;
  }

  void run() throws CniException {
    for (Map.Entry<String, String> e : conf.sysctl().entrySet()) {
      SysctlKey key = SysctlKey.resolve(e.getKey(), ifName);
      String current;
      try {
        current = c.sysctl.read(key.netPath());
      } catch (IOException x) {
        throw Container.internal(x.getMessage(), x);
      }
      if (!e.getValue().equals(current)) {
        throw fail("Error: Tuning configured value of " + key.file() + " is " + e.getValue()
            + ", current value is " + current);
      }
    }
    Link link;
    try {
      link = c.links.link(ifName);
    } catch (IOException x) {
      throw fail("Cannot find container link " + ifName);
    }
    if (!conf.mac().isEmpty() && !conf.mac().equals(link.mac())) {
      throw fail("Error: Tuning configured Ethernet of " + ifName + " is " + conf.mac() + ", current value is "
          + link.mac());
    }
    if (conf.promisc() != link.promisc()) {
      throw fail("Error: Tuning link " + ifName + " configured promisc is " + conf.promisc()
          + ", current value is " + (link.promisc() ? 1 : 0));
    }
    if (conf.mtu() != 0 && conf.mtu() != link.mtu()) {
      throw fail("Error: Tuning configured MTU of " + ifName + " is " + conf.mtu() + ", current value is "
          + link.mtu());
    }
    if (conf.allmulti() != null && conf.allmulti() != link.allmulti()) {
      // Upstream prints the address of its *bool here; the value is what a reader needs.
      throw fail("Error: Tuning configured all-multicast mode of " + ifName + " is " + conf.allmulti()
          + ", current value is " + link.allmulti());
    }
    if (conf.txQLen() != null && conf.txQLen() != link.txQueueLen()) {
      throw fail("Error: Tuning configured Transmit Queue Length of " + ifName + " is " + conf.txQLen()
          + ", current value is " + link.txQueueLen());
    }
  }

  private static CniException fail(String msg) {
    return Container.internal(msg);
  }
}
