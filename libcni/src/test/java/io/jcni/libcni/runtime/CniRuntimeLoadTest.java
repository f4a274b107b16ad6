package io.jcni.libcni.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NotFoundException;
import io.jcni.libcni.testing.Fifo;
import io.jcni.libcni.types.CniException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading a configuration directory: a bad file is named and the others stay usable; the watch reloads after
 * files are added, changed, broken and removed.
 */
class CniRuntimeLoadTest {
  @TempDir Path tmp;
  NoopNetworks nets;

  @BeforeEach
  void setUp() throws Exception {
    nets = new NoopNetworks(tmp);
  }

  private static final String BAD = "{\"cniVersion\":\"1.0.0\",\"name\":\"broken\",\"plugins\":[{\"type\":";

  @Test
  void badFilesAreNamedAndTheOthersStayUsable() throws Exception {
    nets.network("10-alpha.conflist", "alpha", "1.0.0", "10.202.1.5/24");
    Files.writeString(nets.confDir.resolve("20-broken.conflist"), BAD);
    nets.network("30-again.conflist", "alpha", "1.0.0", "10.202.9.5/24");
    Files.writeString(nets.confDir.resolve("40-single.conf"), "{\"cniVersion\":\"1.0.0\",\"name\":\"single\","
        + "\"type\":\"noop\",\"debugFile\":\"" + nets.debugFile("alpha") + "\"}");
    Files.writeString(nets.confDir.resolve("50-notype.json"), "{\"cniVersion\":\"1.0.0\",\"name\":\"x\"}");
    Files.writeString(nets.confDir.resolve("README"), "not a configuration");

    try (CniRuntime rt = nets.runtime().build()) {
      assertEquals(List.of("alpha", "single"), rt.networks().names());
      assertEquals(nets.confDir.resolve("10-alpha.conflist"), rt.networks().get("alpha").orElseThrow().file());
      List<LoadError> errors = rt.loadErrors();
      assertEquals(List.of("20-broken.conflist", "30-again.conflist", "50-notype.json"),
          errors.stream().map(e -> e.file().getFileName().toString()).toList());
      // the texts are libcni's own for the same file
      CniException direct = assertThrows(CniException.class,
          () -> ConfLoader.confListFromFile(nets.confDir.resolve("20-broken.conflist")));
      assertEquals(direct.getMessage(), errors.get(0).error().getMessage());
      assertEquals(7, errors.get(0).error().code());
      assertTrue(errors.get(1).error().getMessage().contains("\"alpha\" is already defined in "
          + nets.confDir.resolve("10-alpha.conflist")), errors.get(1).toString());
      assertEquals(nets.confDir.resolve("50-notype.json") + ": error parsing configuration: missing 'type'",
          errors.get(2).error().getMessage());

      List<Attachment> a = rt.attach("c1", "/var/run/netns/jt-none", List.of(NetworkRequest.of("alpha", "eth0"),
          NetworkRequest.of("single", "eth1")));
      assertEquals(2, a.size());
      assertEquals(List.of("ADD c1 alpha eth0"), nets.callLines());

      NotFoundException nf = assertThrows(NotFoundException.class,
          () -> rt.attach("c1", "/x", List.of(NetworkRequest.of("broken", "eth2"))));
      assertEquals("no net configuration with name \"broken\" in " + nets.confDir, nf.getMessage());
      assertEquals(3, nf.getSuppressed().length);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void specialAndOversizedFilesAreOneErrorEachAndTheOthersLoad() throws Exception {
    nets.network("10-alpha.conflist", "alpha", "1.0.0", "10.202.1.5/24");
    nets.network("15-beta.conflist", "beta", "1.0.0", "10.202.2.5/24");
    Path folderFifo = Fifo.make(Files.createDirectories(nets.confDir.resolve("beta"))
        .resolve("20-tail.conf"));
    Path fifo = Fifo.make(nets.confDir.resolve("20-pipe.conflist"));
    Path zero = Files.createSymbolicLink(nets.confDir.resolve("30-zero.conflist"), Path.of("/dev/zero"));
    Path big = nets.confDir.resolve("40-big.conflist");
    Files.writeString(big, "{\"name\":\"big\",\"plugins\":[{\"type\":\"noop\"}]}" + " ".repeat(2 << 20));
    Path dev = Files.createSymbolicLink(nets.confDir.resolve("50-null.conf"), Path.of("/dev/null"));

    try (CniRuntime rt = nets.runtime().build()) {
      assertEquals(List.of("alpha"), rt.networks().names());
      List<String> lines = rt.loadErrors().stream().map(LoadError::toString).toList();
      assertEquals(List.of(
          "error reading " + folderFifo + ": " + folderFifo + " is a named pipe (FIFO), not a regular file",
          "error reading " + fifo + ": " + fifo + " is a named pipe (FIFO), not a regular file",
          "error reading " + zero + ": " + zero + " is a character device, not a regular file",
          "error reading " + big + ": " + big + " is larger than 1048576 bytes",
          "error reading " + dev + ": " + dev + " is a character device, not a regular file"), lines);
      assertEquals(List.of(nets.confDir.resolve("15-beta.conflist"), fifo, zero, big, dev),
          rt.loadErrors().stream().map(LoadError::file).toList());
      rt.loadErrors().forEach(e -> assertEquals(5, e.error().code(), e.toString()));
    }
  }

  @Test
  void missingDirectoryIsEmptyAndTheWatchWaitsForIt() throws Exception {
    BlockingQueue<NetworkSet> loads = new LinkedBlockingQueue<>();
    Path missing = tmp.resolve("later").resolve("net.d");
    try (CniRuntime rt = nets.runtime().confDir(missing).debounce(java.time.Duration.ofMillis(50)).build()) {
      assertEquals(List.of(), rt.networks().names());
      assertEquals(List.of(), rt.loadErrors());
      rt.onReload(loads::add);
      rt.watch();
      assertEquals(1, watchThreads(missing));

      Files.createDirectories(missing);
      Files.copy(writeNetwork("gamma"), missing.resolve("10-gamma.conflist"));
      NetworkSet s = await(loads, set -> set.get("gamma").isPresent());
      assertEquals(List.of("gamma"), s.names());
      assertEquals(s, rt.networks());
    }
  }

  @Test
  void watchSurvivesTheDirectoryBeingDeletedRecreatedAndSwapped() throws Exception {
    BlockingQueue<NetworkSet> loads = new LinkedBlockingQueue<>();
    nets.network("10-alpha.conflist", "alpha", "1.0.0", "10.202.1.5/24");
    try (CniRuntime rt = nets.runtime().debounce(java.time.Duration.ofMillis(50)).build()) {
      rt.onReload(loads::add);
      rt.watch();
      assertEquals(List.of("alpha"), rt.networks().names());

      deleteTree(nets.confDir);
      NetworkSet s = await(loads, set -> set.networks().isEmpty());
      assertEquals(List.of(), s.errors());
      assertEquals(1, watchThreads(nets.confDir));

      Files.createDirectories(nets.confDir);
      nets.network("20-beta.conflist", "beta", "1.0.0", "10.202.2.5/24");
      s = await(loads, set -> set.get("beta").isPresent());
      assertEquals(List.of("beta"), s.names());

      // the new directory is watched, not just reloaded once
      nets.network("30-delta.conflist", "delta", "1.0.0", "10.202.4.5/24");
      await(loads, set -> set.get("delta").isPresent());

      // replaced by a rename, as configuration managers swap directories: the old one is still alive elsewhere
      Path staged = Files.createDirectories(tmp.resolve("net.d.new"));
      Files.copy(writeNetwork("gamma"), staged.resolve("10-gamma.conflist"));
      Files.move(nets.confDir, tmp.resolve("net.d.old"));
      Files.move(staged, nets.confDir);
      s = await(loads, set -> set.names().equals(List.of("gamma")));
      nets.network("40-epsilon.conflist", "epsilon", "1.0.0", "10.202.5.5/24");
      await(loads, set -> set.get("epsilon").isPresent());
      assertEquals(List.of("epsilon", "gamma"), rt.networks().names().stream().sorted().toList());
    }
  }

  /** A noop network called {@code name} written outside the configuration directory. */
  private Path writeNetwork(String name) throws Exception {
    return Files.writeString(tmp.resolve(name + ".json"), "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name
        + "\",\"plugins\":[{\"type\":\"noop\"}]}");
  }

  private static void deleteTree(Path root) throws Exception {
    try (var s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void watchReloadsOnAddChangeBreakAndRemove() throws Exception {
    BlockingQueue<NetworkSet> loads = new LinkedBlockingQueue<>();
    nets.network("10-alpha.conflist", "alpha", "1.0.0", "10.202.1.5/24");
    try (CniRuntime rt = nets.runtime().debounce(java.time.Duration.ofMillis(50)).build()) {
      rt.onReload(loads::add);
      rt.watch();

      nets.network("20-beta.conflist", "beta", "1.0.0", "10.202.2.5/24");
      NetworkSet s = await(loads, set -> set.get("beta").isPresent());
      assertEquals(List.of("alpha", "beta"), s.names());

      nets.network("20-beta.conflist", "beta", "1.1.0", "10.202.2.5/24");
      await(loads, set -> set.get("beta").map(n -> n.config().cniVersion().equals("1.1.0")).orElse(false));

      Files.writeString(nets.confDir.resolve("20-beta.conflist"), BAD);
      s = await(loads, set -> set.get("beta").isEmpty());
      assertEquals(List.of("alpha"), s.names());
      assertEquals(nets.confDir.resolve("20-beta.conflist"), s.errors().get(0).file());
      assertEquals(s, rt.networks());
      rt.attach("c1", "/var/run/netns/jt-none", List.of(NetworkRequest.of("alpha", "eth0")));

      // a new plugin folder <dir>/<network>/ is watched too: its .conf files join the network
      Path folder = Files.createDirectories(nets.confDir.resolve("alpha"));
      Files.writeString(folder.resolve("tail.conf"), "{\"type\":\"noop\",\"debugFile\":\""
          + nets.debugFile("alpha") + "\"}");
      await(loads, set -> set.get("alpha").map(n -> n.config().plugins().size() == 2).orElse(false));

      Files.delete(nets.confDir.resolve("20-beta.conflist"));
      s = await(loads, set -> set.errors().isEmpty());
      assertEquals(List.of("alpha"), s.names());
    }
  }

  @Test
  void closeStopsTheWatchThread() throws Exception {
    CniRuntime rt = nets.runtime().build();
    rt.watch();
    assertTrue(watchThreads() > 0);
    rt.close();
    assertEquals(0, watchThreads());
    assertThrows(IllegalStateException.class, rt::watch);
  }

  private long watchThreads() {
    return watchThreads(nets.confDir);
  }

  private static long watchThreads(Path dir) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("jcni-confwatch-" + dir.getFileName()) && t.isAlive()).count();
  }

  private static NetworkSet await(BlockingQueue<NetworkSet> loads, Predicate<NetworkSet> want) throws Exception {
    while (true) {
      NetworkSet s = loads.poll(20, TimeUnit.SECONDS);
      assertInstanceOf(NetworkSet.class, s, "no reload seen");
      if (want.test(s)) {
        return s;
      }
    }
  }

  @Test
  void reloadGivesANewGeneration() throws Exception {
    try (CniRuntime rt = nets.runtime().build()) {
      long first = rt.networks().generation();
      assertFalse(rt.networks().get("alpha").isPresent());
      nets.network("10-alpha.conflist", "alpha", "1.0.0", "10.202.1.5/24");
      NetworkSet s = rt.reload();
      assertTrue(s.generation() > first);
      assertTrue(s.get("alpha").isPresent());
    }
  }
}
