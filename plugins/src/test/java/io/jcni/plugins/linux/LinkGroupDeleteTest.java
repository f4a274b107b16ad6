package io.jcni.plugins.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Concurrent deletions of veth pairs through one {@link LinkGroupDelete}: each caller returns with its pair gone
 * (iproute2 shows neither end), links nobody asked to delete stay, and a missing link is NOT_FOUND.
 */
@RequiresCapabilities
class LinkGroupDeleteTest {
  private static final int PAIRS = 8;

  @Test
  void concurrentCallersEachReturnWithTheirPairGoneAndNothingElse() throws Exception {
    List<TestNetns> made = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(PAIRS);
    try {
      TestNetns host = TestNetns.create("lgd");
      made.add(host);
      List<TestNetns> pods = new ArrayList<>();
      for (int i = 0; i < PAIRS; i++) {
        TestNetns pod = TestNetns.create("lgdp");
        made.add(pod);
        pods.add(pod);
        host.ip("link", "add", "jt-h" + i, "type", "veth", "peer", "name", "eth0", "netns", pod.name());
      }
      host.ip("link", "add", "jt-keep", "type", "veth", "peer", "name", "jt-keep1");
      host.ip("link", "set", "jt-keep", "group", "7");

      LinkGroupDelete deletes = new LinkGroupDelete();
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      try (NetNs hostNs = NetNs.open(Path.of(host.path()))) {
        for (int i = 0; i < PAIRS; i++) {
          int index = Oracle.link(host.name(), "jt-h" + i).get("ifindex").asInt();
          String name = "jt-h" + i;
          TestNetns pod = pods.get(i);
          done.add(pool.submit(() -> {
            // every worker has its own socket, as every DEL has
            try (RtNetlink rt = RtNetlink.open(hostNs)) {
              start.await();
              deletes.delete(rt, index);
              // gone when delete returns, both ends
              assertFalse(Oracle.hasLink(host.name(), name), name);
              assertFalse(Oracle.hasLink(pod.name(), "eth0"), pod.name() + " eth0");
            }
            return null;
          }));
        }
        start.countDown();
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertTrue(Oracle.hasLink(host.name(), "jt-keep"), "a link not asked for stays");
        assertTrue(Oracle.hasLink(host.name(), "jt-keep1"), "a link not asked for stays");

        int gone = Oracle.link(host.name(), "jt-keep").get("ifindex").asInt() + 1000;
        try (RtNetlink rt = RtNetlink.open(hostNs)) {
          ErrnoException e = assertThrows(ErrnoException.class, () -> deletes.delete(rt, gone));
          assertEquals(ErrnoException.Kind.NOT_FOUND, e.kind());
        }
      }
    } finally {
      pool.shutdownNow();
      for (int i = made.size() - 1; i >= 0; i--) {
        made.get(i).close();
      }
    }
  }
}
