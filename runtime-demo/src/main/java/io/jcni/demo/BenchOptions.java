package io.jcni.demo;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line of {@code jcni bench}: how many pods, how many at a time, how many warm-up pods, with or without
 * ipMasq or through a conflist file, with which capability arguments, which modes, and whether to print JSON.
 *
 * @param pods namespaces attached and detached per mode
 * @param concurrency how many ADDs (then DELs) run at the same time
 * @param ipMasq whether the bridge masquerades the pods' traffic (iptables/nft rules per pod)
 * @param modes the modes to measure, in the order they run
 * @param json print one JSON object instead of the table
 * @param warmup pods attached and detached per mode before measuring (JIT compilation, caches, the bridge itself)
 * @param conf the conflist to attach through ({@code --conf}); null for the bench's own bridge network
 * @param capArgs the capability arguments of every pod ({@code --cap-args}), host ports made unique per pod
 */
record BenchOptions(int pods, int concurrency, boolean ipMasq, List<BenchMode> modes, boolean json, int warmup,
    Path conf, BenchCapArgs capArgs) {
  static final int MAX_PODS = 60_000;
  static final int DEFAULT_WARMUP = 8;

  BenchOptions {
    modes = List.copyOf(modes);
  }

  /** Options for the bench's own bridge network, without capability arguments. */
  BenchOptions(int pods, int concurrency, boolean ipMasq, List<BenchMode> modes, boolean json, int warmup) {
    this(pods, concurrency, ipMasq, modes, json, warmup, null, BenchCapArgs.NONE);
  }

  /**
   * Parses the words after {@code bench}; defaults: 100 pods, concurrency 8, no ipMasq, both modes, a table, and
   * {@link #DEFAULT_WARMUP} warm-up pods (at least one per concurrent worker).
   */
  static BenchOptions parse(List<String> args) throws Main.UsageException {
    int pods = 100;
    int concurrency = 8;
    boolean ipMasq = false;
    List<BenchMode> modes = List.of(BenchMode.INLINE, BenchMode.EXEC);
    boolean json = false;
    Integer warmup = null;
    Path conf = null;
    String ipMasqFlag = null;
    BenchCapArgs capArgs = BenchCapArgs.NONE;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--json" -> json = true;
        case "--pods" -> pods = count(a, value(args, ++i, a), MAX_PODS);
        case "--concurrency" -> concurrency = count(a, value(args, ++i, a), 1024);
        case "--ipmasq" -> {
          ipMasq = bool(a, value(args, ++i, a));
          ipMasqFlag = a;
        }
        case "--conf" -> conf = Path.of(value(args, ++i, a));
        case "--cap-args" -> capArgs = BenchCapArgs.parse(value(args, ++i, a));
        case "--mode" -> modes = modes(value(args, ++i, a));
        case "--warmup" -> warmup = count(a, value(args, ++i, a), MAX_PODS);
        default -> throw new Main.UsageException("bench: unknown argument " + a);
      }
    }
    if (conf != null && ipMasqFlag != null) {
      throw new Main.UsageException("bench: --ipmasq is for the bench's own network; with --conf, set ipMasq in the"
          + " file");
    }
    int warm = warmup != null ? warmup : Math.max(concurrency, DEFAULT_WARMUP);
    capArgs.requireRoomFor(Math.max(pods, warm));
    return new BenchOptions(pods, concurrency, ipMasq, modes, json, warm, conf, capArgs);
  }

  private static String value(List<String> args, int i, String flag) throws Main.UsageException {
    if (i >= args.size()) {
      throw new Main.UsageException("bench: " + flag + " needs a value");
    }
    return args.get(i);
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
