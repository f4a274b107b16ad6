package io.jcni.plugins.internal.bridge;

import static io.jcni.plugins.internal.bridge.BridgeAddDelTest.ipam;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.TestNetns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures ADD and DEL latency of the in-process bridge (with in-process host-local) against the Go binaries
 * exec'd (bridge + host-local, as a runtime would), with and without ipMasq, over N pods on one bridge.
 * Not a test: run it by hand as root, e.g.
 *
 * <pre>
 * mvn -q -B -o -pl plugins -am test-compile
 * java -cp "$(cat plugins/target/test-classpath.txt)" io.jcni.plugins.internal.bridge.BridgeBench 50
 * </pre>
 */
public final class BridgeBench {
  private BridgeBench() {}

  public static void main(String[] argv) throws Exception {
    int pods = argv.length > 0 ? Integer.parseInt(argv[0]) : 50;
    System.out.printf("%d pods per run; times in ms (p50 / mean / p90)%n", pods);
    long nsExec = nsExecOverheadNanos();
    System.out.printf("ip netns exec <ns> true: p50 %.2f ms (included in the Go numbers: the Go plugin must be started"
        + " inside the test's host namespace)%n", nsExec / 1e6);
    // warm up the JIT so the in-process numbers show steady state, as in a long-running runtime
    run("jcni-warmup", Mode.JCNI_FIXED_HOST, false, 20, true);
    for (boolean masq : new boolean[] {false, true}) {
      run("jcni, host fixed", Mode.JCNI_FIXED_HOST, masq, pods, false);
      run("jcni, caller's ns", Mode.JCNI_CALLER_NS, masq, pods, false);
      run("Go exec'd", Mode.GO, masq, pods, false);
    }
  }

  /**
   * How the plugin is driven: in process with the host namespace given to the plugin (as the tests do), in
   * process called from a thread that is in the host namespace (as a runtime in the host would), or exec'd.
   */
  private enum Mode {
    JCNI_FIXED_HOST,
    JCNI_CALLER_NS,
    GO
  }

  private static void run(String label, Mode mode, boolean masq, int pods, boolean quiet) throws Exception {
    try (BridgeEnv env = BridgeEnv.create()) {
      if (mode == Mode.JCNI_CALLER_NS) {
        env.host.runIn(() -> {
          measure(env, label, mode, masq, pods, quiet);
          return null;
        });
      } else {
        measure(env, label, mode, masq, pods, quiet);
      }
    }
  }

  private static void measure(BridgeEnv env, String label, Mode mode, boolean masq, int pods, boolean quiet)
      throws Exception {
    boolean go = mode == Mode.GO;
    BridgePlugin plugin = mode == Mode.JCNI_CALLER_NS ? new BridgePlugin() : env.plugin;
    {
      String conf = env.conf("1.0.0", "{\"isDefaultGateway\":true,\"ipMasq\":" + masq + ",\"ipam\":"
          + ipam("10.250.0.0/16") + "}");
      List<TestNetns> cs = new ArrayList<>();
      for (int i = 0; i < pods; i++) {
        cs.add(env.container());
      }
      long[] add = new long[pods];
      long[] del = new long[pods];
      for (int i = 0; i < pods; i++) {
        CmdArgs a = BridgeEnv.args("bench-" + i, cs.get(i).path(), "eth0", conf);
        long t = System.nanoTime();
        if (go) {
          env.go(Command.ADD, a);
        } else {
          plugin.add(a, env.ctx);
        }
        add[i] = System.nanoTime() - t;
      }
      for (int i = 0; i < pods; i++) {
        CmdArgs a = BridgeEnv.args("bench-" + i, cs.get(i).path(), "eth0", conf);
        long t = System.nanoTime();
        if (go) {
          env.go(Command.DEL, a);
        } else {
          plugin.del(a, env.ctx);
        }
        del[i] = System.nanoTime() - t;
      }
      if (!quiet) {
        System.out.printf("%-18s ipMasq=%-5s ADD %s   DEL %s%n", label, masq, stats(add), stats(del));
      }
    }
  }

  private static long nsExecOverheadNanos() throws Exception {
    try (TestNetns ns = TestNetns.create("brb")) {
      long[] t = new long[20];
      for (int i = 0; i < t.length; i++) {
        long s = System.nanoTime();
        TestNetns.run("ip", "netns", "exec", ns.name(), "true");
        t[i] = System.nanoTime() - s;
      }
      Arrays.sort(t);
      return t[t.length / 2];
    }
  }

  private static String stats(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    double mean = Arrays.stream(s).average().orElse(0);
    return String.format("%6.2f / %6.2f / %6.2f", s[s.length / 2] / 1e6, mean / 1e6, s[(int) (s.length * 0.9)] / 1e6);
  }
}
