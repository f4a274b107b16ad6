package io.jcni.plugins.internal.loopback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Result;
import io.jcni.libcni.types.Results;
import io.jcni.libcni.version.Versions;
import io.jcni.plugins.internal.linux.Address;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NetNsPathError;
import io.jcni.plugins.internal.linux.RtNetlink;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CNI {@code loopback} plugin, in process: sets {@code lo} up in the container (CNI_IFNAME is ignored) and
 * reports it with its first IPv4 and IPv6 address, or passes a prevResult through unchanged, as the Go plugin
 * (current upstream) does. DEL sets {@code lo} down and succeeds when the namespace is gone.
 */
public final class LoopbackPlugin implements CniPlugin {
  private static final String LO = "lo";

  @Override
  public String type() {
    return "loopback";
  }

  @Override
  public List<String> supportedVersions() {
    return Versions.ALL;
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    JsonFields conf = parse(args.stdinData());
    String version = conf.string("cniVersion");
    Result prev = prevResult(conf, version);
    List<IpConfig> ips = new ArrayList<>();
    try (NetNs ns = open(args.netns()); RtNetlink nl = RtNetlink.open(ns)) {
      nl.setUp(LO);
      ips.addAll(first(nl.addresses(LO, Family.IPV4)));
      ips.addAll(first(nl.addresses(LO, Family.IPV6)));
    } catch (IOException e) {
      throw internal(e);
    }
    if (prev != null) {
      return prev.convertTo(version).toJsonNode();
    }
    Result100 r = new Result100(Result100.IMPLEMENTED, List.of(Interface.of(LO, "00:00:00:00:00:00", args.netns())),
        ips, List.of(), null);
    if (version.isEmpty() || Result100.VERSIONS.contains(version)) {
      return r.convertTo(version).toJsonNode();
    }
    // Upstream builds a 1.x result labelled with the configuration's version and Go's conversion returns a result
    // already "in" the requested version unchanged, so an older version gets the 1.x shape under its own label.
    ObjectNode n = r.toJsonNode();
    n.put("cniVersion", version);
    return n;
  }

  /** The first address of {@code addrs} (none if empty), after checking every one is a loopback address. */
  private static List<IpConfig> first(List<Address> addrs) throws CniException {
    for (Address a : addrs) {
      InetAddress ip = a.prefix().ip();
      if (!ip.isLoopbackAddress()) {
        throw new CniException(ErrorCode.INTERNAL,
            "loopback interface found with non-loopback address " + GoJson.quote(Ips.format(ip)));
      }
    }
    return addrs.isEmpty() ? List.of() : List.of(IpConfig.of(0, addrs.get(0).prefix(), null));
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    try (NetNs ns = open(args.netns()); RtNetlink nl = RtNetlink.open(ns)) {
      if (!nl.link(LO).up()) {
        throw new CniException(ErrorCode.INTERNAL, "loopback interface is down");
      }
    } catch (IOException e) {
      throw internal(e);
    }
  }

  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    if (args.netns().isEmpty()) {
      return;
    }
    NetNs ns;
    try {
      ns = NetNs.open(Path.of(args.netns()));
    } catch (IOException e) {
      // The runtime may have removed the namespace already, or call DEL twice (kubernetes#43014).
      if (NetNsPathError.notExist(e)) {
        return;
      }
      throw new CniException(ErrorCode.INTERNAL, NetNsPathError.message(args.netns(), e), "", e);
    } catch (InvalidPathException e) {
      return;
    }
    try (ns; RtNetlink nl = RtNetlink.open(ns)) {
      nl.setDown(LO);
    } catch (IOException e) {
      throw internal(e);
    }
  }

  private static JsonFields parse(byte[] stdin) throws CniException {
    try {
      JsonFields n = JsonFields.parse(stdin, "types.NetConf", "NetConf");
      n.string("cniVersion");
      n.string("name");
      n.string("type");
      n.fields("ipam", "types.IPAM", "IPAM").string("type");
      n.object("prevResult", "map[string]interface {}");
      return n;
    } catch (CniException e) {
      throw e.withPrefix("failed to parse network config: ");
    }
  }

  private static Result prevResult(JsonFields conf, String version) throws CniException {
    JsonNode raw = conf.get("prevResult");
    if (raw == null) {
      return null;
    }
    Result prev;
    try {
      prev = Results.parsePrevResult(raw, version);
    } catch (CniException e) {
      throw e.withPrefix("failed to parse prevResult: ");
    }
    try {
      prev.convertTo(Result100.IMPLEMENTED);
    } catch (CniException e) {
      throw e.withPrefix("failed to convert result to current version: ");
    }
    return prev;
  }

  private static NetNs open(String netns) throws CniException {
    try {
      return NetNs.open(Path.of(netns));
    } catch (IOException e) {
      throw new CniException(ErrorCode.INTERNAL, NetNsPathError.message(netns, e), "", e);
    } catch (InvalidPathException e) {
      throw new CniException(ErrorCode.INTERNAL, String.valueOf(e.getMessage()));
    }
  }

  private static CniException internal(IOException e) {
    String msg = e instanceof ErrnoException x ? x.reason() : String.valueOf(e.getMessage());
    return new CniException(ErrorCode.INTERNAL, msg, "", e);
  }
}
