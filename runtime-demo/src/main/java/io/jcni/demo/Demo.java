package io.jcni.demo;

import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.PluginConf;
import io.jcni.libcni.runtime.Attachment;
import io.jcni.libcni.runtime.CniRuntime;
import io.jcni.libcni.runtime.LoadError;
import io.jcni.libcni.runtime.Network;
import io.jcni.libcni.runtime.NetworkRequest;
import io.jcni.libcni.runtime.Placement;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Result;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.RtNetlink;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code jcni demo}: two sandboxes on the shipped in-process bridge + host-local network, attached, talking over
 * TCP, detached, and the machine checked to be as it was — one progress line per step, exit status 0 on success.
 *
 * <p>Everything runs inside this JVM (no plugin binaries): the network's plugin types must be registered
 * in-process, and the plugin path is empty so that nothing can be exec'd by accident. State goes to {@link
 * #STATE} (the result cache) and the network's own {@code dataDir}, both under {@code /run}, never to a real
 * node's {@code /var/lib/cni}. Whatever the demo made is undone at the end, after a failure and on Ctrl-C.
 */
public final class Demo {
  static final String NETWORK = "jcni-demo";
  static final List<String> SANDBOXES = List.of("jcni-demo-a", "jcni-demo-b");
  static final String IFNAME = "eth0";
  /** The demo's own state: result cache and ownership marker. */
  static final Path STATE = Path.of("/run/jcni-demo");
  private static final int STEPS = 8;

  private final PrintStream out;
  private final Path confDir;
  private final DemoProgress progress;
  private volatile boolean stopRequested;
  private final CountDownLatch settled = new CountDownLatch(1);

  private Demo(PrintStream out, Path confDir) {
    this.out = out;
    this.confDir = confDir;
    this.progress = new DemoProgress(out, STEPS);
  }

  /** A step that failed; its message is the one line the user sees. */
  static final class DemoFailure extends Exception {
    private static final long serialVersionUID = 1L;

    DemoFailure(String msg) {
      super(msg);
    }

    DemoFailure(String msg, Throwable cause) {
      super(msg, cause);
    }
  }

