package io.jcni.libcni.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jcni.libcni.GcAttachment;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Result100;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The façade with in-process plugins: per-container serialisation, parallelism across containers and across
 * the networks of one concurrent attach, GC's exclusion, and the per-network/per-type placement. The ordering
 * proofs use latches and thread states, never sleeps or clocks.
 */
class CniRuntimeInProcessTest {
  private static final String NETNS = "/var/run/netns/jt-none";

  @TempDir Path tmp;
  NoopNetworks nets;
  RecordingPlugin recorder;
  PluginRegistry registry;

  @BeforeEach
  void setUp() throws Exception {
    nets = new NoopNetworks(tmp);
    recorder = new RecordingPlugin("recorder");
    registry = PluginRegistry.empty().register(recorder);
    writeRecorderNetwork("10-a.conflist", "a", "10.203.1.5/24");
    writeRecorderNetwork("20-b.conflist", "b", "10.203.2.5/24");
  }

  private void writeRecorderNetwork(String file, String name, String address) throws Exception {
    Files.writeString(nets.confDir.resolve(file), """
        {"cniVersion":"1.1.0","name":"%s","plugins":[{"type":"recorder","address":"%s"}]}
        """.formatted(name, address));
  }

  private CniRuntime runtime() {
    return nets.runtime().registry(registry).build();
  }

