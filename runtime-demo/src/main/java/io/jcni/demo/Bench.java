package io.jcni.demo;

import io.jcni.libcni.CniConfig;
import io.jcni.libcni.internal.invoke.FindInPath;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code jcni bench}: attaches and detaches N throw-away namespaces through a network on this host (its own bridge
 * + host-local network, or the chain of a conflist file whose main plugin is a bridge, ptp or jcni-routed), C at a
 * time, in-process and/or by exec'ing the Go plugin binaries, and reports latencies, throughput and the leak gauges;
 * everything it made is removed afterwards, also on failure or Ctrl-C, and checked to be gone.
 *
 * <p>Each mode first attaches and detaches {@code --warmup} pods per network (class loading, JIT, lazily started
 * helper threads, the bridge itself), so that the gauges measured after it compare like with like and the figures
 * describe a node that has been running for a while.
 *
 * <p>With {@code --floor}, the same number of pods are then wired by {@link BenchFloor}, the kernel requests of the
 * bridge plugin's ADD alone, back to back from one thread, on the same bridge(s) and JIT, for the ratio of an ADD to
 * its kernel floor.
 *
 * <p>Several networks ({@code --conf} given more than once) are measured side by side: each mode's pass runs in
 * {@link #ROUNDS} rounds of a fifth of the pods, and in each round every network attaches its slice and then every
 * network detaches it, the network going first rotating from round to round. Load that comes and goes on the
 * machine, and the pods of the other networks present meanwhile, thus weigh on each network about equally.
 */
final class Bench {
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);
  /** Rounds of a pass over several networks (see the class comment). */
  static final int ROUNDS = 5;

  private final BenchOptions opts;
  private final BenchSite site;
  private final List<String> cniPath;
  private final BenchProgress progress;
  private BiConsumer<BenchMode, List<String>> onAttached = (mode, names) -> {};
  private Consumer<List<String>> onFloorWired = names -> {};
  private volatile BenchTeardown teardown;

  Bench(BenchOptions opts, BenchSite site, List<String> cniPath, BenchProgress progress) {
    this.opts = opts;
    this.site = site;
    this.cniPath = List.copyOf(cniPath);
    this.progress = progress;
  }

  /** The {@code jcni bench} command: runs, prints the table or JSON, and fails when there was any problem. */
  static void command(List<String> args, CliEnv env, PrintStream out) throws Exception {
    BenchOptions opts = BenchOptions.parse(args);
    BenchReport report =
        new Bench(opts, BenchSite.named(opts.prefix()), env.cniPath(), BenchProgress.stderr()).run();
    out.print(opts.json() ? report.toJson() + "\n" : report.toTable());
    out.flush();
    if (!report.problems().isEmpty()) {
      throw new CniException(ErrorCode.INTERNAL, "bench: " + report.problems().size() + " problem(s), first: "
          + report.problems().get(0));
    }
  }

  /**
   * Lets a caller look at the attached pods between the ADD and DEL phases of each measured pass (with several
   * networks, of each network's slice of each round).
   */
  Bench onAttached(BiConsumer<BenchMode, List<String>> observer) {
    this.onAttached = observer;
    return this;
  }

  /** Lets a caller look at the floor's timed pods while they are wired ({@link BenchFloor#onWired}). */
  Bench onFloorWired(Consumer<List<String>> observer) {
    this.onFloorWired = observer;
    return this;
  }

  /**
   * What Ctrl-C does (the shutdown hook calls it): lets no new ADD or DEL start, waits for those in flight, then
   * removes everything the run made. The run itself then finishes without doing more and reports "interrupted".
   *
   * @return what could not be removed
   */
  List<String> interrupt() {
    BenchTeardown t = teardown;
    if (t == null) {
      return List.of();
    }
    t.stop();
    return t.tearDown();
  }

  /**
   * The networks of this run: the bench's own on {@code site}, or one per {@code --conf} file with {@code site}'s
   * state directory, and its namespace names (with several networks, {@code <prefix><k>-<i>} for the k-th).
   */
  private List<BenchNetwork> networks() throws CniException {
    if (opts.confs().isEmpty()) {
      return List.of(BenchNetwork.own(site, opts.ipMasq(), opts.pods()));
    }
    List<BenchNetwork> out = new ArrayList<>();
    for (int k = 0; k < opts.confs().size(); k++) {
      BenchSite base = opts.confs().size() == 1 ? site : site.withNetnsPrefix(site.netnsPrefix() + k + "-");
      BenchNetwork n = BenchConflist.read(opts.confs().get(k)).network(base);
      for (BenchNetwork other : out) {
        String clash = shared(n.site(), other.site());
        if (clash != null) {
          throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "bench: --conf " + n.conf() + " and "
              + other.conf() + " have the same " + clash + " (each network measured side by side needs its own)");
        }
      }
      out.add(n);
    }
    return out;
  }

  /** What two networks of one run would share on the host (name, bridge or subnet), or null. */
  private static String shared(BenchSite a, BenchSite b) {
    if (a.network().equals(b.network())) {
      return "network name " + a.network();
    }
    if (!a.bridge().isEmpty() && a.bridge().equals(b.bridge())) {
      return "bridge " + a.bridge();
    }
    return a.subnet().equals(b.subnet()) ? "subnet " + a.subnet() : null;
  }

  /** Runs the bench and cleans up; the report lists every problem instead of throwing for it. */
  BenchReport run() throws CniException, IOException, InterruptedException {
    requireRoot();
    List<BenchNetwork> networks = networks();
    Set<String> types = new LinkedHashSet<>();
    for (BenchNetwork n : networks) {
      if (opts.pods() > n.site().capacity()) {
        throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "bench: subnet " + n.site().subnet() + " of "
            + n.name() + " holds " + n.site().capacity() + " pods, not " + opts.pods());
      }
      types.addAll(n.types());
    }
    Map<BenchMode, CniConfig> configs = new LinkedHashMap<>();
    for (BenchMode mode : opts.modes()) {
      configs.put(mode, config(mode, types));
    }
    ThreadGroup group = Thread.currentThread().getThreadGroup();
    BenchTeardown teardown = new BenchTeardown(site, networks, opts.pods(), opts.warmup());
    this.teardown = teardown;
    Thread hook = new Thread(() -> {
      List<String> errors = interrupt();
      System.err.println("\njcni bench: interrupted; removed what it made"
          + (errors.isEmpty() ? "" : ", except: " + String.join("; ", errors)));
    }, "jcni-bench-teardown");
    boolean hooked = addHook(hook);
    List<String> problems = new ArrayList<>();
    List<Map<BenchMode, BenchStats>> stats = new ArrayList<>();
    networks.forEach(n -> stats.add(new LinkedHashMap<>()));
    BenchGauges start = null;
    BenchGauges end = null;
    BenchReport.Floor floor = null;
    try {
      teardown.claim();
      BenchRunner runner = new BenchRunner(teardown, progress, opts.concurrency(), opts.capArgs());
      int warm = opts.warmup();
      for (BenchMode mode : opts.modes()) {
        for (BenchNetwork n : networks) {
          String label = label(mode, n, networks) + " warm-up";
          BenchRunner.Outcome o = runner.run(label, configs.get(mode), n.lists(), n.site().netnsPrefix() + "w", warm,
              false, names -> {});
          collect(problems, label, o);
        }
      }
      start = BenchGauges.steady(group);
      for (BenchMode mode : opts.modes()) {
        if (teardown.stopping()) {
          break;
        }
        List<BenchRunner.Outcome> outcomes = measure(runner, mode, configs.get(mode), networks);
        for (int k = 0; k < networks.size(); k++) {
          stats.get(k).put(mode, outcomes.get(k).stats());
          collect(problems, label(mode, networks.get(k), networks), outcomes.get(k));
        }
      }
      end = BenchGauges.settle(group, start);
      problems.addAll(teardown.unreleased());
      if (opts.floor() && !teardown.stopping()) {
        // after the gauges, so that they describe the passes alone, with or without --floor
        floor = new BenchFloor(site, opts.pods(), opts.warmup(), teardown, progress).onWired(onFloorWired)
            .run(problems);
      }
    } finally {
      problems.addAll(teardown.tearDown());
      removeHook(hook, hooked);
    }
    problems.addAll(teardown.leftovers(namespacesLeft()));
    if (teardown.stopping()) {
      problems.add("interrupted");
    }
    if (start == null) {
      start = BenchGauges.sample(group);
    }
    if (end == null) {
      end = BenchGauges.sample(group);
    }
    List<BenchReport.Network> nets = new ArrayList<>();
    for (int k = 0; k < networks.size(); k++) {
      BenchNetwork n = networks.get(k);
      nets.add(new BenchReport.Network(n.name(), n.conf(), n.hostEnd().describe(), stats.get(k)));
    }
    return new BenchReport(opts.pods(), opts.concurrency(), opts.warmup(), opts.ipMasq(), nets, start, end,
        problems, floor);
  }

  /**
   * The measured pass of {@code mode} over every network: one pass for a single network, else {@link #ROUNDS}
   * rounds alternating between the networks (see the class comment).
   */
  private List<BenchRunner.Outcome> measure(BenchRunner runner, BenchMode mode, CniConfig cni,
      List<BenchNetwork> networks) throws InterruptedException {
    List<BenchRunner.Pass> passes = new ArrayList<>();
    for (BenchNetwork n : networks) {
      passes.add(runner.pass(label(mode, n, networks), cni, n.lists(), n.site().netnsPrefix(), opts.pods()));
    }
    for (BenchRunner.Pass p : passes) {
      p.create();
    }
    int pods = opts.pods();
    int rounds = networks.size() == 1 ? 1 : Math.min(ROUNDS, pods);
    for (int r = 0; r < rounds && !teardown.stopping(); r++) {
      int from = pods * r / rounds;
      int to = pods * (r + 1) / rounds;
      List<Integer> order = new ArrayList<>();
      for (int k = 0; k < networks.size(); k++) {
        order.add((r + k) % networks.size());
      }
      for (int k : order) {
        passes.get(k).add(from, to, true);
      }
      for (int k : order) {
        onAttached.accept(mode, passes.get(k).attached(from, to));
      }
      for (int k : order) {
        passes.get(k).del(from, to);
      }
    }
    List<BenchRunner.Outcome> out = new ArrayList<>();
    for (BenchRunner.Pass p : passes) {
      out.add(p.finish());
    }
    return out;
  }

  /** A pass's name in progress lines and problems: the mode, and the network when there are several. */
  private static String label(BenchMode mode, BenchNetwork n, List<BenchNetwork> networks) {
    return networks.size() == 1 ? mode.label() : n.name() + " " + mode.label();
  }

  private CniConfig config(BenchMode mode, Set<String> types) throws CniException {
    CniConfig.Builder b = CniConfig.builder().path(cniPath).cacheDir(site.cacheDir()).timeout(EXEC_TIMEOUT);
    if (mode == BenchMode.INLINE) {
      PluginRegistry registry = PluginRegistry.discover();
      for (String type : types) {
        if (!registry.has(type)) {
          throw new CniException(ErrorCode.PLUGIN_NOT_AVAILABLE,
              "bench: no in-process " + type + " plugin on the class path (inline mode runs every plugin of the"
              + " chain in-process)");
        }
      }
      return b.inline(registry, registry::has).build();
    }
    for (String type : types) {
      FindInPath.find(type, cniPath); // names the plugin and the path when it is missing
    }
    return b.inline(PluginRegistry.empty(), type -> false).build();
  }

  private static void collect(List<String> problems, String label, BenchRunner.Outcome o) {
    problems.addAll(o.errors());
    if (o.errorCount() > o.errors().size()) {
      problems.add(label + ": " + (o.errorCount() - o.errors().size()) + " more failed operation(s)");
    }
  }

  /** Namespaces named like this run's that still exist. */
  private List<String> namespacesLeft() throws IOException {
    Path dir = io.jcni.plugins.internal.linux.NetNs.RUN_DIR;
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      // every network's namespaces start with the run's prefix
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(site.netnsPrefix())).sorted().toList();
    }
  }

  private static void requireRoot() throws CniException, IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        String[] f = line.split("\\s+");
        if (f.length > 2 && !f[2].equals("0")) {
          throw new CniException(ErrorCode.INTERNAL,
              "bench: needs root (it makes namespaces, a bridge and, with ipMasq, firewall rules on this host)");
        }
        return;
      }
    }
  }

  private static boolean addHook(Thread hook) {
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return true;
    } catch (IllegalStateException shuttingDown) {
      return false;
    }
  }

  private static void removeHook(Thread hook, boolean hooked) {
    if (!hooked) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: it tears down the same ledger, which is idempotent
    }
  }
}
