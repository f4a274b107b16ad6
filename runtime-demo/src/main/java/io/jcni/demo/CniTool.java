package io.jcni.demo;

import io.jcni.libcni.CachedConfig;
import io.jcni.libcni.CniConfig;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.PluginConf;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Result;
import io.jcni.libcni.version.PluginInfo;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The cnitool-compatible commands: add, check, del, gc, status, version, validate, list. */
final class CniTool {
  private final CliEnv env;
  private final CniConfig cni;
  private final PrintStream out;

  CniTool(CliEnv env, boolean inline, Duration timeout, PrintStream out) {
    this.env = env;
    this.out = out;
    PluginRegistry registry = inline ? PluginRegistry.discover() : PluginRegistry.empty();
    this.cni = CniConfig.builder()
        .path(env.cniPath())
        .cacheDir(env.cacheDir())
        .inline(registry, registry::has)
        .timeout(timeout)
        .build();
  }

  void add(String network, String netns) throws CniException {
    NetworkConfigList list = load(network);
    requireNetns(netns);
    RuntimeConf rt = runtime(netns, env.capabilityArgs());
    Result r = cni.addNetworkList(list, rt);
    out.println(new String(r.toPrettyJson(), StandardCharsets.UTF_8));
  }

  void check(String network, String netns) throws CniException {
    NetworkConfigList list = load(network);
    cni.checkNetworkList(list, withCachedCapabilities(list, runtime(netns, env.capabilityArgs())));
  }

  void del(String network, String netns) throws CniException {
    NetworkConfigList list = load(network);
    cni.delNetworkList(list, withCachedCapabilities(list, runtime(netns, env.capabilityArgs())));
  }

  void gc(String network) throws CniException {
    cni.gcNetworkList(load(network), null);
  }

  void status(String network) throws CniException {
    cni.getStatusNetworkList(load(network));
    out.println("network " + network + " is ready");
  }

  void version(String type) throws CniException {
    PluginInfo info = cni.getVersionInfo(type);
    out.println(type + ": CNI " + info.cniVersion() + ", supports " + String.join(", ", info.supportedVersions()));
  }

  void validate(String network) throws CniException {
    Set<String> caps = cni.validateNetworkList(load(network));
    out.println("network " + network + " is valid; capabilities: " + (caps.isEmpty() ? "none" : String.join(", ", caps)));
  }

  void list() throws CniException {
    Path dir = env.confDir();
    List<Path> files = ConfLoader.confFiles(dir, List.of(".conflist", ".conf", ".json"));
    if (files.isEmpty()) {
      out.println("no network configurations in " + dir);
    }
    for (Path f : files) {
      try {
        NetworkConfigList l = f.toString().endsWith(".conflist")
            ? ConfLoader.confListFromFile(f)
            : ConfLoader.confListFromConf(ConfLoader.pluginConfFromFile(f));
        out.printf("%-20s %-8s %-40s %s%n", l.name(), l.cniVersion(), f,
            String.join(",", l.plugins().stream().map(PluginConf::type).toList()));
      } catch (CniException e) {
        out.printf("%-20s %-8s %-40s %s%n", "?", "?", f, "error: " + e.getMessage());
      }
    }
  }

  private NetworkConfigList load(String network) throws CniException {
    return ConfLoader.loadConfList(env.confDir(), network);
  }

  private static void requireNetns(String netns) throws CniException {
    if (netns.isEmpty() || !Files.exists(Path.of(netns))) {
      throw new CniException(ErrorCode.INVALID_NETNS_PATH, "network namespace " + netns + " does not exist");
    }
  }

  private RuntimeConf runtime(String netns, Map<String, Object> caps) throws CniException {
    return new RuntimeConf(env.containerId(netns), netns, env.ifName(), env.cniArgs(), caps, null);
  }

  /** Without CAP_ARGS, DEL and CHECK use the capability args cached at ADD (e.g. portmap's mappings). */
  private RuntimeConf withCachedCapabilities(NetworkConfigList list, RuntimeConf rt) throws CniException {
    if (env.capabilityArgs() != null) {
      return rt;
    }
    Optional<CachedConfig> cached;
    try {
      cached = cni.getNetworkListCachedConfig(list, rt);
    } catch (CniException e) {
      return rt; // a corrupt cache must not block DEL; CniConfig deals with it
    }
    return cached.map(c -> rt.withCapabilityArgs(c.runtimeConf().capabilityArgs())).orElse(rt);
  }
}
