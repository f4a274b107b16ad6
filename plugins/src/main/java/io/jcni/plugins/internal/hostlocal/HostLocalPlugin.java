package io.jcni.plugins.internal.hostlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Route;
import io.jcni.libcni.version.Versions;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host-local IPAM plugin, in process: allocates addresses from range sets into a disk store it shares with
 * Go's {@code host-local} binary (same files, same {@code flock}), so a runtime may switch between the two.
 *
 * <p>Beyond upstream it implements GC: every address whose owner is not among the {@code
 * cni.dev/valid-attachments} is released (upstream leaks such addresses, containernetworking/plugins#252, #332).
 *
 * <p>Messages are upstream's, word for word. Codes: configuration mistakes 7, JSON type errors 6, too many
 * addresses per family for the config version 1, store I/O 5, lock wait exceeded 11; allocation failures
 * (duplicate, taken, exhausted, gateway, unfulfilled request), CHECK misses and {@code CNI_ARGS} errors keep
 * Go's 999, since no spec code describes them better. A failed ADD removes exactly the files it created.
 */
public final class HostLocalPlugin implements CniPlugin {
  /** The {@code type} this plugin answers to. */
  public static final String TYPE = "host-local";

  /** The versions host-local accepts, as its {@code VERSION} reports them. */
  public static final List<String> SUPPORTED_VERSIONS = Versions.ALL;

  private static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";

  private final Duration lockTimeout;

  /** A plugin that waits at most a minute for the store lock, then fails with code 11 (try again later). */
  public HostLocalPlugin() {
    this(Duration.ofMinutes(1));
  }

  /** A plugin that waits at most {@code lockTimeout} for the store lock (null: forever, as Go does). */
  public HostLocalPlugin(Duration lockTimeout) {
    this.lockTimeout = lockTimeout;
  }

  /** The store lock's wait: the plugin's own limit, cut short by the operation's deadline (none without a context). */
  private Duration lockWait(PluginContext ctx) {
    return ctx == null ? lockTimeout : ctx.deadline().limit(lockTimeout);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<String> supportedVersions() {
    return SUPPORTED_VERSIONS;
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    IpamConfig conf = IpamConfig.load(args.stdinData(), args.args());
    Dns dns = conf.resolvConf() == null ? Dns.EMPTY : ResolvConf.parse(Path.of(conf.resolvConf()));
    Store store = Store.open(conf.dataDir(), conf.name(), lockWait(ctx));

    // Keyed by Go's string form: one request per address, as upstream's map does.
    Map<String, InetAddress> requested = new LinkedHashMap<>();
    for (InetAddress ip : conf.requestedIps()) {
      requested.putIfAbsent(Ips.format(ip), ip);
    }
    List<IpConfig> ips = new ArrayList<>();
    try {
      for (int idx = 0; idx < conf.rangeSets().size(); idx++) {
        RangeSet set = conf.rangeSets().get(idx);
        InetAddress want = null;
        for (Iterator<InetAddress> it = requested.values().iterator(); it.hasNext(); ) {
          InetAddress ip = it.next();
          if (set.contains(ip)) {
            want = ip;
            it.remove();
            break;
          }
        }
        try {
          ips.add(new Allocator(set, store, idx).get(args.containerId(), args.ifName(), want));
        } catch (CniException e) {
          throw e.withPrefix("failed to allocate for range " + idx + ": ");
        }
      }
      if (!requested.isEmpty()) {
        throw new CniException(
            ErrorCode.INTERNAL, "failed to allocate all requested IPs: " + String.join(" ", requested.keySet()));
      }
    } catch (CniException | RuntimeException e) {
      rollback(conf, ips, args, e);
      throw e;
    }
    return render(conf.cniVersion(), ips, conf.routes(), dns);
  }

  // Upstream releases everything the id+ifname owns; removing only what this call reserved keeps a failed
  // duplicate ADD from freeing the addresses of the first, successful one. The undo runs with the interrupt flag
  // cleared and a lock wait of its own, so a cancelled or timed-out ADD still gives its addresses back.
  private void rollback(IpamConfig conf, List<IpConfig> ips, CmdArgs args, Throwable failure) {
    if (ips.isEmpty()) {
      return;
    }
    boolean interrupted = Thread.interrupted();
    try {
      Store store = Store.open(conf.dataDir(), conf.name(), lockTimeout);
      try (Store.Lock lock = store.lock()) {
        for (IpConfig ip : ips) {
          store.release(ip.address().ip(), args.containerId(), args.ifName());
        }
      }
    } catch (CniException e) {
      // The addresses stay reserved to their owner, and its DEL frees them.
      failure.addSuppressed(e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    IpamConfig conf = IpamConfig.load(args.stdinData(), args.args());
    Store store = Store.open(conf.dataDir(), conf.name(), lockWait(ctx));
    boolean found;
    try (Store.Lock lock = store.lock()) {
      found = store.findById(args.containerId(), args.ifName());
    }
    if (!found) {
      throw new CniException(
          ErrorCode.INTERNAL, "host-local: Failed to find address added by container " + args.containerId());
    }
  }

  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    IpamConfig conf = IpamConfig.load(args.stdinData(), args.args());
    Store store = Store.open(conf.dataDir(), conf.name(), lockWait(ctx));
    List<String> errors = new ArrayList<>();
    for (int idx = 0; idx < conf.rangeSets().size(); idx++) {
      try {
        new Allocator(conf.rangeSets().get(idx), store, idx).release(args.containerId(), args.ifName());
      } catch (CniException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new CniException(ErrorCode.IO_FAILURE, String.join(";", errors));
    }
  }

  /**
   * Releases every address of the network's store whose owner ({@code containerID}, {@code ifname}) is not in
   * {@code cni.dev/valid-attachments}; a legacy file (id only) stays when any attachment has that container id.
   * A GC without that key releases nothing.
   */
  @Override
  public void gc(CmdArgs args, PluginContext ctx) throws CniException {
    IpamConfig conf = IpamConfig.load(args.stdinData(), args.args());
    Set<Store.Owner> valid = new HashSet<>();
    Set<String> validIds = new HashSet<>();
    JsonFields root = JsonFields.parse(args.stdinData(), "GCConf", "GCConf");
    if (!root.hasKey(VALID_ATTACHMENTS)) {
      // Without the list the runtime has said nothing about what is in use (libcni sends none when GC is called
      // with nil args); releasing everything would take addresses from attachments it never knew about.
      return;
    }
    for (JsonNode a : root.array(VALID_ATTACHMENTS, "[]types.GCAttachment")) {
      JsonFields att = root.element(a, VALID_ATTACHMENTS, "types.GCAttachment", "GCAttachment");
      String trimmed = Store.goTrimSpace(att.string("containerID"));
      valid.add(new Store.Owner(trimmed, att.string("ifname")));
      validIds.add(trimmed);
    }
    Store store = Store.open(conf.dataDir(), conf.name(), lockWait(ctx));
    try (Store.Lock lock = store.lock()) {
      for (Map.Entry<InetAddress, Store.Owner> e : store.reservations().entrySet()) {
        Store.Owner o = e.getValue();
        boolean keep = o.ifname() == null ? validIds.contains(o.containerId()) : valid.contains(o);
        if (!keep) {
          store.remove(e.getKey());
        }
      }
    }
  }

  // Built in the newest shape and converted, as upstream's PrintResult(result, confVersion) does.
  private static ObjectNode render(String version, List<IpConfig> ips, List<Route> routes, Dns dns)
      throws CniException {
    return new Result100(Result100.IMPLEMENTED, List.of(), ips, routes, dns).convertTo(version).toJsonNode();
  }
}
