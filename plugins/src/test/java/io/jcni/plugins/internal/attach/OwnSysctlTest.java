package io.jcni.plugins.internal.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.Sysctl;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The process-wide sysctl tree follows the namespace it was opened in, also when that namespace is gone and a new
 * one is made: the kernel reuses the inode numbers of freed namespaces, which is the identity the cache compares.
 */
@RequiresCapabilities
class OwnSysctlTest {
  private static final Set<String> TOPS = Set.of("ipv4");

  @Test
  void aNewNamespaceIsNeverServedTheTreeOfAFreedOne() throws Exception {
    String tag = "jt-osc" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 16));
    List<String> made = new ArrayList<>();
    try {
      made.add(tag + "a");
      long first;
      try (NetNs a = NetNs.create(tag + "a")) {
        first = a.inode();
        a.runIn(() -> OwnSysctl.of(a, TOPS).read("net/ipv4/ip_forward"));
      }
      NetNs.delete(tag + "a");
      made.remove(tag + "a");
      // Make namespaces until one has the freed one's number (without using the cache meanwhile), or give up: with
      // the tree's namespace held open, none can get it. Then the last one asks for its tree.
      String last = null;
      for (int i = 0; i < 40; i++) {
        last = tag + "b" + i;
        made.add(last);
        try (NetNs b = NetNs.create(last)) {
          if (b.inode() == first) {
            break;
          }
        }
        Thread.sleep(25); // lets the kernel free namespaces (cleanup_net runs later)
      }
      try (NetNs b = NetNs.open(NetNs.pathOf(last))) {
        Sysctl.write(b, "net/ipv4/ip_forward", "1");
        String seen = b.runIn(() -> OwnSysctl.of(b, TOPS).read("net/ipv4/ip_forward"));
        assertEquals("1", seen.strip(), "namespace " + b.inode() + " (the first one was " + first + ")");
      }
    } finally {
      for (String n : made) {
        NetNs.delete(n);
      }
    }
  }
}
