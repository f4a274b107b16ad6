package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

  @Test
  void parsesEveryOption() throws Exception {
    BenchOptions o = BenchOptions.parse(
        List.of("--pods", "200", "--concurrency", "8", "--ipmasq", "true", "--mode", "exec", "--json", "--warmup", "50"));
    assertEquals(new BenchOptions(200, 8, true, List.of(BenchMode.EXEC), true, 50), o);
    assertEquals(BenchOptions.DEFAULT_WARMUP, BenchOptions.parse(List.of("--concurrency", "1")).warmup());
    assertEquals(40, BenchOptions.parse(List.of("--concurrency", "40")).warmup()); // one per worker at least
  }

  @Test
  void confAndCapArgs() throws Exception {
    BenchOptions o = BenchOptions.parse(List.of("--conf", "x.conflist", "--cap-args",
        "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}", "--pods", "3"));
    assertEquals(List.of(java.nio.file.Path.of("x.conflist")), o.confs());
    assertEquals(8082, ((Map<?, ?>) ((List<?>) o.capArgs().forPod(2).get("portMappings")).get(0)).get("hostPort"));
    assertEquals(80, ((Map<?, ?>) ((List<?>) o.capArgs().forPod(2).get("portMappings")).get(0)).get("containerPort"));
    assertEquals(8080, ((Map<?, ?>) ((List<?>) o.capArgs().forPod(0).get("portMappings")).get(0)).get("hostPort"));
    assertEquals("bench: --ipmasq is for the bench's own network; with --conf, set ipMasq in the file",
        assertThrows(Main.UsageException.class,
            () -> BenchOptions.parse(List.of("--conf", "x", "--ipmasq", "true"))).getMessage());
    assertEquals("bench: --cap-args: hostPort 65000 + 1000 pods passes 65535",
        assertThrows(Main.UsageException.class, () -> BenchOptions.parse(List.of("--pods", "1000", "--cap-args",
            "{\"portMappings\":[{\"hostPort\":65000,\"containerPort\":80}]}"))).getMessage());
    assertEquals("bench: --cap-args wants a JSON object, not [1]",
        assertThrows(Main.UsageException.class, () -> BenchOptions.parse(List.of("--cap-args", "[1]"))).getMessage());
  }

  @Test
  void floorIsForTheBenchsOwnNetworkOnly() throws Exception {
    assertFalse(BenchOptions.parse(List.of()).floor());
    assertTrue(BenchOptions.parse(List.of("--floor", "--pods", "5")).floor());
    assertEquals(new BenchOptions(5, 1, false, List.of(BenchMode.INLINE), false, 8).withFloor(true),
        BenchOptions.parse(List.of("--pods", "5", "--concurrency", "1", "--mode", "inline", "--floor")));
    for (List<String> args : List.of(List.of("--floor", "--conf", "x"), List.of("--conf", "x", "--floor"))) {
      assertEquals("bench: --floor is for the bench's own network, not with --conf",
          assertThrows(Main.UsageException.class, () -> BenchOptions.parse(args)).getMessage(), args.toString());
    }
  }

  @Test
  void confIsRepeatableInOrder() throws Exception {
    BenchOptions o = BenchOptions.parse(List.of("--conf", "b.conflist", "--conf", "a.conflist", "--pods", "3"));
    assertEquals(List.of(java.nio.file.Path.of("b.conflist"), java.nio.file.Path.of("a.conflist")), o.confs());
    assertEquals(List.of(), BenchOptions.parse(List.of()).confs());
    assertEquals("bench: --conf names the same file twice", assertThrows(Main.UsageException.class,
        () -> BenchOptions.parse(List.of("--conf", "a", "--conf", "a"))).getMessage());
  }

  @Test
  void prefixNamesTheBenchsOwnThings() throws Exception {
    assertEquals(BenchSite.DEFAULT_PREFIX, BenchOptions.parse(List.of()).prefix());
    assertEquals("b2", BenchOptions.parse(List.of("--prefix", "b2")).prefix());
    // the default keeps today's names; another prefix names the namespaces, network, bridge and state after it
    BenchSite def = BenchSite.named(BenchSite.DEFAULT_PREFIX);
    assertEquals(List.of("jcni-bench", "jcnib0", "jcni-bench-"),
        List.of(def.network(), def.bridge(), def.netnsPrefix()));
    BenchSite b2 = BenchSite.named("b2");
    assertEquals(List.of("b2", "b20", "b2-"), List.of(b2.network(), b2.bridge(), b2.netnsPrefix()));
    assertEquals("/run/b2-" + ProcessHandle.current().pid(), b2.stateDir().toString());
    // the longest prefix still leaves room for the 60th bridge's name in 15 bytes
    assertEquals("abcdefghijk0-59", BenchSite.named("abcdefghijk").bridges(60_000).get(59));
    for (String bad : List.of("", "Ab", "-a", "abcdefghijkl", "a b", "a/b")) {
      assertEquals("bench: --prefix wants 1 to 11 lowercase letters, digits or '-' (starting with a letter or digit),"
          + " not " + bad, assertThrows(Main.UsageException.class,
              () -> BenchOptions.parse(List.of("--prefix", bad))).getMessage(), bad);
    }
  }

  @Test
  void defaultsRunBothModesWithoutIpMasq() throws Exception {
    BenchOptions o = BenchOptions.parse(List.of());
    assertEquals(List.of(BenchMode.INLINE, BenchMode.EXEC), o.modes());
    assertFalse(o.ipMasq());
    assertFalse(o.json());
    assertTrue(o.pods() > 0 && o.concurrency() > 0);
    assertEquals(List.of(BenchMode.INLINE), BenchOptions.parse(List.of("--mode", "inline")).modes());
    assertEquals(List.of(BenchMode.INLINE, BenchMode.EXEC), BenchOptions.parse(List.of("--mode", "both")).modes());
  }

  @Test
  void rejectsWhatItCannotUse() {
    assertEquals("bench: --pods wants a whole number from 1 to 60000, not 0",
        assertThrows(Main.UsageException.class, () -> BenchOptions.parse(List.of("--pods", "0"))).getMessage());
    assertEquals("bench: --concurrency wants a whole number from 1 to 1024, not x",
        assertThrows(Main.UsageException.class, () -> BenchOptions.parse(List.of("--concurrency", "x"))).getMessage());
    assertEquals("bench: --ipmasq wants true or false, not yes",
        assertThrows(Main.UsageException.class, () -> BenchOptions.parse(List.of("--ipmasq", "yes"))).getMessage());
    assertEquals("bench: --mode wants inline, exec or both, not all",
        assertThrows(Main.UsageException.class, () -> BenchOptions.parse(List.of("--mode", "all"))).getMessage());
    assertEquals("bench: --pods needs a value",
        assertThrows(Main.UsageException.class, () -> BenchOptions.parse(List.of("--pods"))).getMessage());
    assertEquals("bench: unknown argument --podz",
        assertThrows(Main.UsageException.class, () -> BenchOptions.parse(List.of("--podz", "3"))).getMessage());
  }

  @Test
  void mainReportsUsageErrorsWithStatusTwo() throws Exception {
    assertThrows(Main.UsageException.class, () -> Main.run(new String[] {"bench", "--mode", "fast"}));
  }
}
