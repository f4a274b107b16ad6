package io.jcni.libcni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.cache.CacheEntry;
import io.jcni.libcni.internal.cache.ResultCache;
import io.jcni.libcni.internal.invoke.DeferredWork;
import io.jcni.libcni.internal.invoke.DispatchingInvoker;
import io.jcni.libcni.internal.invoke.ExecInvoker;
import io.jcni.libcni.internal.invoke.RawExec;
import io.jcni.libcni.internal.invoke.Stdin;
import io.jcni.libcni.internal.invoke.VersionInfo;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.spi.AttachmentNames;
import io.jcni.libcni.internal.types.ErrorText;
import io.jcni.libcni.invoke.PluginInvoker;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Result;
import io.jcni.libcni.types.Results;
import io.jcni.libcni.version.PluginInfo;
import io.jcni.libcni.version.Version;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The libcni façade: adds, checks, deletes, garbage-collects and queries the status of network attachments, with
 * Go libcni's semantics (v1.3, spec 1.1.0), running each plugin in-process or exec'd through one {@link
 * PluginInvoker}.
 *
 * <p>Differences from Go, each deliberate: an ADD for a container ID and interface name that are already cached is
 * refused before any plugin runs; a failed ADD is rolled back with a DEL of the plugins that completed unless
 * {@link Builder#rollbackOnFailure(boolean)} turns it off (Go leaves that to the caller); one deadline covers a whole
 * operation; the cache is written atomically; a corrupt cache never blocks a DEL. Instances are immutable and thread-safe; the CNI specification forbids
 * parallel operations on one container, which is the caller's to ensure.
 */
public final class CniConfig {
  private static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";
  private static final String LEGACY_ATTACHMENTS = "cni.dev/attachments";

  private final List<String> path;
  private final ResultCache cache;
  private final PluginInvoker invoker;
  private final boolean rollback;
  private final Duration timeout;
  private final boolean customInvoker;

  private CniConfig(Builder b) {
    this.path = List.copyOf(b.path);
    this.cache = new ResultCache(b.cacheDir);
    PluginInvoker exec = new ExecInvoker(path, b.rawExec, b.execTimeout);
    this.customInvoker = b.invoker != null;
    this.invoker = b.invoker != null ? b.invoker : new DispatchingInvoker(b.registry, b.inlineAllowed, exec);
    this.rollback = b.rollback;
    this.timeout = b.timeout;
  }

  /** A builder with Go's defaults: cache in {@code /var/lib/cni}, no in-process plugins, no timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /** The plugin search path. */
  public List<String> path() {
    return path;
  }

  // ---- ADD -------------------------------------------------------------------------------------------------

  /**
   * Runs ADD on every plugin of {@code list} in order, each getting the previous one's result, caches the final
   * result and returns it (in the version the last plugin printed, as Go does).
   *
   * <p>An ADD never harms an attachment that existed before it. One whose container ID and interface name are
   * already in the cache, for any network, is refused before any plugin runs. When a plugin fails, only the
   * plugins that completed their ADD in this call are sent a DEL, last first: the plugin that failed cannot tell
   * what of its state existed before, so it is not asked to delete any (in-process plugins undo their own partial
   * work; an exec'd plugin's leftovers are its own, as with Go libcni, which rolls nothing back).
   *
   * <p>With the built-in invoker, in-process plugins may {@linkplain io.jcni.libcni.spi.PluginContext#defer defer}
   * work (their rule changes, to be committed as one transaction): it is completed after the last in-process plugin
   * and before any exec'd one; what follows it ({@link io.jcni.libcni.spi.Deferred#finish}) once the result is
   * cached. A failed completion fails the ADD under the name of the plugin that deferred the work and rolls back
   * every plugin that returned, that one included (the cache file is put back as it was); when a plugin fails, what
   * was deferred is never done.
   *
   * @throws CniException {@code plugin type="T" failed (add): …} with the plugin's code; {@code failed to set network
   *     "N" cached result: …} when the cache cannot be written; code 4 naming the existing attachment. Errors of the
   *     rollback are attached as suppressed exceptions.
   */
  public Result addNetworkList(NetworkConfigList list, RuntimeConf rt) throws CniException {
    List<PluginConf> plugins = list.plugins();
    if (plugins.isEmpty()) {
      return null;
    }
    checkNames(list.name(), rt, pluginLabel(plugins.get(0)) + " failed (add): ");
    refuseIfAttached(rt);
    Deadline deadline = Deadline.after(timeout);
    DeferredWork deferred = dispatcher().map(d -> new DeferredWork()).orElse(null);
    Result prev = null;
    int done = 0;
    Optional<byte[]> cachedBefore = null; // what the cache held for this attachment before this ADD wrote it
    try {
      for (PluginConf plugin : plugins) {
        if (!dispatcher().map(d -> d.runsInline(plugin.type())).orElse(true)) {
          complete(deferred, " failed (add): "); // an exec'd plugin must see the earlier plugins' work done
        }
        prev = addOne(list.name(), list.cniVersion(), plugin, prev, rt, deadline, deferred);
        done++;
      }
      complete(deferred, " failed (add): ");
      Optional<byte[]> before = deferred == null ? null : snapshot(list, rt);
      putCache(list.name(), list.cacheBytes(), rt, prev);
      cachedBefore = before;
      finish(deferred, " failed (add): ");
      return prev;
    } catch (CniException e) {
      // what is still deferred is left undone, and what is still to finish unfinished, with this call's DeferredWork
      throw rolledBack(list.name(), list.cniVersion(), plugins.subList(0, done), rt, prev,
          uncached(list, rt, cachedBefore, e));
    } catch (RuntimeException e) {
      throw rolledBack(list.name(), list.cniVersion(), plugins.subList(0, done), rt, prev,
          uncached(list, rt, cachedBefore, e));
    }
  }

  /**
   * The built-in dispatcher, through which in-process plugins of one ADD may defer work to be completed together
   * ({@link DeferredWork}); empty with an invoker of the caller's.
   */
  private Optional<DispatchingInvoker> dispatcher() {
    return !customInvoker && invoker instanceof DispatchingInvoker d ? Optional.of(d) : Optional.empty();
  }

  /** Runs ADD on a single plugin configuration, using its own name and version; errors are not wrapped. */
  public Result addNetwork(PluginConf net, RuntimeConf rt) throws CniException {
    checkNames(net.name(), rt, "");
    refuseIfAttached(rt);
    Result result = addPlugin(net.name(), net.cniVersion(), net, null, rt, Deadline.after(timeout), null);
    try {
      putCache(net.name(), net.bytes(), rt, result);
    } catch (CniException e) {
      throw rolledBack(net.name(), net.cniVersion(), List.of(net), rt, result, e);
    } catch (RuntimeException e) {
      throw rolledBack(net.name(), net.cniVersion(), List.of(net), rt, result, e);
    }
    return result;
  }

  private Result addOne(String name, String version, PluginConf plugin, Result prev, RuntimeConf rt,
      Deadline deadline, DeferredWork deferred) throws CniException {
    String label = pluginLabel(plugin);
    if (deferred != null) {
      deferred.running(label);
    }
    try {
      return addPlugin(name, version, plugin, prev, rt, deadline, deferred);
    } catch (CniException e) {
      throw e.withPrefix((deferred == null ? label : deferred.blame(label, e)) + " failed (add): ");
    }
  }

  /**
   * Completes what the plugins deferred ({@code deferred} may be null: nothing); a failure names the plugin whose
   * work failed, with {@code failed} (" failed (add): ").
   */
  private static void complete(DeferredWork deferred, String failed) throws CniException {
    if (deferred != null) {
      blamed(deferred, failed, deferred::complete);
    }
  }

  /** Finishes what was completed ({@link DeferredWork#finish}); a failure is named as by {@link #complete}. */
  private static void finish(DeferredWork deferred, String failed) throws CniException {
    if (deferred != null) {
      blamed(deferred, failed, deferred::finish);
    }
  }

  private static void blamed(DeferredWork deferred, String failed, Step step) throws CniException {
    try {
      step.run();
    } catch (CniException e) {
      throw e.withPrefix(deferred.blame("", e) + failed);
    }
  }

  /**
   * What the cache holds for {@code rt}'s attachment before an ADD writes it ({@link #uncached} puts it back); null
   * when it cannot be read, and the write reports what is wrong with it.
   */
  private Optional<byte[]> snapshot(NetworkConfigList list, RuntimeConf rt) {
    try {
      return cache(rt).snapshot(list.name(), rt.containerId(), rt.ifName());
    } catch (CniException e) {
      return null;
    }
  }

  /**
   * {@code failure}, after putting back the cache file that a failed ADD wrote before it failed as it was before
   * ({@code before}: its bytes, or none; null when the ADD wrote none or the earlier file could not be read), for
   * another record of the same name (a stale one, which GC needs) is not this ADD's to lose.
   */
  private <T extends Exception> T uncached(NetworkConfigList list, RuntimeConf rt, Optional<byte[]> before,
      T failure) {
    if (before != null) {
      bestEffort(() -> cache(rt).restore(list.name(), rt.containerId(), rt.ifName(), before));
    }
    return failure;
  }

  private Result addPlugin(String name, String version, PluginConf plugin, Result prev, RuntimeConf rt,
      Deadline deadline, DeferredWork deferred) throws CniException {
    byte[] stdin = stdin(name, version, plugin, prev, rt);
    CmdArgs args = cmdArgs(rt, stdin);
    ObjectNode raw = logged(Command.ADD, name, plugin.type(), args, () -> deferred == null
        ? invoker.add(plugin.type(), args, deadline)
        : ((DispatchingInvoker) invoker).add(plugin.type(), args, deadline, deferred));
    return Results.create(raw.get("cniVersion").textValue(), raw);
  }

  private void putCache(String network, byte[] config, RuntimeConf rt, Result result) throws CniException {
    try {
      cache(rt).put(entry(network, config, rt, result));
    } catch (CniException e) {
      throw new CniException(
          e.code(), "failed to set network \"" + network + "\" cached result: " + e.getMessage(), "", e);
    }
  }

  private static void checkNames(String network, RuntimeConf rt, String prefix) throws CniException {
    try {
      AttachmentNames.checkContainerId(rt.containerId());
      AttachmentNames.checkNetworkName(network);
      AttachmentNames.checkInterfaceName(rt.ifName());
    } catch (CniException e) {
      throw prefix.isEmpty() ? e : e.withPrefix(prefix);
    }
  }

  /**
   * Refuses an ADD whose container ID and interface name are cached for any network: its plugins would fail on
   * the existing attachment, or worse, succeed in part and have their rollback take the existing one apart. A
   * record whose namespace is gone (the sandbox died without a DEL) does not block.
   */
  private void refuseIfAttached(RuntimeConf rt) throws CniException {
    ResultCache c = cache(rt);
    for (CacheEntry e : c.attachments(rt.containerId())) {
      if (!e.ifName().equals(rt.ifName()) || isStale(e)) {
        continue;
      }
      throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "container \"" + rt.containerId() + "\" already has interface \"" + rt.ifName() + "\" attached to network \""
              + e.networkName() + "\"",
          "cached in " + c.path(e.networkName(), e.containerId(), e.ifName()) + "; delete that attachment first");
    }
  }

  private static boolean isStale(CacheEntry e) {
    return e.netns() != null && !e.netns().isEmpty() && !Files.exists(Path.of(e.netns()));
  }

  /**
   * Undoes what a failed ADD made: DELs {@code completed} (the plugins whose ADD succeeded), last first, with the
   * interrupt flag cleared and a time budget of their own, so a cancelled or timed-out ADD still cleans up; the
   * flag is restored afterwards. Returns {@code failure} with the rollback's errors attached as suppressed.
   */
  private <T extends Exception> T rolledBack(String name, String version, List<PluginConf> completed,
      RuntimeConf rt, Result prev, T failure) {
    if (!rollback || completed.isEmpty()) {
      return failure;
    }
    boolean interrupted = Thread.interrupted();
    try {
      Deadline budget = Deadline.after(timeout).forUndo();
      Result prevForDel = supportsPrevResult(version) ? prev : null;
      for (int i = completed.size() - 1; i >= 0; i--) {
        PluginConf p = completed.get(i);
        try {
          invokeWithPrev(Command.DEL, name, version, p, prevForDel, rt, budget);
        } catch (CniException e) {
          failure.addSuppressed(e.withPrefix(pluginLabel(p) + " failed (rollback delete): "));
        } catch (RuntimeException e) {
          failure.addSuppressed(e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return failure;
  }

  // ---- CHECK -----------------------------------------------------------------------------------------------

  /**
   * Runs CHECK on every plugin in order with the cached result as prevResult; the first error is returned as the
   * plugin gave it.
   *
   * @throws CniException {@code configuration version "V" does not support the CHECK command} below 0.4.0
   */
  public void checkNetworkList(NetworkConfigList list, RuntimeConf rt) throws CniException {
    requireCheckSupport(list.cniVersion());
    if (list.disableCheck()) {
      return;
    }
    checkNames(list.name(), rt, "");
    Deadline deadline = Deadline.after(timeout);
    Result cached = cachedResultForCheck(list.name(), list.cniVersion(), rt);
    for (PluginConf plugin : list.plugins()) {
      invokeWithPrev(Command.CHECK, list.name(), list.cniVersion(), plugin, cached, rt, deadline);
    }
  }

  /** Runs CHECK on a single plugin configuration. */
  public void checkNetwork(PluginConf net, RuntimeConf rt) throws CniException {
    requireCheckSupport(net.cniVersion());
    checkNames(net.name(), rt, "");
    Result cached = cachedResultForCheck(net.name(), net.cniVersion(), rt);
    invokeWithPrev(Command.CHECK, net.name(), net.cniVersion(), net, cached, rt, Deadline.after(timeout));
  }

  private static void requireCheckSupport(String version) throws CniException {
    if (!atLeast(version, "0.4.0")) {
      throw new CniException(
          ErrorCode.INCOMPATIBLE_CNI_VERSION,
          "configuration version \"" + version + "\" does not support the CHECK command");
    }
  }

  private Result cachedResultForCheck(String name, String version, RuntimeConf rt) throws CniException {
    try {
      return CachedResults.read(cache(rt), name, rt.containerId(), rt.ifName(), version).orElse(null);
    } catch (CniException e) {
      // withPrefix keeps the details (the cache file's path) apart, so msg() is Go's text.
      throw e.withPrefix("failed to get network \"" + name + "\" cached result: ");
    }
  }

  // ---- DEL -------------------------------------------------------------------------------------------------

  /**
   * Runs DEL on every plugin in reverse order, with the cached result as prevResult from 0.4.0 on, then removes the
   * cache file. An unreadable cache file is removed and the DEL goes on without a prevResult.
   *
   * <p>With the built-in invoker, in-process plugins may defer work as in ADD: it is completed before an exec'd
   * plugin runs, before an in-process plugin delegates (an IPAM plugin releases an address only once the rules
   * that use it are gone), and before the cache file is removed. A failed completion fails the DEL under the name
   * of the plugin that deferred the work.
   *
   * @throws CniException {@code plugin type="T" failed (delete): …}; the cache file is kept for a retry
   */
  public void delNetworkList(NetworkConfigList list, RuntimeConf rt) throws CniException {
    List<PluginConf> plugins = list.plugins();
    if (!plugins.isEmpty()) {
      // The names lead to the cache file: they are checked before it is read or removed, as the plugins would.
      checkNames(list.name(), rt, pluginLabel(plugins.get(plugins.size() - 1)) + " failed (delete): ");
    }
    Deadline deadline = Deadline.after(timeout);
    Result cached = cachedResultForDel(list.name(), list.cniVersion(), rt);
    DeferredWork deferred = dispatcher().map(d -> new DeferredWork()).orElse(null);
    for (int i = plugins.size() - 1; i >= 0; i--) {
      PluginConf p = plugins.get(i);
      if (!dispatcher().map(d -> d.runsInline(p.type())).orElse(true)) {
        complete(deferred, " failed (delete): ");
      }
      String label = pluginLabel(p);
      try {
        if (deferred != null) {
          deferred.running(label);
        }
        invokeWithPrev(Command.DEL, list.name(), list.cniVersion(), p, cached, rt, deadline, deferred);
      } catch (CniException e) {
        throw e.withPrefix((deferred == null ? label : deferred.blame(label, e)) + " failed (delete): ");
      }
    }
    complete(deferred, " failed (delete): ");
    finish(deferred, " failed (delete): ");
    deleteCacheQuietly(list.name(), rt);
  }

  /** Runs DEL on a single plugin configuration; errors are not wrapped. */
  public void delNetwork(PluginConf net, RuntimeConf rt) throws CniException {
    checkNames(net.name(), rt, "");
    Result cached = cachedResultForDel(net.name(), net.cniVersion(), rt);
    invokeWithPrev(Command.DEL, net.name(), net.cniVersion(), net, cached, rt, Deadline.after(timeout));
    deleteCacheQuietly(net.name(), rt);
  }

  private Result cachedResultForDel(String name, String version, RuntimeConf rt) throws CniException {
    if (!supportsPrevResult(version)) {
      return null;
    }
    try {
      return CachedResults.read(cache(rt), name, rt.containerId(), rt.ifName(), version).orElse(null);
    } catch (CniException e) {
      // An empty or corrupt cache (a crash mid-write, containernetworking/cni#1055) must never block a DEL.
      deleteCacheQuietly(name, rt);
      return null;
    }
  }

  private void deleteCacheQuietly(String name, RuntimeConf rt) {
    bestEffort(() -> cache(rt).delete(name, rt.containerId(), rt.ifName()));
  }

  // ---- GC and STATUS ---------------------------------------------------------------------------------------

  /**
   * Garbage-collects {@code list}: DELs every cached attachment of the network that is not in {@code valid} (all of
   * them when {@code valid} is null, as {@code cnitool gc} does), then from 1.1.0 sends GC to each plugin.
   *
   * @throws CniException all errors, joined with newlines ({@code failed to delete stale attachment C I: …}, {@code
   *     failed to GC plugin T: …})
   */
  public void gcNetworkList(NetworkConfigList list, List<GcAttachment> valid) throws CniException {
    if (list.disableGC()) {
      return;
    }
    List<String> errors = new ArrayList<>();
    List<CniException> causes = new ArrayList<>();
    Set<GcAttachment> keep = valid == null ? Set.of() : Set.copyOf(valid);
    List<NetworkAttachment> cached;
    try {
      cached = getCachedAttachments("");
    } catch (CniException e) {
      cached = List.of(); // Go swallows a listing error here
    }
    for (NetworkAttachment a : cached) {
      if (!a.network().equals(list.name()) || keep.contains(new GcAttachment(a.containerId(), a.ifName()))) {
        continue;
      }
      try {
        delNetworkList(list, a.runtimeConf());
      } catch (CniException e) {
        errors.add("failed to delete stale attachment " + a.containerId() + " " + a.ifName() + ": " + e.getMessage());
        causes.add(e);
      }
    }
    if (atLeast(list.cniVersion(), "1.1.0")) {
      Deadline deadline = Deadline.after(timeout);
      for (PluginConf p : list.plugins()) {
        try {
          byte[] stdin = gcStdin(list, p, valid);
          call(Command.GC, list.name(), p.type(), new CmdArgs("", "", "", "", path, stdin), deadline);
        } catch (CniException e) {
          errors.add("failed to GC plugin " + p.type() + ": " + e.getMessage());
          causes.add(e);
        }
      }
    }
    if (!errors.isEmpty()) {
      // Go joins the errors (no code); one error alone keeps its code and what it concerns.
      CniException one = causes.size() == 1 ? causes.get(0) : null;
      CniException all = new CniException(one != null ? one.code() : ErrorCode.UNKNOWN.number(),
          String.join("\n", errors));
      causes.forEach(all::addSuppressed);
      if (one != null) {
        all.concerning(one.network().orElse(null), one.pluginType().orElse(null), one.cniCommand().orElse(null),
            one.ifName().orElse(null));
      }
      all.markLogged();
      throw all;
    }
  }

  private byte[] gcStdin(NetworkConfigList list, PluginConf p, List<GcAttachment> valid) throws CniException {
    ObjectNode conf = parseObject(Stdin.build(p.bytes(), list.name(), list.cniVersion(), null, Map.of(), Map.of()));
    if (valid != null) {
      ArrayNode arr = conf.arrayNode();
      for (GcAttachment a : valid) {
        arr.addObject().put("containerID", a.containerId()).put("ifname", a.ifName());
      }
      conf.set(VALID_ATTACHMENTS, arr);
      conf.set(LEGACY_ATTACHMENTS, arr.deepCopy());
    }
    return GoJson.compact(GoJson.sorted(conf));
  }

  /**
   * Asks every plugin of {@code list} whether it is ready for ADDs (STATUS, from 1.1.0; older or unparsable versions
   * report ready).
   *
   * @throws CniException the first plugin error, unwrapped, so its code (50, 51) is kept
   */
  public void getStatusNetworkList(NetworkConfigList list) throws CniException {
    if (!atLeast(list.cniVersion(), "1.1.0")) {
      return;
    }
    Deadline deadline = Deadline.after(timeout);
    for (PluginConf p : list.plugins()) {
      byte[] stdin = Stdin.build(p.bytes(), list.name(), list.cniVersion(), null, Map.of(), Map.of());
      call(Command.STATUS, list.name(), p.type(), new CmdArgs("", "", "", "", path, stdin), deadline);
    }
  }

  // ---- validation, versions, cache queries -----------------------------------------------------------------

  /**
   * Checks that every plugin of {@code list} exists and supports the list's version, and returns the union of the
   * capabilities they declare.
   *
   * @throws CniException all problems as Go prints a slice of errors: {@code [e1 e2]}
   */
  public Set<String> validateNetworkList(NetworkConfigList list) throws CniException {
    List<String> errors = new ArrayList<>();
    Set<String> caps = new LinkedHashSet<>();
    for (PluginConf p : list.plugins()) {
      try {
        validatePlugin(p.type(), list.cniVersion());
        p.capabilities().forEach((k, on) -> {
          if (on) {
            caps.add(k);
          }
        });
      } catch (CniException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "[" + String.join(" ", errors) + "]");
    }
    return caps;
  }

  /** Validates a single plugin configuration; see {@link #validateNetworkList}. Errors are not bracketed. */
  public Set<String> validateNetwork(PluginConf net) throws CniException {
    validatePlugin(net.type(), net.cniVersion());
    Set<String> caps = new LinkedHashSet<>();
    net.capabilities().forEach((k, on) -> {
      if (on) {
        caps.add(k);
      }
    });
    return caps;
  }

  private void validatePlugin(String type, String version) throws CniException {
    PluginInfo info = getVersionInfo(type);
    String want = version.isEmpty() ? "0.1.0" : version;
    if (!info.supportedVersions().contains(want)) {
      throw new CniException(
          ErrorCode.INCOMPATIBLE_CNI_VERSION,
          "plugin " + type + " does not support config version \"" + version + "\"");
    }
  }

  /** The versions the plugin of {@code type} supports, from its VERSION command. */
  public PluginInfo getVersionInfo(String type) throws CniException {
    Deadline deadline = Deadline.after(timeout);
    return VersionInfo.getVersionInfo((command, t, args) -> invoker.invoke(command, t, args, deadline), type);
  }

  /** The cached result of an attachment in the list's version, or empty when nothing is cached. */
  public Optional<Result> getNetworkListCachedResult(NetworkConfigList list, RuntimeConf rt) throws CniException {
    return CachedResults.read(cache(rt), list.name(), rt.containerId(), rt.ifName(), list.cniVersion());
  }

  /** The configuration and runtime arguments an attachment was added with, or empty when nothing is cached. */
  public Optional<CachedConfig> getNetworkListCachedConfig(NetworkConfigList list, RuntimeConf rt)
      throws CniException {
    return CachedConfigs.read(cache(rt), list.name(), rt);
  }

  /**
   * Every attachment in the cache, or those of {@code containerId} when it is not empty, in file-name order.
   * Unreadable or foreign files are skipped, as in Go.
   */
  public List<NetworkAttachment> getCachedAttachments(String containerId) throws CniException {
    List<NetworkAttachment> out = new ArrayList<>();
    for (CacheEntry e : cache.attachments(containerId)) {
      out.add(CachedConfigs.attachment(e));
    }
    return out;
  }

  // ---- shared plumbing -------------------------------------------------------------------------------------

  private void invokeWithPrev(Command cmd, String name, String version, PluginConf plugin, Result prev, RuntimeConf rt,
      Deadline deadline) throws CniException {
    invokeWithPrev(cmd, name, version, plugin, prev, rt, deadline, null);
  }

  /** As above, an in-process plugin free to defer work to {@code deferred} (null: not; only with the dispatcher). */
  private void invokeWithPrev(Command cmd, String name, String version, PluginConf plugin, Result prev, RuntimeConf rt,
      Deadline deadline, DeferredWork deferred) throws CniException {
    CmdArgs args = cmdArgs(rt, stdin(name, version, plugin, prev, rt));
    if (deferred == null) {
      call(cmd, name, plugin.type(), args, deadline);
    } else {
      logged(cmd, name, plugin.type(), args,
          () -> ((DispatchingInvoker) invoker).invoke(cmd, plugin.type(), args, deadline, deferred));
    }
  }

  /**
   * Runs one plugin command, logs it ({@link OperationLog}) and, when it fails, records on the error which network,
   * plugin, command and interface it concerns.
   */
  private byte[] call(Command cmd, String network, String type, CmdArgs args, Deadline deadline)
      throws CniException {
    return logged(cmd, network, type, args, () -> invoker.invoke(cmd, type, args, deadline));
  }

  /** One plugin call, as the invoker runs it. */
  @FunctionalInterface
  private interface PluginCall<T> {
    T run() throws CniException;
  }

  /** Runs {@code call}, logging it and naming what a failure concerns. */
  private <T> T logged(Command cmd, String network, String type, CmdArgs args, PluginCall<T> call)
      throws CniException {
    long start = System.nanoTime();
    OperationLog.Op op = new OperationLog.Op(cmd.name(), network, args.containerId(), args.ifName(), type,
        mode(type));
    try {
      T out = call.run();
      OperationLog.done(op, start);
      return out;
    } catch (CniException e) {
      e.concerning(network, type, cmd.name(), args.ifName());
      OperationLog.failed(op, start, e);
      throw e;
    }
  }

  private String mode(String type) {
    if (invoker instanceof DispatchingInvoker d) {
      return d.runsInline(type) ? "inline" : "exec";
    }
    return customInvoker ? "custom" : "exec";
  }

  private byte[] stdin(String name, String version, PluginConf plugin, Result prev, RuntimeConf rt)
      throws CniException {
    JsonNode prevJson = prev == null ? null : prev.toJsonNode();
    return Stdin.build(plugin.bytes(), name, version, prevJson, plugin.capabilities(), rt.capabilityArgs());
  }

  private CmdArgs cmdArgs(RuntimeConf rt, byte[] stdin) {
    return new CmdArgs(rt.containerId(), rt.netNs(), rt.ifName(), rt.argsString(), path, stdin);
  }

  private ResultCache cache(RuntimeConf rt) {
    return rt.cacheDir() != null && !rt.cacheDir().equals(cache.dir()) ? new ResultCache(rt.cacheDir()) : cache;
  }

  private static CacheEntry entry(String network, byte[] config, RuntimeConf rt, Result result) {
    List<CacheEntry.Arg> args = rt.args().isEmpty()
        ? null
        : rt.args().stream().map(e -> new CacheEntry.Arg(e.getKey(), e.getValue())).toList();
    ObjectNode caps = rt.capabilityArgs().isEmpty() ? null : GoJson.mapper().valueToTree(rt.capabilityArgs());
    return new CacheEntry(network, rt.containerId(), rt.ifName(), config, rt.netNs(), args, caps,
        result == null ? null : result.toJsonNode());
  }

  private static String pluginLabel(PluginConf p) {
    return "plugin type=\"" + p.type() + "\"" + (p.name().isEmpty() ? "" : " name=\"" + p.name() + "\"");
  }

  private static boolean supportsPrevResult(String version) {
    return atLeast(version, "0.4.0");
  }

  /** {@link Version#atLeast}, with an unparsable version counting as too old, as libcni's gates treat it. */
  private static boolean atLeast(String version, String min) {
    try {
      return Version.atLeast(version, min);
    } catch (CniException e) {
      return false;
    }
  }

  private static ObjectNode parseObject(byte[] json) throws CniException {
    try {
      return (ObjectNode) GoJson.mapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, ErrorText.of(e));
    }
  }

  private interface Step {
    void run() throws CniException;
  }

  private static void bestEffort(Step step) {
    try {
      step.run();
    } catch (CniException | RuntimeException ignored) {
      // Rollback and cleanup are best effort; the caller gets the original error.
    }
  }

  /** Builds a {@link CniConfig}. */
  public static final class Builder {
    private List<String> path = List.of("/opt/cni/bin", "/usr/lib/cni");
    private Path cacheDir = ResultCache.DEFAULT_DIR;
    private PluginRegistry registry = PluginRegistry.empty();
    private Predicate<String> inlineAllowed = type -> false;
    private Duration timeout;
    private RawExec rawExec = new RawExec();
    private Duration execTimeout;
    private PluginInvoker invoker;
    private boolean rollback = true;

    private Builder() {}

    /** The directories searched for plugin binaries (Go's {@code CNIConfig.Path}), also passed as {@code CNI_PATH}. */
    public Builder path(List<String> dirs) {
      this.path = List.copyOf(dirs);
      return this;
    }

    /** The cache directory; {@code results/} lives under it. */
    public Builder cacheDir(Path dir) {
      this.cacheDir = dir;
      return this;
    }

    /** In-process plugins, and which of their types may run inline (the rest are exec'd). */
    public Builder inline(PluginRegistry registry, Predicate<String> allowed) {
      this.registry = registry;
      this.inlineAllowed = allowed;
      return this;
    }

    /**
     * The time limit of each operation (an ADD, CHECK, DEL, GC or STATUS of a whole chain), in-process and exec'd
     * plugins alike: an exec'd plugin is killed with its children when it passes, an in-process one gives up its
     * waits, and the operation fails with {@link CniException#isTimeout()}. The DELs that undo a failed ADD get a
     * budget of the same length (one minute without a timeout). Default none.
     */
    public Builder timeout(Duration perOperation) {
      this.timeout = perOperation;
      return this;
    }

    /** Where exec'd plugins' stderr goes ({@code null} discards it); {@link System#err} by default. */
    public Builder pluginStderr(OutputStream sink) {
      this.rawExec = new RawExec(sink);
      return this;
    }

    /**
     * The time limit of each exec'd plugin run, within the operation's (an exec'd plugin still running then is
     * killed with its children and the operation fails with {@link CniException#isTimeout()}); default none.
     */
    public Builder execTimeout(Duration perExec) {
      if (perExec != null && (perExec.isNegative() || perExec.isZero())) {
        throw new IllegalArgumentException("exec timeout must be positive: " + perExec);
      }
      this.execTimeout = perExec;
      return this;
    }

    /** Replaces the whole invoker (tests, or runtimes with their own dispatch). */
    public Builder invoker(PluginInvoker custom) {
      this.invoker = custom;
      return this;
    }

    /** Whether a failed ADD is undone with a DEL of the plugins that completed (default true). */
    public Builder rollbackOnFailure(boolean on) {
      this.rollback = on;
      return this;
    }

    public CniConfig build() {
      return new CniConfig(this);
    }
  }
}
