package io.jcni.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line of {@code jcni bench}: how many pods, how many at a time, how many warm-up pods, with or without
 * ipMasq or through conflist files, with which capability arguments, which modes, under which names, whether to
 * measure the kernel floor too, and whether to print JSON.
 *
 * @param pods namespaces attached and detached per mode
 * @param concurrency how many ADDs (then DELs) run at the same time
 * @param ipMasq whether the bridge masquerades the pods' traffic (iptables/nft rules per pod)
 * @param modes the modes to measure, in the order they run
 * @param json print one JSON object instead of the table
 * @param warmup pods attached and detached per mode before measuring (JIT compilation, caches, the bridge itself)
 * @param confs the conflists to attach through ({@code --conf}, repeatable: each a network measured side by side);
 *     empty for the bench's own bridge network
 * @param capArgs the capability arguments of every pod ({@code --cap-args}), host ports made unique per pod
 * @param prefix the bench's own names ({@code --prefix}): namespaces {@code <prefix>-…}, its network and bridge
 * @param floor whether to measure the kernel floor after the passes ({@code --floor}, {@link BenchFloor}); only for
 *     the bench's own network
 */
record BenchOptions(int pods, int concurrency, boolean ipMasq, List<BenchMode> modes, boolean json, int warmup,
    List<Path> confs, BenchCapArgs capArgs, String prefix, boolean floor) {
  static final int MAX_PODS = 60_000;
  static final int DEFAULT_WARMUP = 8;

  BenchOptions {
    modes = List.copyOf(modes);
    confs = List.copyOf(confs);
    if (floor && !confs.isEmpty()) {
      throw new IllegalArgumentException("the floor is measured on the bench's own network only");
    }
  }

  /** Options for the bench's own bridge network, without capability arguments. */
  BenchOptions(int pods, int concurrency, boolean ipMasq, List<BenchMode> modes, boolean json, int warmup) {
    this(pods, concurrency, ipMasq, modes, json, warmup, List.of(), BenchCapArgs.NONE, BenchSite.DEFAULT_PREFIX,
        false);
  }

  /** Options for a run through the conflists {@code confs}, with the default names. */
  BenchOptions(int pods, int concurrency, List<BenchMode> modes, boolean json, int warmup, List<Path> confs,
      BenchCapArgs capArgs) {
    this(pods, concurrency, false, modes, json, warmup, confs, capArgs, BenchSite.DEFAULT_PREFIX, false);
  }

  /** These options with the kernel floor measured or not. */
  BenchOptions withFloor(boolean measure) {
    return new BenchOptions(pods, concurrency, ipMasq, modes, json, warmup, confs, capArgs, prefix, measure);
  }

  /**
   * Parses the words after {@code bench}; defaults: 100 pods, concurrency 8, no ipMasq, both modes, a table,
   * {@link #DEFAULT_WARMUP} warm-up pods (at least one per concurrent worker) and no floor.
   */
  static BenchOptions parse(List<String> args) throws Main.UsageException {
    int pods = 100;
    int concurrency = 8;
    boolean ipMasq = false;
    List<BenchMode> modes = List.of(BenchMode.INLINE, BenchMode.EXEC);
    boolean json = false;
    Integer warmup = null;
    List<Path> confs = new ArrayList<>();
    String prefix = BenchSite.DEFAULT_PREFIX;
    String ipMasqFlag = null;
    BenchCapArgs capArgs = BenchCapArgs.NONE;
    boolean floor = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--json" -> json = true;
        case "--floor" -> floor = true;
        case "--pods" -> pods = count(a, value(args, ++i, a), MAX_PODS);
        case "--concurrency" -> concurrency = count(a, value(args, ++i, a), 1024);
        case "--ipmasq" -> {
          ipMasq = bool(a, value(args, ++i, a));
          ipMasqFlag = a;
        }
        case "--conf" -> confs.add(Path.of(value(args, ++i, a)));
        case "--prefix" -> prefix = prefix(value(args, ++i, a));
        case "--cap-args" -> capArgs = BenchCapArgs.parse(value(args, ++i, a));
        case "--mode" -> modes = modes(value(args, ++i, a));
        case "--warmup" -> warmup = count(a, value(args, ++i, a), MAX_PODS);
        default -> throw new Main.UsageException("bench: unknown argument " + a);
      }
    }
    if (!confs.isEmpty() && ipMasqFlag != null) {
      throw new Main.UsageException("bench: --ipmasq is for the bench's own network; with --conf, set ipMasq in the"
          + " file");
    }
    if (!confs.isEmpty() && floor) {
      throw new Main.UsageException("bench: --floor is for the bench's own network, not with --conf");
    }
    int warm = warmup != null ? warmup : Math.max(concurrency, DEFAULT_WARMUP);
    capArgs.requireRoomFor(Math.max(pods, warm));
    if (confs.size() != Set.copyOf(confs).size()) {
      throw new Main.UsageException("bench: --conf names the same file twice");
    }
    return new BenchOptions(pods, concurrency, ipMasq, modes, json, warm, confs, capArgs, prefix, floor);
  }

  private static String value(List<String> args, int i, String flag) throws Main.UsageException {
    if (i >= args.size()) {
      throw new Main.UsageException("bench: " + flag + " needs a value");
    }
    return args.get(i);
  }

  private static String prefix(String v) throws Main.UsageException {
    if (!BenchSite.PREFIX.matcher(v).matches()) {
      throw new Main.UsageException("bench: --prefix wants 1 to 11 lowercase letters, digits or '-' (starting with a"
          + " letter or digit), not " + v);
    }
    return v;
  }

  private static int count(String flag, String v, int max) throws Main.UsageException {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new Main.UsageException("bench: " + flag + " wants a whole number from 1 to " + max + ", not " + v);
  }

  private static boolean bool(String flag, String v) throws Main.UsageException {
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new Main.UsageException("bench: " + flag + " wants true or false, not " + v);
    };
  }

  private static List<BenchMode> modes(String v) throws Main.UsageException {
    return switch (v) {
      case "inline" -> List.of(BenchMode.INLINE);
      case "exec" -> List.of(BenchMode.EXEC);
      case "both" -> List.of(BenchMode.INLINE, BenchMode.EXEC);
      default -> throw new Main.UsageException("bench: --mode wants inline, exec or both, not " + v);
    };
  }
}
