package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report of a run over several networks: a JSON list by network name, a column group per network. */
class BenchReportTest {
  private static final BenchGauges G = new BenchGauges(13, 1, 100_000);

  private static BenchStats stats(double addP50) {
    return new BenchStats(addP50, 2 * addP50, 30, 60, 1000, 20, 10, 10, 5, 30, 40);
  }

  private static BenchReport report(List<BenchReport.Network> networks) {
    return new BenchReport(10, 2, 8, false, networks, G, G, List.of());
  }

  @Test
  void severalNetworksAreAListByNameAndColumnGroupsWithRatiosToTheFirst() throws Exception {
    BenchReport r = report(List.of(
        new BenchReport.Network("jcni-crio", "a.conflist", "bridge jcnicrio0", Map.of(BenchMode.INLINE, stats(10))),
        new BenchReport.Network("jcni-routed", "b.conflist", "jcni-routed cali…",
            Map.of(BenchMode.INLINE, stats(7.5)))));
    JsonNode j = new ObjectMapper().readTree(r.toJson());
    assertEquals(2, j.get("networks").size());
    assertEquals("jcni-routed", j.at("/networks/1/network").asText());
    assertEquals("b.conflist", j.at("/networks/1/conf").asText());
    assertEquals("jcni-routed cali…", j.at("/networks/1/host_end").asText());
    assertEquals(7.5, j.at("/networks/1/modes/inline/add_p50_ms").asDouble());
    assertFalse(j.has("modes"), "figures only per network");

    List<String> lines = r.toTable().lines().toList();
    assertEquals("#2 jcni-routed: b.conflist, jcni-routed cali…", lines.get(2));
    assertEquals("inline              #1         #2     /#1", lines.get(3));
    assertEquals("ADD p50 ms      10.000      7.500   0.75x", lines.get(4));
    assertTrue(lines.contains("ok               10/10      10/10"), lines.toString());
  }

  @Test
  void floorIsAnObjectAndALineUnderTheTableWithEachModesRatio() throws Exception {
    BenchReport.Floor floor = new BenchReport.Floor(10, 9, 1.5, 2.25, 1.2, 35);
    Map<BenchMode, BenchStats> modes = new java.util.LinkedHashMap<>();
    modes.put(BenchMode.INLINE, stats(3));
    modes.put(BenchMode.EXEC, stats(18.75));
    BenchReport r = new BenchReport(10, 1, 8, false,
        List.of(new BenchReport.Network("jcni-bench", "", "bridge jcnib0", modes)), G, G, List.of(), floor);
    assertTrue(r.toJson().contains(",\"floor\":{\"pods\":10,\"ok\":9,\"p50_ms\":1.500,\"p99_ms\":2.250,"
        + "\"cpu_ms\":1.200,\"jit_wait_ms\":35.000,\"add_p50_ratio\":{\"inline\":2.000,\"exec\":12.500}},\"fds\":"),
        r.toJson());
    String t = r.toTable();
    assertTrue(t.contains("\nfloor: 9/10 pods, p50 1.500 ms, p99 2.250 ms, cpu 1.20 ms per pod; ADD p50 / floor p50:"
        + " inline 2.00x, exec 12.50x\nwaited for the JIT before ADD: inline 40 ms, exec 40 ms, floor 35 ms\n"), t);
    // the line follows the table's rows
    List<String> lines = t.lines().toList();
    assertTrue(lines.get(lines.indexOf(lines.stream().filter(l -> l.startsWith("floor: ")).findFirst().get()) - 1)
        .startsWith("in/ex "), t);
  }

  @Test
  void withoutTheFloorThereIsNeitherObjectNorLine() throws Exception {
    BenchReport r = report(List.of(new BenchReport.Network("jcni-bench", "", "bridge jcnib0",
        Map.of(BenchMode.INLINE, stats(3)))));
    assertFalse(new ObjectMapper().readTree(r.toJson()).has("floor"));
    assertFalse(r.toTable().contains("floor"), r.toTable());
  }

  @Test
  void oneNetworkKeepsARowPerModeWithoutItsName() {
    String t = report(List.of(new BenchReport.Network("jcni-bench", "", "bridge jcnib0",
        Map.of(BenchMode.INLINE, stats(3))))).toTable();
    assertTrue(t.startsWith("jcni bench: 10 pods, concurrency 2, ipMasq false, 8 warm-up pods per mode\nmode "), t);
    assertTrue(t.contains("\ninline       3.000     6.000"), t);
    assertTrue(t.contains("waited for the JIT before ADD: inline 40 ms\n"), t);
  }
}
