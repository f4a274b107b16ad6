package io.jcni.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of {@code jcni bench}: the figures of each mode, the leak gauges at start and end, and every problem
 * met (failed operations, addresses or rules left behind); printed as a table or as one JSON object.
 *
 * @param conf the conflist file attached through ({@code --conf}), or "" for the bench's own network
 * @param modes the figures per mode, in the order the modes ran
 * @param problems empty when every pod was attached and detached and nothing was left behind
 */
record BenchReport(
    int pods, int concurrency, int warmup, boolean ipMasq, String conf, Map<BenchMode, BenchStats> modes,
    BenchGauges start, BenchGauges end, List<String> problems) {

  BenchReport {
    modes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(modes));
    problems = List.copyOf(problems);
  }

  /**
   * {@code {"pods","concurrency","ipmasq","modes":{"inline":{"add_p50_ms",…,"pods_per_s","add_cpu_ms","del_cpu_ms","jit_wait_ms","adds_ok",
   * "dels_ok"},…},
   * "fds":{"start","end"},"threads":{"start","end"},"problems":[…]}}.
   */
  String toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode().put("pods", pods).put("concurrency", concurrency).put("warmup", warmup)
        .put("ipmasq", ipMasq);
    if (!conf.isEmpty()) {
      root.put("conf", conf);
    }
    ObjectNode ms = root.putObject("modes");
    modes.forEach((mode, s) -> ms.putObject(mode.label())
        .put("add_p50_ms", round(s.addP50Ms()))
        .put("add_p99_ms", round(s.addP99Ms()))
        .put("del_p50_ms", round(s.delP50Ms()))
        .put("del_p99_ms", round(s.delP99Ms()))
        .put("wall_ms", round(s.wallMs()))
        .put("pods_per_s", round(s.podsPerS()))
        .put("add_cpu_ms", round(s.addCpuMs()))
        .put("del_cpu_ms", round(s.delCpuMs()))
        .put("jit_wait_ms", round(s.jitWaitMs()))
        .put("adds_ok", s.addsOk())
        .put("dels_ok", s.delsOk()));
    root.putObject("fds").put("start", start.fds()).put("end", end.fds());
    root.putObject("threads").put("start", start.threads()).put("end", end.threads());
    root.putObject("rss_kb").put("start", start.rssKb()).put("end", end.rssKb());
    problems.forEach(root.withArray("problems")::add);
    if (problems.isEmpty()) {
      root.putArray("problems");
    }
    return root.toString();
  }

  /** The human-readable table, with inline/exec ratios when both modes ran. */
  String toTable() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "jcni bench: %d pods, concurrency %d, %s, %d warm-up pods per mode%n",
        pods, concurrency, conf.isEmpty() ? "ipMasq " + ipMasq : conf, warmup));
    b.append(String.format(Locale.ROOT, "%-8s %9s %9s %9s %9s %10s %9s %7s %8s %8s%n",
        "mode", "ADD p50", "ADD p99", "DEL p50", "DEL p99", "wall ms", "pods/s", "ok", "ADD cpu", "DEL cpu"));
    modes.forEach((mode, s) -> b.append(String.format(Locale.ROOT,
        "%-8s %9.3f %9.3f %9.3f %9.3f %10.1f %9.1f %7s %8.2f %8.2f%n",
        mode.label(), s.addP50Ms(), s.addP99Ms(), s.delP50Ms(), s.delP99Ms(), s.wallMs(), s.podsPerS(),
        Math.min(s.addsOk(), s.delsOk()) + "/" + pods, s.addCpuMs(), s.delCpuMs())));
    BenchStats in = modes.get(BenchMode.INLINE);
    BenchStats ex = modes.get(BenchMode.EXEC);
    if (in != null && ex != null) {
      b.append(String.format(Locale.ROOT, "%-8s %8.2fx %8.2fx %8.2fx %8.2fx %9.2fx %8.2fx %7s %7.2fx %7.2fx%n",
          "in/ex", in.addP50Ms() / ex.addP50Ms(), in.addP99Ms() / ex.addP99Ms(), in.delP50Ms() / ex.delP50Ms(),
          in.delP99Ms() / ex.delP99Ms(), in.wallMs() / ex.wallMs(), in.podsPerS() / ex.podsPerS(), "",
          in.addCpuMs() / ex.addCpuMs(), in.delCpuMs() / ex.delCpuMs()));
    }
    StringBuilder waits = new StringBuilder();
    modes.forEach((mode, s) -> waits.append(waits.length() == 0 ? "" : ", ")
        .append(String.format(Locale.ROOT, "%s %.0f ms", mode.label(), s.jitWaitMs())));
    b.append("waited for the JIT before ADD: ").append(waits).append('\n');
    b.append(String.format(Locale.ROOT, "fds %d -> %d, threads %d -> %d, RSS %d -> %d KiB%n",
        start.fds(), end.fds(), start.threads(), end.threads(), start.rssKb(), end.rssKb()));
    for (String p : problems) {
      b.append("problem: ").append(p).append('\n');
    }
    return b.toString();
  }

  private static BigDecimal round(double v) {
    return Double.isFinite(v) ? BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_EVEN) : null;
  }
}
