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
  void oneNetworkKeepsARowPerModeWithoutItsName() {
    String t = report(List.of(new BenchReport.Network("jcni-bench", "", "bridge jcnib0",
        Map.of(BenchMode.INLINE, stats(3))))).toTable();
    assertTrue(t.startsWith("jcni bench: 10 pods, concurrency 2, ipMasq false, 8 warm-up pods per mode\nmode "), t);
    assertTrue(t.contains("\ninline       3.000     6.000"), t);
    assertTrue(t.contains("waited for the JIT before ADD: inline 40 ms\n"), t);
  }
}
