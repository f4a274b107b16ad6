package io.jcni.libcni.runtime;

import io.jcni.libcni.CachedConfig;
import io.jcni.libcni.CniConfig;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.GcAttachment;
import io.jcni.libcni.NetworkAttachment;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.NotFoundException;
import io.jcni.libcni.OperationLog;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.internal.cache.ResultCache;
import io.jcni.libcni.internal.runtime.ContainerLocks;
import io.jcni.libcni.invoke.PluginInvoker;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.NetworkResult;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Result;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The CNI façade for embedding runtimes (jcni's counterpart of containerd's go-cni): keeps the networks of a
 * configuration directory loaded, attaches sandboxes to them and detaches them again, garbage-collects stale
 * attachments and reports each network's status.
 *
 * <p><b>Loading.</b> The directory is read when the runtime is built and again on {@link #reload()}, or by itself
 * after {@link #watch()}. A file that cannot be used is reported in {@link #loadErrors()} with its path; the other
 * networks stay usable. Each operation works on the snapshot current when it started.
 *
 * <p><b>Concurrency.</b> Thread-safe. Operations on one container ID are serialised (the CNI specification forbids
 * parallel operations on a container); operations on different containers run in parallel, with no lock shared
 * between them while plugins run. {@link #gc} is exclusive with every attach and detach, as the specification
 * asks.
 *
 * <p><b>Failures.</b> A failed attach leaves nothing behind: the failing network's chain is rolled back by libcni
 * and the networks already attached in the same call are detached. Detaching is best effort: it goes on across
 * networks and reports every error together; a sandbox whose namespace is already gone is detached without one,
 * as the specification allows.
 *
 * <p><b>In-process or exec.</b> A {@link Placement} decides per network and plugin type whether a plugin
 * registered in the {@link PluginRegistry} runs in-process; everything else is exec'd from the plugin path.
 */
public final class CniRuntime implements AutoCloseable {
  private final Path confDir;
  private final List<String> pluginPath;
  private final Path cacheDir;
  private final PluginRegistry registry;
  private final Placement placement;
  private final Duration timeout;
  private final Duration debounce;
  private final Duration execTimeout;
  private final OutputStream pluginStderr;
  private final PluginInvoker invoker;

  /** How long an operation waits for another one on the same container, or for GC, when no timeout is set. */
  static final Duration LOCK_WAIT_WITHOUT_TIMEOUT = Duration.ofMinutes(5);

  private final ContainerLocks containers = new ContainerLocks();
  private final Map<String, CniConfig> configs = new ConcurrentHashMap<>();
  /** Read-held by attach/detach/check, write-held by GC: GC must not overlap ADD or DEL. */
  private final ReadWriteLock gcExclusion = new ReentrantReadWriteLock();
  private final AtomicLong generations = new AtomicLong();
  private final Object reloadLock = new Object();
  private final List<Consumer<NetworkSet>> listeners = new CopyOnWriteArrayList<>();
  private volatile NetworkSet networks;
  private ConfWatcher watcher; // guarded by this
  private boolean closed; // guarded by this

  private CniRuntime(Builder b) {
    this.confDir = b.confDir;
    this.pluginPath = List.copyOf(b.pluginPath);
    this.cacheDir = b.cacheDir;
    this.registry = b.registry;
    this.placement = b.placement;
    this.timeout = b.timeout;
    this.debounce = b.debounce;
    this.execTimeout = b.execTimeout;
    this.pluginStderr = b.pluginStderr;
    this.invoker = b.invoker;
    this.networks = NetworkSet.load(confDir, generations.incrementAndGet());
  }

  /**
   * A builder with Go's defaults: configurations in {@code /etc/cni/net.d}, plugins in {@code /opt/cni/bin} and
   * {@code /usr/lib/cni}, cache in {@code /var/lib/cni}, no in-process plugins.
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---- networks ----------------------------------------------------------------------------------------------

  /** The networks as currently loaded. */
  public NetworkSet networks() {
    return networks;
  }

  /** The files of the last load that could not be used, each naming its file; empty when all loaded. */
  public List<LoadError> loadErrors() {
    return networks.errors();
  }

  /** Reads the configuration directory again and makes the result current; returns it. */
  public NetworkSet reload() {
    NetworkSet loaded;
    synchronized (reloadLock) {
      loaded = NetworkSet.load(confDir, generations.incrementAndGet());
      networks = loaded;
    }
    for (Consumer<NetworkSet> l : listeners) {
      l.accept(loaded);
    }
    return loaded;
  }

  /**
   * Calls {@code listener} with every set loaded from now on (by {@link #reload()} or the watch), on the thread
   * that loaded it.
   */
  public void onReload(Consumer<NetworkSet> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Starts watching the configuration directory: once changes have settled for the debounce period, it is
   * reloaded. Does nothing when already watching; {@link #close()} stops it.
   *
   * <p>The directory need not exist yet: the watch waits for it (checking every half second) and loads it once
   * it appears. When it is deleted, the networks become empty (attachments made earlier can still be detached
   * with their cached configuration); when it is back, or replaced by another directory, that one is watched and
   * loaded.
   *
   * @throws CniException code 5 when no watch can be set up (e.g. the system's inotify limits are exhausted)
   */
  public synchronized void watch() throws CniException {
    if (closed) {
      throw new IllegalStateException("CniRuntime is closed");
    }
    if (watcher != null) {
      return;
    }
    watcher = new ConfWatcher(confDir, debounce, this::reload);
    watcher.start();
    reload(); // changes made between the first load and the watch's start
  }

  // ---- attach ------------------------------------------------------------------------------------------------

  /**
   * Attaches container {@code containerId} (namespace {@code netns}) to the requested networks one after the
   * other, in order; see {@link #attachConcurrently}.
   */
  public List<Attachment> attach(String containerId, String netns, List<NetworkRequest> requests)
      throws CniException {
    return attach(containerId, netns, requests, false);
  }

  /**
   * Attaches container {@code containerId} (namespace {@code netns}) to the requested networks, all at the same
   * time (one thread per network), and returns the attachments in request order.
   *
   * <p>If any network fails, the ones that succeeded are detached again and the error of the first failed
   * request (in request order) is thrown, the others added as suppressed.
   *
   * @throws NotFoundException when a requested network is not loaded (nothing has run then); the files that
   *     failed to load are attached as suppressed exceptions
   * @throws CniException {@code network "N" (ifname): <libcni's error>} when a plugin failed, with its code
   */
  public List<Attachment> attachConcurrently(String containerId, String netns, List<NetworkRequest> requests)
      throws CniException {
    return attach(containerId, netns, requests, true);
  }

  private List<Attachment> attach(String containerId, String netns, List<NetworkRequest> requests,
      boolean concurrent) throws CniException {
    checkRequests(requests);
    NetworkSet set = networks;
    List<NetworkConfigList> lists = new ArrayList<>();
    for (NetworkRequest r : requests) {
      lists.add(require(set, r.network()));
    }
    return locked(containerId, () -> {
      int n = requests.size();
      Result[] results = new Result[n];
      CniException[] errors = new CniException[n];
      if (concurrent && n > 1) {
        inParallel(n, i -> results[i] = add(lists.get(i), runtimeConf(containerId, netns, requests.get(i))),
            errors, "jcni-attach-" + containerId);
      } else {
        for (int i = 0; i < n && firstError(errors) == null; i++) {
          try {
            results[i] = add(lists.get(i), runtimeConf(containerId, netns, requests.get(i)));
          } catch (CniException e) {
            errors[i] = e;
          }
        }
      }
      CniException failure = firstError(errors);
      if (failure != null) {
        for (CniException e : errors) {
          if (e != null && e != failure) {
            failure.addSuppressed(e);
          }
        }
        // Undone with the interrupt flag cleared (restored afterwards): a cancelled attach must still detach.
        boolean interrupted = Thread.interrupted();
        try {
          for (int i = n - 1; i >= 0; i--) {
            if (results[i] != null) {
              try {
                del(lists.get(i), runtimeConf(containerId, netns, requests.get(i)));
              } catch (CniException e) {
                failure.addSuppressed(e);
              }
            }
          }
        } finally {
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
        throw failure;
      }
      List<Attachment> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(new Attachment(containerId, requests.get(i).network(), requests.get(i).ifName(), results[i]));
      }
      return List.copyOf(out);
    });
  }

  private Result add(NetworkConfigList list, RuntimeConf rt) throws CniException {
    try {
      return config(list.name()).addNetworkList(list, rt);
    } catch (CniException e) {
      throw e.withPrefix(label(list.name(), rt.ifName())).concerning(list.name(), null, "ADD", rt.ifName());
    }
  }

  // ---- check -------------------------------------------------------------------------------------------------

  /**
   * Runs CHECK for each requested network, in order, with the capability and {@code CNI_ARGS} arguments of the
   * cached ADD when the request has none.
   *
   * @throws CniException the first failure, prefixed {@code network "N" (ifname): }
   */
  public void check(String containerId, String netns, List<NetworkRequest> requests) throws CniException {
    checkRequests(requests);
    NetworkSet set = networks;
    List<NetworkConfigList> lists = new ArrayList<>();
    for (NetworkRequest r : requests) {
      lists.add(require(set, r.network()));
    }
    locked(containerId, () -> {
      for (int i = 0; i < requests.size(); i++) {
        NetworkConfigList list = lists.get(i);
        RuntimeConf rt = withCachedArgs(list, runtimeConf(containerId, netns, requests.get(i)));
        try {
          config(list.name()).checkNetworkList(list, rt);
        } catch (CniException e) {
          throw e.withPrefix(label(list.name(), rt.ifName())).concerning(list.name(), null, "CHECK", rt.ifName());
        }
      }
      return null;
    });
  }

  // ---- detach ------------------------------------------------------------------------------------------------

  /**
   * Detaches container {@code containerId} from the requested networks, last request first, best effort.
   *
   * <p>Every network is tried even when an earlier one failed. A network no longer in the configuration
   * directory is detached with the configuration cached at ADD; one that is neither loaded nor cached has
   * nothing left to detach and is skipped. When {@code netns} no longer exists (the sandbox died), the plugins are
   * called without a namespace ({@code CNI_NETNS} empty), which the specification allows for DEL, so they still
   * release what they hold outside it (addresses, rules). Arguments of the cached ADD are used when the request
   * has none.
   *
   * @throws CniException every failure, one line each ({@code network "N" (ifname): …}), with the first one's
   *     code; each also attached as a suppressed exception
   */
  public void detach(String containerId, String netns, List<NetworkRequest> requests) throws CniException {
    checkRequests(requests);
    NetworkSet set = networks;
    String ns = existingNetns(netns);
    locked(containerId, () -> {
      List<CniException> errors = new ArrayList<>();
      for (int i = requests.size() - 1; i >= 0; i--) {
        NetworkRequest r = requests.get(i);
        RuntimeConf rt = runtimeConf(containerId, ns, r);
        try {
          Optional<NetworkConfigList> list = listForDel(set, r.network(), rt);
          if (list.isPresent()) {
            del(list.get(), withCachedArgs(list.get(), rt));
          }
        } catch (CniException e) {
          errors.add(e.msg().startsWith(label(r.network(), r.ifName())) ? e : e.withPrefix(label(r.network(),
              r.ifName())));
        }
      }
      throwAll(errors);
      return null;
    });
  }

  /**
   * Detaches container {@code containerId} from every network the result cache says it is attached to (for a
   * runtime that lost its own record of the requests); see {@link #detach}.
   */
  public void detachAll(String containerId, String netns) throws CniException {
    List<NetworkRequest> requests = new ArrayList<>();
    for (NetworkAttachment a : cachedAttachments(containerId)) {
      requests.add(new NetworkRequest(a.network(), a.ifName(), a.capabilityArgs(), a.cniArgs()));
    }
    if (!requests.isEmpty()) {
      detach(containerId, netns, requests);
    }
  }

  private void del(NetworkConfigList list, RuntimeConf rt) throws CniException {
    try {
      config(list.name()).delNetworkList(list, rt);
    } catch (CniException e) {
      throw e.withPrefix(label(list.name(), rt.ifName())).concerning(list.name(), null, "DEL", rt.ifName());
    }
  }

  /** The current configuration of {@code network}, else the one cached at ADD, else none (nothing to delete). */
  private Optional<NetworkConfigList> listForDel(NetworkSet set, String network, RuntimeConf rt)
      throws CniException {
    Optional<Network> loaded = set.get(network);
    if (loaded.isPresent()) {
      return Optional.of(loaded.get().config());
    }
    NetworkConfigList stub = stubList(network);
    Optional<CachedConfig> cached;
    try {
      cached = config(network).getNetworkListCachedConfig(stub, rt);
    } catch (CniException e) {
      return Optional.empty(); // an unreadable cache names no config to delete with
    }
    if (cached.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(cachedList(network, cached.get().config()));
  }

  /**
   * The list cached at ADD for {@code network}, refused when it names no plugin: such a record was written
   * (by Go libcni, or an older jcni) for a network whose plugins all came from its {@code <dir>/<name>/}
   * folder, and a DEL with it would reach no plugin yet drop the record, the last trace of the attachment.
   */
  private NetworkConfigList cachedList(String network, byte[] config) throws CniException {
    NetworkConfigList list = ConfLoader.confListFromBytes(config);
    if (list.plugins().isEmpty()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "the configuration cached at ADD names no plugin "
          + "(they came from " + confDir.resolve(network) + "/, now gone); the cache record is kept");
    }
    return list;
  }

  private static String existingNetns(String netns) {
    if (netns == null || netns.isEmpty()) {
      return "";
    }
    return Files.exists(Path.of(netns)) ? netns : "";
  }

  // ---- GC and STATUS -----------------------------------------------------------------------------------------

  /**
   * Garbage-collects with one list of valid attachments for every network: every cached attachment that is not in
   * {@code valid} is detached (with the network's current configuration, or the cached one for a network that is
   * gone from the directory), then each network of 1.1.0 or later is sent GC with {@code
   * cni.dev/valid-attachments}. An empty list deletes every attachment; {@link #gc(Map)} is the per-network form,
   * which leaves networks it is given no list for alone. Exclusive with every attach and detach.
   *
   * @throws CniException every failure, one line each, after trying everything
   */
  public void gc(Collection<GcAttachment> valid) throws CniException {
    List<GcAttachment> keep = List.copyOf(valid);
    Map<String, List<GcAttachment>> all = new LinkedHashMap<>();
    for (Network n : networks.networks()) {
      all.put(n.name(), keep);
    }
    for (NetworkAttachment a : cachedOrNone()) {
      all.putIfAbsent(a.network(), keep);
    }
    GcReport report = gc(all);
    throwAll(new ArrayList<>(report.failures().values()));
  }

  /**
   * Garbage-collects network by network: for each network in {@code validByNetwork}, every cached attachment of
   * it not in its list is detached, then (1.1.0 and later) its plugins are sent GC with that list as {@code
   * cni.dev/valid-attachments}. A network that is loaded or cached but has no entry is not touched, so a runtime
   * that knows only some networks' sandboxes cannot tear down the others'. A network gone from the directory is
   * collected with the configuration cached at ADD. Exclusive with every attach and detach.
   *
   * @return which networks were collected, which failed and how, which were skipped
   * @throws CniException only when GC could not start (waiting for running attachments timed out or was cancelled)
   */
  public GcReport gc(Map<String, ? extends Collection<GcAttachment>> validByNetwork) throws CniException {
    NetworkSet set = networks;
    Map<String, Optional<CniException>> outcomes = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    try {
      lockOrFail(gcExclusion.writeLock(), lockWait(), "attachments in progress to finish before garbage collection");
    } catch (CniException e) {
      OperationLog.failed("GC", e);
      throw e;
    }
    try {
      for (Network n : set.networks()) {
        Collection<GcAttachment> valid = validByNetwork.get(n.name());
        if (valid == null) {
          skipped.add(n.name());
          continue;
        }
        try {
          config(n.name()).gcNetworkList(n.config(), List.copyOf(valid));
          outcomes.put(n.name(), Optional.empty());
        } catch (CniException e) {
          outcomes.put(n.name(), Optional.of(e.withPrefix("network \"" + n.name() + "\": ")
              .concerning(n.name(), null, "GC", null)));
        }
      }
      // Attachments of networks that left the directory are still torn down, with the cached configuration.
      Map<String, List<CniException>> goneErrors = new LinkedHashMap<>();
      for (NetworkAttachment a : cachedOrNone()) {
        if (set.get(a.network()).isPresent()) {
          continue;
        }
        Collection<GcAttachment> valid = validByNetwork.get(a.network());
        if (valid == null) {
          if (!skipped.contains(a.network())) {
            skipped.add(a.network());
          }
          continue;
        }
        List<CniException> errs = goneErrors.computeIfAbsent(a.network(), k -> new ArrayList<>());
        if (valid.contains(new GcAttachment(a.containerId(), a.ifName()))) {
          continue;
        }
        try {
          NetworkConfigList list = cachedList(a.network(), a.config());
          RuntimeConf atAdd = a.runtimeConf();
          RuntimeConf rt = new RuntimeConf(atAdd.containerId(), existingNetns(atAdd.netNs()), atAdd.ifName(),
              atAdd.args(), atAdd.capabilityArgs(), null);
          config(a.network()).delNetworkList(list, rt);
        } catch (CniException e) {
          errs.add(e.withPrefix("failed to delete stale attachment " + a.containerId() + " " + a.ifName() + ": ")
              .concerning(a.network(), null, "DEL", a.ifName()));
        }
      }
      goneErrors.forEach((network, errs) -> outcomes.put(network, Optional.ofNullable(joined(errs))));
    } finally {
      gcExclusion.writeLock().unlock();
    }
    return new GcReport(outcomes, skipped);
  }

  private List<NetworkAttachment> cachedOrNone() {
    try {
      return cachedAttachments("");
    } catch (CniException e) {
      return List.of();
    }
  }

  /**
   * Asks the plugins of {@code network} whether they are ready for ADDs (STATUS; networks older than 1.1.0 are
   * always ready).
   *
   * @throws NotFoundException when the network is not loaded
   */
  public NetworkStatus status(String network) throws CniException {
    NetworkConfigList list = require(networks, network);
    try {
      config(network).getStatusNetworkList(list);
      return new NetworkStatus(network, null);
    } catch (CniException e) {
      return new NetworkStatus(network, e);
    }
  }

  /** The status of every loaded network, in {@link NetworkSet#networks()} order. */
  public List<NetworkStatus> status() {
    List<NetworkStatus> out = new ArrayList<>();
    for (Network n : networks.networks()) {
      try {
        config(n.name()).getStatusNetworkList(n.config());
        out.add(new NetworkStatus(n.name(), null));
      } catch (CniException e) {
        out.add(new NetworkStatus(n.name(), e));
      }
    }
    return out;
  }

  /**
   * The result cached for container {@code containerId}'s attachment to {@code network} under {@code ifName}, as a
   * typed view; empty when nothing is cached. Works for networks no longer in the directory too.
   *
   * @throws CniException code 6 when the cache file exists but holds no readable result
   */
  public Optional<NetworkResult> cachedResult(String containerId, String network, String ifName)
      throws CniException {
    NetworkConfigList stub = new NetworkConfigList(network, Result100.IMPLEMENTED, false, false, false, List.of(),
        new byte[0]);
    RuntimeConf rt = new RuntimeConf(containerId, "", ifName, List.of(), Map.of(), null);
    try {
      return config(network).getNetworkListCachedResult(stub, rt).map(NetworkResult::of);
    } catch (CniException e) {
      throw e.concerning(network, null, null, ifName);
    }
  }

  /** The attachments in the result cache, of {@code containerId} or of every container when it is "". */
  public List<NetworkAttachment> cachedAttachments(String containerId) throws CniException {
    return config("").getCachedAttachments(containerId);
  }

  /** How many containers have an operation running or waiting (for tests: the lock table must not leak). */
  int busyContainers() {
    return containers.active();
  }

  /** The directory holding the result cache ({@code results/} lives under it). */
  public Path cacheDir() {
    return cacheDir;
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------

  /**
   * The libcni configuration for {@code network}: its placement decides inline-or-exec for every type. One per
   * network name, made on first use and kept (CniConfig is immutable and thread-safe).
   */
  private CniConfig config(String network) {
    return configs.computeIfAbsent(network, n -> CniConfig.builder()
        .path(pluginPath)
        .cacheDir(cacheDir)
        .inline(registry, type -> placement.inline(n, type))
        .timeout(timeout)
        .execTimeout(execTimeout)
        .pluginStderr(pluginStderr)
        .invoker(invoker)
        .build());
  }

  private static NetworkConfigList require(NetworkSet set, String network) throws CniException {
    Optional<Network> n = set.get(network);
    if (n.isPresent()) {
      return n.get().config();
    }
    NotFoundException e = new NotFoundException(set.dir(), network);
    for (LoadError le : set.errors()) {
      e.addSuppressed(le.error());
    }
    e.concerning(network, null, null, null);
    OperationLog.failed("network \"" + network + "\"", e);
    throw e;
  }

  private static NetworkConfigList stubList(String network) {
    return new NetworkConfigList(network, "", false, false, false, List.of(), new byte[0]);
  }

  private RuntimeConf withCachedArgs(NetworkConfigList list, RuntimeConf rt) {
    if (!rt.capabilityArgs().isEmpty() && !rt.args().isEmpty()) {
      return rt;
    }
    try {
      Optional<CachedConfig> cached = config(list.name()).getNetworkListCachedConfig(list, rt);
      if (cached.isEmpty()) {
        return rt;
      }
      RuntimeConf c = cached.get().runtimeConf();
      RuntimeConf out = rt;
      if (rt.capabilityArgs().isEmpty()) {
        out = out.withCapabilityArgs(c.capabilityArgs());
      }
      if (rt.args().isEmpty()) {
        out = out.withArgs(c.args());
      }
      return out;
    } catch (CniException e) {
      return rt; // a corrupt cache must not block the operation; libcni tolerates it too
    }
  }

  private static RuntimeConf runtimeConf(String containerId, String netns, NetworkRequest r) {
    return new RuntimeConf(containerId, netns, r.ifName(), r.cniArgs(), r.capabilityArgs(), null);
  }

  private static void checkRequests(List<NetworkRequest> requests) throws CniException {
    Set<String> ifNames = new HashSet<>();
    for (NetworkRequest r : requests) {
      // One interface name per sandbox: two attachments under one name would share a cache entry and collide.
      if (!ifNames.add(r.ifName())) {
        throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
            "interface name \"" + r.ifName() + "\" requested twice");
      }
    }
  }

  private static String label(String network, String ifName) {
    return "network \"" + network + "\" (" + ifName + "): ";
  }

  private static CniException firstError(CniException[] errors) {
    for (CniException e : errors) {
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  private static void throwAll(List<CniException> errors) throws CniException {
    CniException all = joined(errors);
    if (all != null) {
      throw all;
    }
  }

  /** The errors as one (one line each, the first one's code), or null for none. */
  private static CniException joined(List<CniException> errors) {
    if (errors.isEmpty()) {
      return null;
    }
    if (errors.size() == 1) {
      return errors.get(0);
    }
    StringBuilder msg = new StringBuilder();
    for (CniException e : errors) {
      msg.append(msg.length() == 0 ? "" : "\n").append(e.getMessage());
    }
    CniException all = new CniException(errors.get(0).code(), msg.toString());
    errors.forEach(all::addSuppressed);
    all.markLogged(); // each part was logged where it happened
    return all;
  }

  @FunctionalInterface
  private interface Op<T> {
    T run() throws CniException;
  }

  @FunctionalInterface
  private interface IndexedOp {
    void run(int i) throws CniException;
  }

  /**
   * Runs {@code op} holding the container's lock, and GC's exclusion in shared mode. Both waits are bounded by the
   * timeout (or {@link #LOCK_WAIT_WITHOUT_TIMEOUT}) and fail naming what they waited for.
   */
  private <T> T locked(String containerId, Op<T> op) throws CniException {
    Deadline wait = lockWait();
    try (ContainerLocks.Held held = containers.acquire(containerId, wait)) {
      lockOrFail(gcExclusion.readLock(), wait, "garbage collection to finish");
      try {
        return op.run();
      } finally {
        gcExclusion.readLock().unlock();
      }
    } catch (CniException e) {
      OperationLog.failed("container " + containerId, e); // only if no plugin call logged it already
      throw e;
    }
  }

  private Deadline lockWait() {
    return Deadline.after(timeout != null ? timeout : LOCK_WAIT_WITHOUT_TIMEOUT);
  }

  private static void lockOrFail(Lock lock, Deadline wait, String what) throws CniException {
    try {
      if (!lock.tryLock(wait.remaining().toNanos(), TimeUnit.NANOSECONDS)) {
        throw wait.exceeded(what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Deadline.cancelled(what);
    }
  }

  /**
   * Runs {@code op(0..n-1)} on fresh platform threads and waits for all; a thread's failure lands in {@code
   * errors[i]}. Fresh threads, not a pool: a thread inherits the network namespace of the thread that made it, so
   * a pooled worker created inside some namespace would stay there for good.
   */
  private static void inParallel(int n, IndexedOp op, CniException[] errors, String name) {
    Thread[] threads = new Thread[n];
    for (int i = 0; i < n; i++) {
      int idx = i;
      threads[i] = new Thread(() -> {
        try {
          op.run(idx);
        } catch (CniException e) {
          errors[idx] = e;
        } catch (RuntimeException e) {
          errors[idx] = new CniException(ErrorCode.INTERNAL, String.valueOf(e.getMessage()), "", e);
        }
      }, name + "-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
    boolean interrupted = false;
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the plugins are running; their outcome must be known before returning
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the watch, if any. Operations may still be called; the networks stay as last loaded. */
  @Override
  public void close() {
    ConfWatcher w;
    synchronized (this) {
      closed = true;
      w = watcher;
      watcher = null;
    }
    if (w != null) {
      w.close();
    }
  }

  /** Builds a {@link CniRuntime}. */
  public static final class Builder {
    private Path confDir = Path.of("/etc/cni/net.d");
    private List<String> pluginPath = List.of("/opt/cni/bin", "/usr/lib/cni");
    private Path cacheDir = ResultCache.DEFAULT_DIR;
    private PluginRegistry registry = PluginRegistry.empty();
    private Placement placement = Placement.inlineWhenRegistered();
    private Duration timeout;
    private Duration debounce = Duration.ofMillis(250);
    private Duration execTimeout;
    private OutputStream pluginStderr = System.err;
    private PluginInvoker invoker;

    private Builder() {}

    /** The configuration directory (Go's {@code NETCONFPATH}), default {@code /etc/cni/net.d}. */
    public Builder confDir(Path dir) {
      this.confDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** The directories searched for plugin binaries, passed as {@code CNI_PATH}. */
    public Builder pluginPath(List<String> dirs) {
      this.pluginPath = List.copyOf(dirs);
      return this;
    }

    /** The cache directory ({@code results/} lives under it), default {@code /var/lib/cni}. */
    public Builder cacheDir(Path dir) {
      this.cacheDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** The in-process plugins, e.g. {@link PluginRegistry#discover()}; default none (everything exec'd). */
    public Builder registry(PluginRegistry plugins) {
      this.registry = Objects.requireNonNull(plugins, "plugins");
      return this;
    }

    /** Which registered plugins run in-process, per network and type; default all of them. */
    public Builder placement(Placement policy) {
      this.placement = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * The time limit of each operation on one network, for in-process and exec'd plugins alike (see {@link
     * CniConfig.Builder#timeout}); it also bounds the wait for another operation on the same container or for GC
     * (five minutes without a timeout). Default none.
     */
    public Builder timeout(Duration perOperation) {
      this.timeout = perOperation;
      return this;
    }

    /**
     * The time limit of each run of an exec'd plugin, within {@link #timeout}'s per operation (see {@link
     * CniConfig.Builder#execTimeout}); default none.
     */
    public Builder execTimeout(Duration perExec) {
      this.execTimeout = perExec;
      return this;
    }

    /** Where exec'd plugins' stderr is copied; default {@link System#err}, null discards it. */
    public Builder pluginStderr(OutputStream sink) {
      this.pluginStderr = sink;
      return this;
    }

    /**
     * Runs every plugin through {@code custom} instead of the registry and the plugin path (for tests, or a runtime
     * with its own dispatch); {@link #registry}, {@link #placement}, {@link #pluginStderr} and {@link
     * #execTimeout} are then not used. Null restores the default.
     */
    public Builder invoker(PluginInvoker custom) {
      this.invoker = custom;
      return this;
    }

    /** How long the directory must stay quiet after a change before the watch reloads it; default 250 ms. */
    public Builder debounce(Duration quiet) {
      if (quiet.isNegative()) {
        throw new IllegalArgumentException("negative debounce " + quiet);
      }
      this.debounce = quiet;
      return this;
    }

    /** Loads the directory once and returns the runtime (a bad file is a {@link #loadErrors()} entry). */
    public CniRuntime build() {
      return new CniRuntime(this);
    }
  }
}
