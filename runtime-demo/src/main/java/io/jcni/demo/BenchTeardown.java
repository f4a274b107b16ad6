package io.jcni.demo;

import io.jcni.libcni.CniConfig;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.Mounts;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.Route;
import io.jcni.plugins.internal.linux.RouteEntry;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The ledger of everything a bench run made on the host — namespaces, attachments, the bridges of its networks (their
 * {@link BenchHostEnd}s), its state directory,
 * the host's {@code ip_forward} it may have turned on — and the one place that undoes it: after the run, after a
 * failure, or from the shutdown hook on Ctrl-C.
 *
 * <p>Work registers with {@link #begin()}/{@link #end()}; once {@link #stop()} is called no new work starts, and the
 * teardown waits for the work in flight, so it never races a half-made attachment.
 */
final class BenchTeardown {
  private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
  private static final long DRAIN_MILLIS = 120_000;
  private static final int TEARDOWN_THREADS = 8;

  /** One pod attached and not yet detached, with what it takes to detach it. */
  record Attachment(CniConfig cni, NetworkConfigList list, RuntimeConf rt) {}

  private final BenchSite site;
  private final List<BenchNetwork> networks;
  private final List<String> claimedLinks;
  private final List<String> sharedLinks;
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
  private final Map<String, Attachment> attached = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  private int inFlight; // guarded by this
  private boolean claimed; // guarded by this
  private boolean mounted; // guarded by this
  private String ipForwardBefore; // guarded by this

  /**
   * The teardown of a run with the names and state directory of {@code site} over {@code networks}, each with
   * {@code pods} measured and {@code warmup} warm-up pods.
   */
  BenchTeardown(BenchSite site, List<BenchNetwork> networks, int pods, int warmup) {
    this.site = site;
    this.networks = List.copyOf(networks);
    List<String> claimed = new ArrayList<>();
    List<String> shared = new ArrayList<>();
    for (BenchNetwork n : networks) {
      claimed.addAll(n.hostEnd().links(n.containerIds(pods, warmup)));
      shared.addAll(n.hostEnd().shared());
    }
    this.claimedLinks = List.copyOf(claimed);
    this.sharedLinks = List.copyOf(shared);
  }

  /**
   * Takes the site: refuses to run when one of its links (bridges, named host ends), namespaces or its state
   * directory already exists (another bench with the same names, or one that was killed), records
   * {@code ip_forward} and makes the state directory (0700) with a private {@code tmpfs} on it. The tmpfs keeps the
   * run's churn of result and address files off the host's disks and makes the figures the same whatever
   * {@code /run} is on: on a root filesystem without a journal (this project's CI VM), ext4 scans past
   * every recently deleted inode to create a file, which the bench's own churn made a tenth of an ADD, in both
   * modes.
   */
  synchronized void claim() throws CniException, IOException {
    try (RtNetlink host = RtNetlink.openCurrent()) {
      Set<String> existing = linkNames(host);
      for (String link : claimedLinks) {
        if (existing.contains(link)) {
          throw new CniException(ErrorCode.INTERNAL, "bench: link " + link
              + " already exists (another bench with these names running, or one that was killed: remove it with"
              + " ip link del " + link + ", or choose another --prefix)");
        }
      }
    }
    for (BenchNetwork n : networks) {
      String clash = firstNamespace(n.site().netnsPrefix());
      if (clash != null) {
        throw new CniException(ErrorCode.INTERNAL, "bench: namespace " + clash + " already exists (another bench"
            + " with these names running, or one that was killed: remove it with ip netns del " + clash
            + ", or choose another --prefix)");
      }
    }
    if (Files.exists(site.stateDir())) {
      throw new CniException(ErrorCode.INTERNAL, "bench: state directory " + site.stateDir() + " already exists");
    }
    ipForwardBefore = firstLine(IP_FORWARD);
    Files.createDirectories(site.stateDir().getParent());
    Files.createDirectory(site.stateDir(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    claimed = true;
    Mounts.tmpfs(site.stateDir(), "mode=0700,size=256m");
    mounted = true;
  }

  /** Registers one piece of work; false once the run is stopping, and then the work must not start. */
  synchronized boolean begin() {
    if (stopping) {
      return false;
    }
    inFlight++;
    return true;
  }

  /** Ends a piece of work registered with {@link #begin()}. */
  synchronized void end() {
    inFlight--;
    notifyAll();
  }

  /** Whether {@link #stop()} has been called. */
  boolean stopping() {
    return stopping;
  }

  /** Lets no new work start and waits (up to two minutes) for the work in flight. */
  synchronized void stop() {
    stopping = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
    while (inFlight > 0) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return;
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  void namespaceCreated(String name) {
    namespaces.add(name);
  }

  void namespaceDeleted(String name) {
    namespaces.remove(name);
  }

  void attached(String containerId, Attachment a) {
    attached.put(containerId, a);
  }

  void detached(String containerId) {
    attached.remove(containerId);
  }

  /** How many pods are attached right now. */
  int attachedCount() {
    return attached.size();
  }

  /**
   * Undoes everything still recorded: DELs the attached pods, deletes the namespaces, the bridge and the state
   * directory, and puts {@code ip_forward} back. Idempotent; every step is tried even when an earlier one failed.
   *
   * @return what could not be undone, one line each
   */
  synchronized List<String> tearDown() {
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    delAttached(errors);
    for (String ns : List.copyOf(namespaces)) {
      try {
        NetNs.delete(ns);
        namespaces.remove(ns);
      } catch (NoSuchFileException gone) {
        namespaces.remove(ns);
      } catch (IOException | RuntimeException x) {
        if (!Files.exists(NetNs.pathOf(ns))) {
          namespaces.remove(ns);
        } else {
          errors.add("delete namespace " + ns + ": " + x.getMessage());
        }
      }
    }
    if (claimed) {
      for (String link : sharedLinks) {
        try (RtNetlink host = RtNetlink.openCurrent()) {
          if (host.findLink(link).isPresent()) {
            host.delete(link);
          }
        } catch (IOException | RuntimeException x) {
          errors.add("delete link " + link + ": " + x.getMessage());
        }
      }
      try {
        if (mounted) {
          // Detached, not just emptied: a watch or open file of a plugin must not keep the directory busy.
          Mounts.unmount(site.stateDir());
          mounted = false;
        }
        deleteTree(site.stateDir());
      } catch (IOException | RuntimeException x) {
        errors.add("remove " + site.stateDir() + ": " + x.getMessage());
      }
      try {
        if (ipForwardBefore != null && !firstLine(IP_FORWARD).equals(ipForwardBefore)) {
          Files.writeString(IP_FORWARD, ipForwardBefore);
        }
      } catch (IOException | RuntimeException x) {
        errors.add("restore " + IP_FORWARD + " to " + ipForwardBefore + ": " + x.getMessage());
      }
    }
    return List.copyOf(errors);
  }

  /**
   * DELs every pod still attached, {@link #TEARDOWN_THREADS} at a time on fresh platform threads (a Ctrl-C with 200
   * exec'd pods attached would otherwise wait for 200 DELs in a row).
   */
  private void delAttached(List<String> errors) {
    List<Map.Entry<String, Attachment>> todo = new ArrayList<>(Map.copyOf(attached).entrySet());
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      for (int i = next.getAndIncrement(); i < todo.size(); i = next.getAndIncrement()) {
        Map.Entry<String, Attachment> e = todo.get(i);
        Attachment a = e.getValue();
        try {
          a.cni().delNetworkList(a.list(), a.rt());
          attached.remove(e.getKey());
        } catch (CniException | RuntimeException x) {
          errors.add("DEL " + e.getKey() + ": " + x.getMessage());
        }
      }
    };
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < Math.min(TEARDOWN_THREADS, todo.size()); t++) {
      Thread th = new Thread(worker, "jcni-bench-teardown-" + t);
      th.start();
      threads.add(th);
    }
    boolean interrupted = false;
    for (Thread th : threads) {
      while (th.isAlive()) {
        try {
          th.join();
        } catch (InterruptedException x) {
          interrupted = true; // the DELs are running; their outcome decides what is left
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * What the DELs should have released but did not, checked before the state directory goes: host-local addresses
   * still reserved and cached results still present.
   */
  List<String> unreleased() throws IOException {
    List<String> out = new ArrayList<>();
    for (BenchNetwork network : networks) {
      Path store = site.dataDir().resolve(network.name());
      if (Files.isDirectory(store)) {
        try (Stream<Path> files = Files.list(store)) {
          files.map(p -> p.getFileName().toString())
              .filter(n -> !n.equals("lock") && !n.startsWith("last_reserved_ip."))
              .sorted()
              .forEach(n -> out.add("host-local still reserves " + n + " in " + store));
        }
      }
    }
    Path results = site.cacheDir().resolve("results");
    if (Files.isDirectory(results)) {
      try (Stream<Path> files = Files.list(results)) {
        files.sorted().forEach(p -> out.add("cached result left: " + p));
      }
    }
    return out;
  }

  /**
   * What is still on the host after {@link #tearDown()}, judged from the outside: the bridges and named host ends,
   * host routes to a pod address (what a ptp or jcni-routed host end leaves), the namespaces, the state directory,
   * rules naming a network (masquerade, port mappings) in {@code iptables-save} or {@code nft list ruleset}, and
   * firewall plugin rules for a pod address of a network's subnet. The chains every network shares (portmap's
   * {@code CNI-HOSTPORT-*}, the firewall's {@code CNI-FORWARD}) stay, as after Go's DEL.
   */
  List<String> leftovers(List<String> namespacesMade) {
    List<String> out = new ArrayList<>();
    try (RtNetlink host = RtNetlink.openCurrent()) {
      Set<String> existing = linkNames(host);
      claimedLinks.stream().filter(existing::contains).forEach(l -> out.add("link " + l + " still exists"));
      for (RouteEntry r : host.routes(Family.IPV4, Route.TABLE_MAIN)) {
        String dst = r.dst().ip().getHostAddress();
        if (r.dst().prefixLength() == 32 && networks.stream().anyMatch(n -> n.site().holds(dst))) {
          out.add("host route " + r.dst() + " (ifindex " + r.oif() + ") still exists");
        }
      }
    } catch (IOException | RuntimeException x) {
      out.add("cannot list links and routes: " + x.getMessage());
    }
    for (String ns : namespacesMade) {
      if (Files.exists(NetNs.pathOf(ns))) {
        out.add("namespace " + ns + " still exists");
      }
    }
    if (Files.exists(site.stateDir())) {
      out.add(site.stateDir() + " still exists");
    }
    for (String table : List.of("iptables-save", "ip6tables-save")) {
      String dump = run(table);
      if (dump != null) {
        dump.lines().filter(l -> networks.stream().anyMatch(n -> namesIn(l, n.site())))
            .forEach(l -> out.add(table + ": " + l));
      }
    }
    String nft = run("nft", "list", "ruleset");
    if (nft != null) {
      nft.lines().filter(l -> networks.stream().anyMatch(n -> l.contains("net: " + n.name() + ",")))
          .forEach(l -> out.add("nft: " + l.trim()));
    }
    return out;
  }

  /** Whether an {@code iptables-save} line is a rule of {@code s}'s network or a firewall rule for its pods. */
  private static boolean namesIn(String line, BenchSite s) {
    // iptables-save prints the comment quoted, so the rule's own quotes come out as \"
    return line.contains("name: \\\"" + s.network() + "\\\" id:")
        || line.startsWith("-A CNI-FORWARD ") && s.holdsAddressIn(line);
  }

  private static Set<String> linkNames(RtNetlink host) throws IOException {
    Set<String> out = new HashSet<>();
    for (Link l : host.links()) {
      out.add(l.name());
    }
    return out;
  }

  /** The first namespace in {@code /run/netns} whose name starts with {@code prefix}, or null. */
  private static String firstNamespace(String prefix) throws IOException {
    if (!Files.isDirectory(NetNs.RUN_DIR)) {
      return null;
    }
    try (Stream<Path> s = Files.list(NetNs.RUN_DIR)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().findFirst()
          .orElse(null);
    }
  }

  /** Runs a read-only firewall tool and returns its stdout, or null when it is not installed or fails. */
  private static String run(String... argv) {
    try {
      return FirewallExec.host().run(List.of(argv), null);
    } catch (CniException e) {
      return null;
    }
  }

  /**
   * The first line of a /proc/sys file, trimmed. Not {@code Files.readString}: on this JDK it returns only the first
   * byte of a sysctl file, which reports a size of zero.
   */
  private static String firstLine(Path p) throws IOException {
    List<String> lines = Files.readAllLines(p);
    return lines.isEmpty() ? "" : lines.get(0).trim();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
