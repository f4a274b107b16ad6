package io.jcni.demo;

import io.jcni.libcni.CniConfig;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.netfilter.FirewallExec;
import io.jcni.plugins.linux.Mounts;
import io.jcni.plugins.linux.NetNs;
import io.jcni.plugins.linux.RtNetlink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The ledger of everything a bench run made on the host — namespaces, attachments, the bridge, its state directory,
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
  private final List<String> bridges;
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
  private final Map<String, Attachment> attached = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  private int inFlight; // guarded by this
  private boolean claimed; // guarded by this
  private boolean mounted; // guarded by this
  private String ipForwardBefore; // guarded by this

  /** The teardown of a run on {@code site} over {@code bridges} (see {@link BenchSite#bridges}). */
  BenchTeardown(BenchSite site, List<String> bridges) {
    this.site = site;
    this.bridges = List.copyOf(bridges);
  }

  /**
   * Takes the site: refuses to run when its bridge or state directory already exists (another bench, or one that
   * was killed), records {@code ip_forward} and makes the state directory (0700) with a private {@code tmpfs} on
   * it. The tmpfs keeps the run's churn of result and address files off the host's disks and makes the figures the
   * same whatever {@code /run} is on: on a root filesystem without a journal (this project's CI VM), ext4 scans past
   * every recently deleted inode to create a file, which the bench's own churn made a tenth of an ADD, in both
   * modes.
   */
  synchronized void claim() throws CniException, IOException {
    try (RtNetlink host = RtNetlink.openCurrent()) {
      for (String bridge : bridges) {
        if (host.findLink(bridge).isPresent()) {
          throw new CniException(ErrorCode.INTERNAL, "bench: link " + bridge
              + " already exists (another bench running, or one that was killed: remove it with ip link del "
              + bridge + ")");
        }
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
      for (String bridge : bridges) {
        try (RtNetlink host = RtNetlink.openCurrent()) {
          if (host.findLink(bridge).isPresent()) {
            host.delete(bridge);
          }
        } catch (IOException | RuntimeException x) {
          errors.add("delete bridge " + bridge + ": " + x.getMessage());
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
    Path store = site.dataDir().resolve(site.network());
    if (Files.isDirectory(store)) {
      try (Stream<Path> files = Files.list(store)) {
        files.map(p -> p.getFileName().toString())
            .filter(n -> !n.equals("lock") && !n.startsWith("last_reserved_ip."))
            .sorted()
            .forEach(n -> out.add("host-local still reserves " + n + " in " + store));
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
   * What is still on the host after {@link #tearDown()}, judged from the outside: the bridge, the namespaces, the
   * state directory, rules naming the network (masquerade, port mappings) in {@code iptables-save} or {@code nft
   * list ruleset}, and firewall plugin rules for a pod address of the site's subnet. The chains every network
   * shares (portmap's {@code CNI-HOSTPORT-*}, the firewall's {@code CNI-FORWARD}) stay, as after Go's DEL.
   */
  List<String> leftovers(List<String> namespacesMade) {
    List<String> out = new ArrayList<>();
    try (RtNetlink host = RtNetlink.openCurrent()) {
      for (String bridge : bridges) {
        if (host.findLink(bridge).isPresent()) {
          out.add("link " + bridge + " still exists");
        }
      }
    } catch (IOException | RuntimeException x) {
      out.add("cannot list links: " + x.getMessage());
    }
    for (String ns : namespacesMade) {
      if (Files.exists(NetNs.pathOf(ns))) {
        out.add("namespace " + ns + " still exists");
      }
    }
    if (Files.exists(site.stateDir())) {
      out.add(site.stateDir() + " still exists");
    }
    // iptables-save prints the comment quoted, so the rule's own quotes come out as \"
    String iptComment = "name: \\\"" + site.network() + "\\\" id:";
    for (String table : List.of("iptables-save", "ip6tables-save")) {
      String dump = run(table);
      if (dump != null) {
        dump.lines().filter(l -> l.contains(iptComment) || l.startsWith("-A CNI-FORWARD ") && site.holdsAddressIn(l))
            .forEach(l -> out.add(table + ": " + l));
      }
    }
    String nft = run("nft", "list", "ruleset");
    if (nft != null) {
      String nftComment = "net: " + site.network() + ",";
      nft.lines().filter(l -> l.contains(nftComment)).forEach(l -> out.add("nft: " + l.trim()));
    }
    return out;
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
