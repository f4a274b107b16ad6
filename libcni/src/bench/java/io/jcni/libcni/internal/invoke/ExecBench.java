package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.internal.cache.CacheEntry;
import io.jcni.libcni.internal.cache.ResultCache;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.testing.TestBin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Prints how long plugin execs and cache writes take (no assertions; run by hand):
 * {@code java -cp <test-classpath> io.jcni.libcni.internal.invoke.ExecBench [iterations]}.
 */
public final class ExecBench {
  private ExecBench() {}

  public static void main(String[] argv) throws Exception {
    int n = argv.length > 0 ? Integer.parseInt(argv[0]) : 100;
    RawExec exec = new RawExec(null);
    byte[] conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"noop\"}".getBytes(StandardCharsets.UTF_8);
    Path tmp = Files.createTempDirectory("jcni-bench");
    Path debug = Files.writeString(tmp.resolve("debug"), "{\"ReportResult\":\"{}\"}");
    CmdArgs args = new CmdArgs("cid", "/ns", "eth0", "DEBUG=" + debug, List.of("/usr/lib/cni"), conf);
    if (Files.isExecutable(Path.of("/usr/lib/cni/loopback"))) {
      time("exec Go loopback VERSION", n, () ->
          exec.exec(Path.of("/usr/lib/cni/loopback"), VersionInfo.REQUEST, PluginEnv.of(Command.VERSION, args), Deadline.none()));
    }
    time("exec /bin/true", n, () -> {
      try {
        exec.exec(Path.of("/bin/true"), conf, PluginEnv.of(Command.ADD, args), Deadline.none());
      } catch (io.jcni.libcni.types.CniException e) {
        throw new IllegalStateException(e);
      }
    });
    time("exec test-bin/noop ADD (bash+jq)", Math.max(1, n / 5), () ->
        exec.exec(TestBin.plugin("noop"), conf, PluginEnv.of(Command.ADD, args), Deadline.none()));
    ResultCache cache = new ResultCache(tmp.resolve("cache"));
    int[] i = {0};
    time("cache put (atomic, fsync)", n, () -> cache.put(new CacheEntry("net", "c" + (i[0]++), "eth0", conf, "/ns",
        null, null, GoJson.mapper().createObjectNode().put("cniVersion", "1.0.0"))));
    time("cache get", n, () -> cache.get("net", "c1", "eth0"));
    time("cache attachments(\"\") over " + n + " files", 10, () -> cache.attachments(""));
  }

  private interface Op {
    void run() throws Exception;
  }

  private static void time(String what, int n, Op op) throws Exception {
    op.run();
    long start = System.nanoTime();
    for (int k = 0; k < n; k++) {
      op.run();
    }
    double ms = (System.nanoTime() - start) / 1e6 / n;
    System.out.printf("%-45s n=%-5d %8.3f ms/op%n", what, n, ms);
  }
}
