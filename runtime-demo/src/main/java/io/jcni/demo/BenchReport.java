package io.jcni.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The result of {@code jcni bench}: the figures of each network and mode, the kernel floor when measured, the leak
 * gauges at start and end, and every problem met (failed operations, addresses or rules left behind); printed as a
 * table or as one JSON object.
 *
 * @param networks the networks measured, in the order given, each with its figures per mode
 * @param problems empty when every pod was attached and detached and nothing was left behind
 * @param floor the kernel floor ({@code --floor}), or null when it was not measured
 */
record BenchReport(
    int pods, int concurrency, int warmup, boolean ipMasq, List<Network> networks, BenchGauges start,
    BenchGauges end, List<String> problems, Floor floor) {

  BenchReport {
    networks = List.copyOf(networks);
    problems = List.copyOf(problems);
  }

  /** A report without the kernel floor. */
  BenchReport(int pods, int concurrency, int warmup, boolean ipMasq, List<Network> networks, BenchGauges start,
      BenchGauges end, List<String> problems) {
    this(pods, concurrency, warmup, ipMasq, networks, start, end, problems, null);
  }

  /**
   * The kernel floor of a pod ({@link BenchFloor}): the kernel requests of the bridge plugin's ADD, issued back to
   * back from one thread.
   *
   * @param pods pods the floor wired
   * @param ok pods wired without an error
   * @param p50Ms median time per pod
   * @param p99Ms 99th-percentile time per pod
   * @param cpuMs CPU time per wired pod ({@link BenchCpu})
   * @param jitWaitMs how long it waited for the JIT first ({@link BenchJit})
   */
  record Floor(int pods, int ok, double p50Ms, double p99Ms, double cpuMs, double jitWaitMs) {}

  /**
   * The figures of one network.
   *
   * @param name the network name
   * @param conf the conflist file attached through ({@code --conf}), or "" for the bench's own network
   * @param hostEnd its host end ({@link BenchHostEnd#describe})
   * @param modes the figures per mode, in the order the modes ran
   */
  record Network(String name, String conf, String hostEnd, Map<BenchMode, BenchStats> modes) {
    Network {
      modes = Collections.unmodifiableMap(new LinkedHashMap<>(modes));
    }
  }

  /** One figure of a mode's row or column, with its label and table format. */
  private record Figure(String label, String format, ToDoubleFunction<BenchStats> value) {}

  private static final List<Figure> FIGURES = List.of(
      new Figure("ADD p50 ms", "%.3f", BenchStats::addP50Ms),
      new Figure("ADD p99 ms", "%.3f", BenchStats::addP99Ms),
      new Figure("DEL p50 ms", "%.3f", BenchStats::delP50Ms),
      new Figure("DEL p99 ms", "%.3f", BenchStats::delP99Ms),
      new Figure("wall ms", "%.1f", BenchStats::wallMs),
      new Figure("pods/s", "%.1f", BenchStats::podsPerS),
      new Figure("ADD cpu ms", "%.2f", BenchStats::addCpuMs),
      new Figure("DEL cpu ms", "%.2f", BenchStats::delCpuMs));

  /**
   * {@code {"pods","concurrency","warmup","ipmasq","networks":[{"network","conf","host_end","modes":{"inline":{
   * "add_p50_ms",…,"pods_per_s","add_cpu_ms","del_cpu_ms","jit_wait_ms","adds_ok","dels_ok"},…}},…],
   * "floor":{"pods","ok","p50_ms","p99_ms","cpu_ms","jit_wait_ms","add_p50_ratio":{"inline",…}},
   * "fds":{"start","end"},"threads":{"start","end"},"rss_kb":{"start","end"},"problems":[…]}}; "floor" only when
   * measured, its ratios a mode's ADD p50 over the floor's p50.
   */
  String toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode().put("pods", pods).put("concurrency", concurrency).put("warmup", warmup)
        .put("ipmasq", ipMasq);
    ArrayNode nets = root.putArray("networks");
    for (Network n : networks) {
      ObjectNode net = nets.addObject().put("network", n.name());
      if (!n.conf().isEmpty()) {
        net.put("conf", n.conf());
      }
      net.put("host_end", n.hostEnd());
      ObjectNode ms = net.putObject("modes");
      n.modes().forEach((mode, s) -> ms.putObject(mode.label())
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
    }
    if (floor != null) {
      ObjectNode f = root.putObject("floor").put("pods", floor.pods()).put("ok", floor.ok())
          .put("p50_ms", round(floor.p50Ms()))
          .put("p99_ms", round(floor.p99Ms()))
          .put("cpu_ms", round(floor.cpuMs()))
          .put("jit_wait_ms", round(floor.jitWaitMs()));
      ObjectNode ratios = f.putObject("add_p50_ratio");
      // the floor is measured with the bench's own network only, so there is one
      networks.get(0).modes().forEach((mode, s) -> ratios.put(mode.label(), round(s.addP50Ms() / floor.p50Ms())));
    }
    root.putObject("fds").put("start", start.fds()).put("end", end.fds());
    root.putObject("threads").put("start", start.threads()).put("end", end.threads());
    root.putObject("rss_kb").put("start", start.rssKb()).put("end", end.rssKb());
    ArrayNode ps = root.putArray("problems");
    problems.forEach(ps::add);
    return root.toString();
  }

  /**
   * The human-readable table: for one network a row per mode (with inline/exec ratios when both ran); for several,
   * per mode a row per figure and a column group per network, each later network with its ratio to the first.
   */
  String toTable() {
    StringBuilder b = new StringBuilder();
    if (networks.size() == 1) {
      Network n = networks.get(0);
      b.append(String.format(Locale.ROOT, "jcni bench: %d pods, concurrency %d, %s, %d warm-up pods per mode%n",
          pods, concurrency, n.conf().isEmpty() ? "ipMasq " + ipMasq : n.conf(), warmup));
      modeRows(b, n.modes());
    } else {
      b.append(String.format(Locale.ROOT, "jcni bench: %d pods per network, concurrency %d, %d warm-up pods per mode,"
          + " %d networks side by side%n", pods, concurrency, warmup, networks.size()));
      for (int k = 0; k < networks.size(); k++) {
        Network n = networks.get(k);
        b.append(String.format(Locale.ROOT, "#%d %s: %s, %s%n", k + 1, n.name(),
            n.conf().isEmpty() ? "the bench's own network" : n.conf(), n.hostEnd()));
      }
      for (BenchMode mode : networks.get(0).modes().keySet()) {
        networkColumns(b, mode);
      }
    }
    if (floor != null) {
      floorLine(b);
    }
    StringBuilder waits = new StringBuilder();
    for (Network n : networks) {
      n.modes().forEach((mode, s) -> waits.append(waits.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%s%s %.0f ms", networks.size() == 1 ? "" : n.name() + " ",
              mode.label(), s.jitWaitMs())));
    }
    if (floor != null) {
      waits.append(String.format(Locale.ROOT, "%sfloor %.0f ms", waits.length() == 0 ? "" : ", ", floor.jitWaitMs()));
    }
    b.append("waited for the JIT before ADD: ").append(waits).append('\n');
    b.append(String.format(Locale.ROOT, "fds %d -> %d, threads %d -> %d, RSS %d -> %d KiB%n",
        start.fds(), end.fds(), start.threads(), end.threads(), start.rssKb(), end.rssKb()));
    for (String p : problems) {
      b.append("problem: ").append(p).append('\n');
    }
    return b.toString();
  }

  private void modeRows(StringBuilder b, Map<BenchMode, BenchStats> modes) {
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
  }

  /** The floor's figures and each mode's ADD p50 over the floor's p50, under the table. */
  private void floorLine(StringBuilder b) {
    b.append(String.format(Locale.ROOT, "floor: %d/%d pods, p50 %.3f ms, p99 %.3f ms, cpu %.2f ms per pod",
        floor.ok(), floor.pods(), floor.p50Ms(), floor.p99Ms(), floor.cpuMs()));
    StringBuilder ratios = new StringBuilder();
    networks.get(0).modes().forEach((mode, s) -> ratios.append(ratios.length() == 0 ? "" : ", ")
        .append(String.format(Locale.ROOT, "%s %.2fx", mode.label(), s.addP50Ms() / floor.p50Ms())));
    if (ratios.length() > 0) {
      b.append("; ADD p50 / floor p50: ").append(ratios);
    }
    b.append('\n');
  }

  private void networkColumns(StringBuilder b, BenchMode mode) {
    b.append(String.format(Locale.ROOT, "%-11s", mode.label()));
    for (int k = 0; k < networks.size(); k++) {
      b.append(String.format(Locale.ROOT, k == 0 ? " %10s" : " %10s %7s", "#" + (k + 1), k == 0 ? "" : "/#1"));
    }
    b.append('\n');
    BenchStats first = networks.get(0).modes().get(mode);
    for (Figure f : FIGURES) {
      b.append(String.format(Locale.ROOT, "%-11s", f.label()));
      for (int k = 0; k < networks.size(); k++) {
        BenchStats s = networks.get(k).modes().get(mode);
        double v = s == null ? Double.NaN : f.value().applyAsDouble(s);
        b.append(String.format(Locale.ROOT, " %10s", String.format(Locale.ROOT, f.format(), v)));
        if (k > 0) {
          double r = v / f.value().applyAsDouble(first);
          b.append(String.format(Locale.ROOT, " %6.2fx", r));
        }
      }
      b.append('\n');
    }
    StringBuilder ok = new StringBuilder(String.format(Locale.ROOT, "%-11s", "ok"));
    for (int k = 0; k < networks.size(); k++) {
      BenchStats s = networks.get(k).modes().get(mode);
      String n = s == null ? "-" : Math.min(s.addsOk(), s.delsOk()) + "/" + pods;
      ok.append(String.format(Locale.ROOT, k == 0 ? " %10s" : " %10s %7s", n, ""));
    }
    b.append(ok.toString().stripTrailing()).append('\n');
  }

  private static BigDecimal round(double v) {
    return Double.isFinite(v) ? BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_EVEN) : null;
  }
}
