package io.jcni.demo;

import io.jcni.libcni.CniConfig;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.invoke.FindInPath;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * {@code jcni bench}: attaches and detaches N throw-away namespaces through a bridge + host-local network on this
 * host (its own, or the chain of a conflist file with a bridge in it), C at a time, in-process and/or by exec'ing
 * the Go plugin binaries, and reports latencies, throughput and the leak gauges; everything it made is removed
 * afterwards, also on failure or Ctrl-C, and checked to be gone.
 *
 * <p>Each mode first attaches and detaches {@code --warmup} pods (class loading, JIT, lazily started helper threads, the
 * bridge itself), so that the gauges measured after it compare like with like and the figures describe a node that
 * has been running for a while.
 */
final class Bench {
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);
  private static final Set<String> BUILT_IN_TYPES = Set.of("bridge", "host-local");

  private final BenchOptions opts;
  private final BenchSite site;
  private final List<String> cniPath;
  private final BenchProgress progress;
  private BiConsumer<BenchMode, List<String>> onAttached = (mode, names) -> {};
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
    BenchSite site = opts.conf() == null ? BenchSite.defaults()
        : BenchConflist.read(opts.conf()).site(BenchSite.defaults());
    BenchReport report = new Bench(opts, site, env.cniPath(), BenchProgress.stderr()).run();
    out.print(opts.json() ? report.toJson() + "\n" : report.toTable());
    out.flush();
    if (!report.problems().isEmpty()) {
      throw new CniException(ErrorCode.INTERNAL, "bench: " + report.problems().size() + " problem(s), first: "
          + report.problems().get(0));
    }
  }

  /** Lets a caller look at the attached pods between the ADD and DEL phases of each measured pass. */
  Bench onAttached(BiConsumer<BenchMode, List<String>> observer) {
    this.onAttached = observer;
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

  /** Runs the bench and cleans up; the report lists every problem instead of throwing for it. */
  BenchReport run() throws CniException, IOException, InterruptedException {
    requireRoot();
    if (opts.pods() > site.capacity()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG,
          "bench: subnet " + site.subnet() + " holds " + site.capacity() + " pods, not " + opts.pods());
    }
    BenchConflist conf = opts.conf() == null ? null : BenchConflist.read(opts.conf());
    Set<String> types = conf == null ? BUILT_IN_TYPES : conf.types();
    Map<BenchMode, CniConfig> configs = new LinkedHashMap<>();
    for (BenchMode mode : opts.modes()) {
      configs.put(mode, config(mode, types));
    }
    List<NetworkConfigList> list = conf == null ? site.conflists(opts.ipMasq(), opts.pods())
        : List.of(conf.list(site.dataDir()));
    ThreadGroup group = Thread.currentThread().getThreadGroup();
    BenchTeardown teardown = new BenchTeardown(site, site.bridges(opts.pods()));
    this.teardown = teardown;
    Thread hook = new Thread(() -> {
      List<String> errors = interrupt();
      System.err.println("\njcni bench: interrupted; removed what it made"
          + (errors.isEmpty() ? "" : ", except: " + String.join("; ", errors)));
    }, "jcni-bench-teardown");
    boolean hooked = addHook(hook);
    List<String> problems = new ArrayList<>();
    Map<BenchMode, BenchStats> stats = new LinkedHashMap<>();
    BenchGauges start = null;
    BenchGauges end = null;
    try {
      teardown.claim();
      BenchRunner runner = new BenchRunner(teardown, progress, opts.concurrency(), opts.capArgs());
      int warm = opts.warmup();
      for (BenchMode mode : opts.modes()) {
        BenchRunner.Outcome o =
            runner.run(mode.label() + " warm-up", configs.get(mode), list, site.netnsPrefix() + "w", warm, false,
                n -> {});
        collect(problems, mode.label() + " warm-up", o);
      }
      start = BenchGauges.steady(group);
      for (BenchMode mode : opts.modes()) {
        if (teardown.stopping()) {
          break;
        }
        BenchRunner.Outcome o = runner.run(mode.label(), configs.get(mode), list, site.netnsPrefix(), opts.pods(),
            true, names -> onAttached.accept(mode, names));
        stats.put(mode, o.stats());
        collect(problems, mode.label(), o);
      }
      end = BenchGauges.settle(group, start);
      problems.addAll(teardown.unreleased());
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
    return new BenchReport(opts.pods(), opts.concurrency(), opts.warmup(), opts.ipMasq(),
        opts.conf() == null ? "" : opts.conf().toString(), stats, start, end, problems);
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
    Path dir = io.jcni.plugins.linux.NetNs.RUN_DIR;
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
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