  /**
   * Runs the demo and returns the exit status: 0 when everything worked and nothing is left, 1 otherwise (also
   * when not root), 2 for a bad command line. Options: {@code --conf DIR} (default: the repository's {@code conf/});
   * {@code --nodes N} runs the multi-node demo ({@link DemoNodes}) instead.
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, out, err, isRoot());
  }

  static int run(List<String> args, PrintStream out, PrintStream err, boolean root) {
    Path conf = null;
    Integer nodes = null;
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--conf") && i + 1 < args.size()) {
        conf = Path.of(args.get(++i));
      } else if (args.get(i).equals("--nodes") && i + 1 < args.size()) {
        try {
          nodes = Integer.valueOf(args.get(++i));
        } catch (NumberFormatException e) {
          err.println("jcni demo: --nodes takes a number, not " + args.get(i));
          return 2;
        }
      } else {
        err.println("jcni demo: unknown argument " + args.get(i) + " (usage: jcni demo [--conf DIR] | jcni demo "
            + "--nodes N)");
        return 2;
      }
    }
    if (nodes != null) {
      if (conf != null) {
        err.println("jcni demo: --nodes makes its own per-node networks; it takes no --conf");
        return 2;
      }
      return DemoNodes.run(nodes, out, err, root);
    }
    if (!root) {
      err.println("jcni demo: needs root: it creates network namespaces and a bridge (try: sudo ./jcni demo)");
      return 1;
    }
    try {
      conf = conf != null ? conf : defaultConfDir();
    } catch (DemoFailure e) {
      err.println("jcni demo: " + e.getMessage());
      return 1;
    }
    Demo demo = new Demo(out, conf);
    try {
      demo.runSteps();
      out.println("jcni demo: ok — two sandboxes attached, talked over TCP, detached; nothing left behind");
      return 0;
    } catch (DemoFailure e) {
      demo.closeLine();
      err.println("jcni demo: " + e.getMessage());
      return 1;
    }
  }

  private void runSteps() throws DemoFailure {
    begin("checking the network in " + confDir + " and its in-process plugins");
    Network network = loadNetwork();
    NetworkConfigList list = network.config();
    PluginConf bridgePlugin = list.plugins().get(0);
    String bridge = bridgePlugin.config().path("bridge").asText("cni0");
    Path dataDir = Path.of(bridgePlugin.config().at("/ipam/dataDir").asText("/var/lib/cni/networks"));
    PluginRegistry registry = PluginRegistry.discover();
    Set<String> types = new LinkedHashSet<>();
    for (PluginConf p : list.plugins()) {
      types.add(p.type());
      if (!p.ipamType().isEmpty()) {
        types.add(p.ipamType());
      }
    }
    for (String t : types) {
      if (!registry.has(t)) {
        throw new DemoFailure("plugin type \"" + t + "\" of " + network.file() + " is not registered in-process "
            + "(is the plugins module on the class path?); the demo never execs plugin binaries");
      }
    }
    ok(network.file().getFileName() + ": " + String.join(" + ", types) + ", bridge " + bridge);

    NetNs host;
    DemoCleanup cleanup;
    try {
      host = NetNs.current();
      cleanup = DemoCleanup.start(host, NETWORK, bridge);
    } catch (IOException e) {
      throw new DemoFailure("cannot inspect the host namespace: " + e.getMessage(), e);
    }
    // Ctrl-C: the hook asks the demo to stop at its next step, waits until it has undone its work, and undoes
    // whatever is still there itself if the demo does not settle (a step stuck in the kernel or on the network).
    Thread hook = new Thread(() -> {
      stopRequested = true;
      try {
        settled.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<String> problems = cleanup.undo();
      if (!problems.isEmpty()) {
        System.err.println("jcni demo: interrupted; could not undo: " + String.join("; ", problems));
      }
    }, "jcni-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      DemoFailure failure = null;
      try {
        preflight(host, bridge, dataDir);
        cleanup.dir(STATE);
        if (!dataDir.startsWith(STATE)) {
          cleanup.dir(dataDir.resolve(NETWORK));
        }
        mainSteps(cleanup, dataDir, bridge);
      } catch (DemoFailure e) {
        failure = e;
      }
      if (failure != null) {
        closeLine();
        out.println("      undoing what the demo made …");
        List<String> problems = cleanup.undo();
        throw new DemoFailure(failure.getMessage() + (problems.isEmpty() ? "" : "; could not undo: "
            + String.join("; ", problems)), failure);
      }
    } finally {
      settled.countDown();
      host.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it has what it needs
      }
    }
  }

  private void mainSteps(DemoCleanup cleanup, Path dataDir, String bridgeName) throws DemoFailure {
    begin("creating sandboxes " + String.join(", ", SANDBOXES));
    List<NetNs> sandboxes = new ArrayList<>();
    try {
      for (String s : SANDBOXES) {
        cleanup.sandbox(s);
        sandboxes.add(NetNs.create(s));
      }
    } catch (IOException e) {
      throw new DemoFailure("cannot create a network namespace: " + e.getMessage(), e);
    }
    ok(NetNs.RUN_DIR.toString());

    try (CniRuntime cni = CniRuntime.builder()
        .confDir(confDir)
        .cacheDir(STATE.resolve("cache"))
        .pluginPath(List.of())
        .registry(PluginRegistry.discover())
        .placement(Placement.inlineWhenRegistered())
        .build()) {
      cleanup.attachments(cni, IFNAME);
      List<InetAddress> addresses = new ArrayList<>();
      Result shown = null;
      for (String s : SANDBOXES) {
        begin("attaching " + s + " to " + NETWORK + " as " + IFNAME);
        Attachment a;
        try {
          a = cni.attach(s, NetNs.pathOf(s).toString(), List.of(NetworkRequest.of(NETWORK, IFNAME))).get(0);
        } catch (io.jcni.libcni.types.CniException e) {
          throw new DemoFailure("attach " + s + ": " + e.getMessage() + " (CNI error " + e.code() + ")", e);
        }
        for (io.jcni.libcni.types.Interface i : asV1(a.result()).interfaces()) {
          if (i.sandbox().isEmpty() && !i.name().equals(bridgeName)) {
            cleanup.hostLink(i.name());
          }
        }
        IpConfig ip = firstIp(a.result());
        addresses.add(ip.address().ip());
        ok(ip.address() + (ip.gateway() == null ? "" : " via " + ip.gateway().getHostAddress()));
        shown = shown == null ? a.result() : shown;
      }
      out.println("      result of the first attach:");
      for (String line : new String(shown.toPrettyJson(), StandardCharsets.UTF_8).split("\n")) {
        out.println("      " + line);
      }

      begin("TCP exchange: " + SANDBOXES.get(1) + " connects to " + SANDBOXES.get(0) + " at "
          + addresses.get(0).getHostAddress());
      String line = "hello from " + SANDBOXES.get(1);
      DemoTcp.Exchange ex;
      try {
        ex = DemoTcp.exchange(sandboxes.get(0), addresses.get(0), sandboxes.get(1), line,
            "hello back from " + SANDBOXES.get(0) + ", you said: ");
      } catch (IOException e) {
        throw new DemoFailure("TCP exchange between the sandboxes failed: " + e.getMessage(), e);
      }
      String expected = "hello back from " + SANDBOXES.get(0) + ", you said: " + line;
      if (!line.equals(ex.received()) || !expected.equals(ex.reply())) {
        throw new DemoFailure("TCP exchange garbled: server got " + ex.received() + ", client got " + ex.reply());
      }
      ok("port " + ex.port() + ": \"" + ex.received() + "\" → \"" + ex.reply() + "\"");

      begin("detaching " + String.join(", ", SANDBOXES));
      for (int i = SANDBOXES.size() - 1; i >= 0; i--) {
        String s = SANDBOXES.get(i);
        try {
          cni.detach(s, NetNs.pathOf(s).toString(), List.of(NetworkRequest.of(NETWORK, IFNAME)));
        } catch (io.jcni.libcni.types.CniException e) {
          throw new DemoFailure("detach " + s + ": " + e.getMessage(), e);
        }
      }
      try {
        if (!cni.cachedAttachments("").isEmpty()) {
          throw new DemoFailure("the result cache still holds " + cni.cachedAttachments(""));
        }
        List<String> held = reservations(dataDir.resolve(NETWORK));
        if (!held.isEmpty()) {
          throw new DemoFailure("host-local still holds " + held);
        }
      } catch (io.jcni.libcni.types.CniException | IOException e) {
        throw new DemoFailure("cannot read the demo's state: " + e.getMessage(), e);
      }
      cleanup.detached();
      ok("cache empty, addresses released");
    } finally {
      sandboxes.forEach(NetNs::close);
    }

    begin("removing sandboxes, bridge and " + STATE);
    List<String> problems = cleanup.undo();
    if (!problems.isEmpty()) {
      throw new DemoFailure("cleanup: " + String.join("; ", problems));
    }
    ok("");

    begin("verifying nothing is left");
    List<String> left;
    try {
      left = cleanup.leftovers();
    } catch (IOException e) {
      throw new DemoFailure("cannot verify: " + e.getMessage(), e);
    }
    if (!left.isEmpty()) {
      throw new DemoFailure("left behind: " + String.join(", ", left));
    }
    ok("no namespace, link, sysctl change or file left");
  }

  /** Refuses to run over things the demo did not make; an interrupted earlier demo is tidied up first. */
  private void preflight(NetNs host, String bridge, Path dataDir) throws DemoFailure {
    Path marker = STATE.resolve("owner");
    try {
      if (Files.exists(marker)) {
        long pid = Long.parseLong(Files.readString(marker).trim());
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          throw new DemoFailure("another jcni demo is running (pid " + pid + ")");
        }
        // A demo killed with SIGKILL: everything it could have made has our names; undo it.
        for (String s : SANDBOXES) {
          if (Files.exists(NetNs.pathOf(s))) {
            NetNs.delete(s);
          }
        }
        try (var nl = RtNetlink.open(host)) {
          if (nl.findLink(bridge).isPresent()) {
            nl.delete(bridge);
          }
        }
        deleteQuietly(STATE);
      }
      for (String s : SANDBOXES) {
        if (Files.exists(NetNs.pathOf(s))) {
          throw new DemoFailure("network namespace " + s + " exists and was not made by jcni demo; remove it "
              + "with: ip netns del " + s);
        }
      }
      try (var nl = RtNetlink.open(host)) {
        if (nl.findLink(bridge).isPresent()) {
          throw new DemoFailure("link " + bridge + " exists and was not made by jcni demo; remove it with: ip link "
              + "del " + bridge + " (or point --conf at another network)");
        }
      }
      if (!dataDir.startsWith(STATE) && Files.exists(dataDir.resolve(NETWORK))) {
        throw new DemoFailure(dataDir.resolve(NETWORK) + " exists; the demo only uses a store it made itself");
      }
      Files.createDirectories(STATE);
      Files.writeString(marker, ProcessHandle.current().pid() + "\n");
    } catch (IOException | NumberFormatException e) {
      throw new DemoFailure("cannot prepare " + STATE + ": " + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private Network loadNetwork() throws DemoFailure {
    try (CniRuntime probe = CniRuntime.builder().confDir(confDir).cacheDir(STATE.resolve("cache")).build()) {
      Optional<Network> n = probe.networks().get(NETWORK);
      if (n.isEmpty()) {
        StringBuilder why = new StringBuilder("no network \"" + NETWORK + "\" in " + confDir);
        for (LoadError e : probe.loadErrors()) {
          why.append("; ").append(e);
        }
        throw new DemoFailure(why.toString());
      }
      return n.get();
    }
  }

  private static Result100 asV1(Result r) throws DemoFailure {
    try {
      return (Result100) r.convertTo("1.1.0");
    } catch (io.jcni.libcni.types.CniException e) {
      throw new DemoFailure("unexpected attach result: " + e.getMessage(), e);
    }
  }

  private static IpConfig firstIp(Result r) throws DemoFailure {
    Result100 v1 = asV1(r);
    if (v1.ips().isEmpty()) {
      throw new DemoFailure("the attach result has no IP address");
    }
    return v1.ips().get(0);
  }

  private static List<String> reservations(Path store) throws IOException {
    if (!Files.isDirectory(store)) {
      return List.of();
    }
    try (var s = Files.list(store)) {
      return s.map(p -> p.getFileName().toString())
          .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip")).toList();
    }
  }

  private void begin(String what) throws DemoFailure {
    if (stopRequested) {
      throw new DemoFailure("interrupted");
    }
    progress.begin(what);
  }

  /** Ends an unfinished progress line with FAILED. */
  private void closeLine() {
    progress.closeLine();
  }

  private void ok(String detail) {
    progress.ok(detail);
  }

  static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // effective uid
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** The repository's {@code conf/}: {@code JCNI_REPO_ROOT}, else next to the jar's module, else ./conf. */
  static Path defaultConfDir() throws DemoFailure {
    List<Path> candidates = new ArrayList<>();
    String root = System.getenv("JCNI_REPO_ROOT");
    if (root != null) {
      candidates.add(Path.of(root, "conf"));
    }
    try {
      Path code = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = code.getParent(); p != null; p = p.getParent()) {
        candidates.add(p.resolve("conf"));
      }
    } catch (URISyntaxException | RuntimeException ignored) {
      // no code source (unusual class loader): fall back to the working directory
    }
    candidates.add(Path.of("conf").toAbsolutePath());
    for (Path c : candidates) {
      if (Files.isRegularFile(c.resolve("10-jcni-demo.conflist"))) {
        return c;
      }
    }
    throw new DemoFailure("cannot find conf/10-jcni-demo.conflist (looked in " + candidates + "); use --conf DIR");
  }
}