  /** Starts {@code body} on a new thread and returns it; a failure is kept in {@code failure}. */
  private static Thread start(String name, AtomicReference<Throwable> failure, ThrowingRunnable body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }, name);
    t.start();
    return t;
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static void awaitParked(Thread t) throws InterruptedException {
    for (int i = 0; i < 20_000; i++) {
      Thread.State s = t.getState();
      if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
        return;
      }
      if (s == Thread.State.TERMINATED) {
        fail(t.getName() + " ended instead of waiting");
      }
      Thread.sleep(1);
    }
    fail(t.getName() + " never started waiting");
  }

  private static void await(CountDownLatch l, String what) throws InterruptedException {
    if (!l.await(20, TimeUnit.SECONDS)) {
      fail("timed out waiting for " + what);
    }
  }

  @Test
  void operationsOnOneContainerNeverOverlap() throws Exception {
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    recorder.hook = (cmd, id, net, ifName) -> {
      if (ifName.equals("eth0")) {
        firstInside.countDown();
        awaitQuietly(release);
      }
    };
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (CniRuntime rt = runtime()) {
      Thread first = start("first", failure, () -> rt.attach("c1", NETNS, List.of(NetworkRequest.of("a", "eth0"))));
      await(firstInside, "the first ADD");
      Thread second = start("second", failure,
          () -> rt.attach("c1", NETNS, List.of(NetworkRequest.of("b", "eth1"))));
      awaitParked(second);
      // The second caller is parked and has not reached the plugin while the first is inside it.
      assertEquals(List.of("enter ADD c1 a eth0"), recorder.events());
      release.countDown();
      first.join();
      second.join();
      assertNull(failure.get());
      assertEquals(List.of("enter ADD c1 a eth0", "exit ADD c1 a eth0", "enter ADD c1 b eth1", "exit ADD c1 b eth1"),
          recorder.events());
      assertEquals(1, recorder.maxPerContainer());
    }
  }

  @Test
  void aWaitForTheContainerIsBoundedByTheTimeoutAndSaysWhatItWaitedFor() throws Exception {
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    recorder.hook = (cmd, id, net, ifName) -> {
      if (ifName.equals("eth0")) {
        firstInside.countDown();
        awaitQuietly(release);
      }
    };
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (CniRuntime rt = nets.runtime().registry(registry).timeout(java.time.Duration.ofMillis(300)).build()) {
      Thread first = start("first", failure, () -> rt.attach("c1", NETNS, List.of(NetworkRequest.of("a", "eth0"))));
      await(firstInside, "the first ADD");
      CniException e = assertThrows(CniException.class,
          () -> rt.attach("c1", NETNS, List.of(NetworkRequest.of("b", "eth1"))));
      assertTrue(e.isTimeout(), e.toString());
      assertEquals(ErrorCode.TRY_AGAIN_LATER, e.errorCode());
      assertEquals("timed out after 300ms waiting for another operation on container c1 to finish", e.getMessage());
      // The waiter never reached a plugin, and an interrupted waiter says it was cancelled.
      assertEquals(List.of("enter ADD c1 a eth0"), recorder.events());
      AtomicReference<CniException> cancelled = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          rt.detach("c1", NETNS, List.of(NetworkRequest.of("a", "eth0")));
        } catch (CniException x) {
          cancelled.set(x);
        }
      });
      waiter.start();
      awaitParked(waiter);
      waiter.interrupt();
      waiter.join();
      assertTrue(cancelled.get() != null && cancelled.get().isCancelled(), String.valueOf(cancelled.get()));
      release.countDown();
      first.join();
      assertNull(failure.get());
      assertEquals(0, rt.busyContainers());
    }
  }

  @Test
  void differentContainersRunInParallel() throws Exception {
    CountDownLatch bothInside = new CountDownLatch(2);
    recorder.hook = (cmd, id, net, ifName) -> {
      bothInside.countDown();
      // each waits for the other: only parallel execution gets both through
      if (!awaitQuietly(bothInside)) {
        throw new CniException(ErrorCode.INTERNAL, "the other container never got in");
      }
    };
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (CniRuntime rt = runtime()) {
      Thread c1 = start("c1", failure, () -> rt.attach("c1", NETNS, List.of(NetworkRequest.of("a", "eth0"))));
      Thread c2 = start("c2", failure, () -> rt.attach("c2", NETNS, List.of(NetworkRequest.of("a", "eth0"))));
      c1.join();
      c2.join();
      assertNull(failure.get());
      assertEquals(2, recorder.maxOverall());
    }
  }

  @Test
  void concurrentAttachRunsTheNetworksAtTheSameTimeAndKeepsRequestOrder() throws Exception {
    CountDownLatch bothInside = new CountDownLatch(2);
    recorder.hook = (cmd, id, net, ifName) -> {
      bothInside.countDown();
      if (!awaitQuietly(bothInside)) {
        throw new CniException(ErrorCode.INTERNAL, "networks were not attached concurrently");
      }
    };
    try (CniRuntime rt = runtime()) {
      List<Attachment> got = rt.attachConcurrently("c1", NETNS,
          List.of(NetworkRequest.of("b", "eth1"), NetworkRequest.of("a", "eth0")));
      assertEquals(List.of("10.203.2.5/24", "10.203.1.5/24"),
          got.stream().map(x -> ((Result100) x.result()).ips().get(0).address().toString()).toList());
      assertEquals(2, recorder.maxPerContainer());
    }
  }

  @Test
  void gcWaitsForRunningOperations() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    recorder.hook = (cmd, id, net, ifName) -> {
      if (cmd == Command.ADD) {
        inside.countDown();
        awaitQuietly(release);
      }
    };
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (CniRuntime rt = runtime()) {
      Thread add = start("add", failure, () -> rt.attach("c1", NETNS, List.of(NetworkRequest.of("a", "eth0"))));
      await(inside, "the ADD");
      Thread gc = start("gc", failure, () -> rt.gc(List.of(new GcAttachment("c1", "eth0"))));
      awaitParked(gc);
      assertEquals(List.of("enter ADD c1 a eth0"), recorder.events());
      release.countDown();
      add.join();
      gc.join();
      assertNull(failure.get());
      List<String> ev = recorder.events();
      assertEquals("exit ADD c1 a eth0", ev.get(1));
      assertTrue(ev.subList(2, ev.size()).stream().allMatch(e -> e.contains("GC")), ev::toString);
      // c1/eth0 was valid: GC did not delete it
      assertEquals(List.of("a-c1-eth0"), nets.cacheFiles());
    }
  }

  @Test
  void placementChoosesPerNetworkAndCoversDelegatedIpam() throws Exception {
    // the same type "noop" is both registered in-process and on the exec path
    RecordingPlugin inProcessNoop = new RecordingPlugin("noop");
    registry.register(inProcessNoop);
    nets.network("30-ext.conflist", "ext", "1.1.0", "10.203.3.5/24");
    Files.writeString(nets.confDir.resolve("40-int.conflist"), """
        {"cniVersion":"1.1.0","name":"int","plugins":[{"type":"noop","address":"10.203.4.5/24"}]}
        """);
    try (CniRuntime rt = nets.runtime().registry(registry).placement(Placement.inlineNetworks(Set.of("int")))
        .build()) {
      rt.attach("c1", NETNS, List.of(NetworkRequest.of("ext", "eth0"), NetworkRequest.of("int", "eth1")));
      assertEquals(List.of("ADD c1 ext eth0"), nets.callLines());
      assertEquals(List.of("enter ADD c1 int eth1", "exit ADD c1 int eth1"), inProcessNoop.events());
    }

    // an in-process plugin delegating to IPAM "noop": exec'd when only "recorder" is placed in-process
    Files.writeString(nets.confDir.resolve("50-deleg.conflist"), """
        {"cniVersion":"1.1.0","name":"deleg","plugins":[{"type":"recorder","debugFile":"%s","commandLog":"%s",
         "ipam":{"type":"noop"}}]}
        """.formatted(nets.debugFile("ext"), nets.log));
    try (CniRuntime rt = nets.runtime().registry(registry).placement(Placement.inlineTypes(Set.of("recorder")))
        .build()) {
      List<Attachment> got = rt.attach("c2", NETNS, List.of(NetworkRequest.of("deleg", "eth0")));
      assertEquals("10.203.3.5/24", ((Result100) got.get(0).result()).ips().get(0).address().toString());
      assertTrue(nets.callLines().contains("ADD c2 deleg eth0"), nets.callLines()::toString);
      assertTrue(recorder.events().contains("enter ADD c2 deleg eth0"));
    }
  }

  @Test
  void containerLocksAreDroppedWhenIdle() throws Exception {
    try (CniRuntime rt = runtime()) {
      for (int i = 0; i < 50; i++) {
        rt.attach("c" + i, NETNS, List.of(NetworkRequest.of("a", "eth0")));
        rt.detach("c" + i, NETNS, List.of(NetworkRequest.of("a", "eth0")));
      }
      assertEquals(0, rt.busyContainers());
      assertEquals(List.of(), nets.cacheFiles());
    }
  }

  private static boolean awaitQuietly(CountDownLatch l) {
    try {
      return l.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
