package io.jcni.plugins.internal.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.RequiresExecutable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One store, used at the same time by Go's binary in a loop and by several jcni threads: no address is handed out
 * twice, every file names its owner, and each side can release what the other allocated.
 */
@RequiresExecutable(HostLocalRunner.GO_BINARY)
class SharedStoreTest {
  @TempDir Path dataDir;

  static final int GO_ADDS = 60;
  static final int JCNI_THREADS = 4;
  static final int JCNI_ADDS_PER_THREAD = 40;

  String conf() {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"shared\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\""
        + dataDir + "\",\"ranges\":[[{\"subnet\":\"10.250.0.0/24\"}]]}}";
  }

  @Test
  void goProcessesAndJcniThreadsShareOnePool() throws Exception {
    String conf = conf();
    Map<String, String> addressOf = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(JCNI_THREADS + 1);
    try {
      List<Future<?>> work = new ArrayList<>();
      work.add(pool.submit(() -> allocate(HostLocalRunner.GO, "go", GO_ADDS, conf, addressOf)));
      for (int t = 0; t < JCNI_THREADS; t++) {
        String prefix = "j" + t;
        work.add(pool.submit(() -> allocate(HostLocalRunner.JCNI, prefix, JCNI_ADDS_PER_THREAD, conf, addressOf)));
      }
      for (Future<?> f : work) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    int total = GO_ADDS + JCNI_THREADS * JCNI_ADDS_PER_THREAD;
    assertEquals(total, addressOf.size());
    assertEquals(total, new TreeSet<>(addressOf.values()).size(), "an address was handed out twice");

    // Every file names the owner its address was reported to.
    Path store = dataDir.resolve("shared");
    Map<String, String> ownerOfFile = new HashMap<>();
    for (Path p : addressFilesIn(store)) {
      ownerOfFile.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
    }
    assertEquals(total, ownerOfFile.size());
    addressOf.forEach((id, ip) -> assertEquals(id + "\r\neth0", ownerOfFile.get(ip), ip));

    // Each side releases what the other allocated.
    for (String id : addressOf.keySet()) {
      HostLocalRunner releaser = id.startsWith("go") ? HostLocalRunner.JCNI : HostLocalRunner.GO;
      HostLocalRunner.Outcome o = releaser.del(id, "eth0", conf);
      assertTrue(o.ok(), id + ": " + o);
    }
    try (Stream<Path> s = Files.list(store)) {
      assertEquals(
          Set.of("lock", "last_reserved_ip.0"),
          s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  @Test
  void raceForATinyPoolHandsOutEachAddressOnceAndFailuresLeaveNothing() throws Exception {
    // 10.250.3.0/29 offers .2-.6; v6 is plentiful, so a loser has already reserved a v6 address it must give back.
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"tiny\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\""
        + dataDir + "\",\"ranges\":[[{\"subnet\":\"2001:db8:3::/64\"}],[{\"subnet\":\"10.250.3.0/29\"}]]}}";
    Map<String, HostLocalRunner.Outcome> outcomes = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String id = (i % 3 == 0 ? "go-" : "j-") + i;
        HostLocalRunner runner = i % 3 == 0 ? HostLocalRunner.GO : HostLocalRunner.JCNI;
        work.add(pool.submit(() -> outcomes.put(id, runner.add(id, "eth0", conf))));
      }
      for (Future<?> f : work) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> winners = outcomes.entrySet().stream().filter(e -> e.getValue().ok()).map(Map.Entry::getKey).toList();
    assertEquals(5, winners.size(), outcomes.toString());
    outcomes.forEach((id, o) -> {
      if (!o.ok()) {
        assertTrue(o.msg().startsWith("failed to allocate for range 1: no IP addresses available in range set"),
            id + ": " + o);
      }
    });
    Map<String, String> owners = new HashMap<>();
    for (Path p : addressFilesIn(dataDir.resolve("tiny"))) {
      owners.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
    }
    assertEquals(10, owners.size(), "one v4 and one v6 address per winner, nothing from the losers: " + owners);
    assertEquals(
        new TreeSet<>(winners),
        owners.values().stream().map(v -> v.substring(0, v.indexOf('\r'))).collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void jcniGcAndCheckWorkOnAStoreGoFilled() throws Exception {
    String conf = conf();
    for (String id : List.of("keep", "gone")) {
      assertTrue(HostLocalRunner.GO.add(id, "eth0", conf).ok());
    }
    assertTrue(HostLocalRunner.JCNI.run(io.jcni.libcni.spi.Command.CHECK, "gone", "eth0", "", conf).ok());
    String gc = conf.substring(0, conf.length() - 1)
        + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]}";
    assertTrue(HostLocalRunner.JCNI.run(io.jcni.libcni.spi.Command.GC, "", "", "", gc).ok());
    List<Path> left = addressFilesIn(dataDir.resolve("shared"));
    assertEquals(1, left.size());
    assertEquals("keep\r\neth0", Files.readString(left.get(0)));
    assertTrue(HostLocalRunner.GO.del("keep", "eth0", conf).ok());
    assertEquals(List.of(), addressFilesIn(dataDir.resolve("shared")));
  }

  private static Void allocate(
      HostLocalRunner runner, String prefix, int n, String conf, Map<String, String> addressOf) {
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      HostLocalRunner.Outcome o = runner.add(id, "eth0", conf);
      assertTrue(o.ok(), id + ": " + o);
      String cidr = o.json().get("ips").get(0).get("address").asText();
      addressOf.put(id, cidr.substring(0, cidr.indexOf('/')));
    }
    return null;
  }

  static List<Path> addressFilesIn(Path store) throws java.io.IOException {
    try (Stream<Path> s = Files.list(store)) {
      return s.filter(p -> {
            String n = p.getFileName().toString();
            return !n.equals("lock") && !n.startsWith("last_reserved_ip.");
          })
          .toList();
    }
  }
}
