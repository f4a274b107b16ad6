package io.jcni.plugins.internal.tuning;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Result;
import io.jcni.libcni.types.Results;
import io.jcni.libcni.version.Versions;
import io.jcni.plugins.internal.linux.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CNI {@code tuning} meta plugin, in process: writes {@code net.*} sysctls in the container and changes the
 * interface's MAC, MTU, promiscuous and all-multicast modes and transmit queue length, keeping the original link
 * values in the same backup file as the Go plugin (current upstream) so either one's DEL restores them; the
 * prevResult is passed through, with the new MAC on the interface.
 *
 * <p>Like upstream it has no GC or STATUS of its own (the defaults apply). Thread-safe: each operation opens its
 * own socket in the container.
 */
public final class TuningPlugin implements CniPlugin {
  private final Path allowlist;

  /** A tuning plugin reading upstream's allowlist, {@value SysctlAllowlist#DEFAULT_FILE}. */
  public TuningPlugin() {
    this(Path.of(SysctlAllowlist.DEFAULT_FILE));
  }

  /** A tuning plugin reading the sysctl allowlist from {@code allowlist} (tests use a temporary file). */
  public TuningPlugin(Path allowlist) {
    this.allowlist = allowlist;
  }

  @Override
  public String type() {
    return "tuning";
  }

  @Override
  public List<String> supportedVersions() {
    return Versions.ALL;
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    SysctlDuplicates.check(args.stdinData());
    TuningConf conf = TuningConf.parse(args.stdinData(), args.args());
    SysctlAllowlist.check(allowlist, conf.sysctl().keySet());
    if (args.ifName().contains("/")) {
      throw Container.internal("Interface name (" + args.ifName() + ") contains an invalid character /");
    }
    Result prev = prevResult(conf);
    // Checked before anything changes; upstream finds a bad MAC only after writing the sysctls.
    byte[] mac = conf.mac().isEmpty() ? null : mac(conf.mac());
    List<SysctlKey> keys = resolve(conf, args.ifName());
    try (Container c = Container.open(args.netns())) {
      new TuningAdd(conf, args, c).run(keys, mac);
    } catch (RuntimeException e) {
      throw Container.internal(String.valueOf(e.getMessage()), e);
    }
    if (!conf.mac().isEmpty()) {
      prev = withMac(prev, args.ifName(), conf.mac());
    }
    return prev.convertTo(conf.cniVersion()).toJsonNode();
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    SysctlDuplicates.check(args.stdinData());
    TuningConf conf = TuningConf.parse(args.stdinData(), args.args());
    prevResult(conf).convertTo(Result100.IMPLEMENTED);
    try (Container c = Container.open(args.netns())) {
      new TuningCheck(conf, args.ifName(), c).run();
    } catch (RuntimeException e) {
      throw Container.internal(String.valueOf(e.getMessage()), e);
    }
  }

  /** Restores the backed-up link values; like upstream it never fails once the configuration parsed. */
  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    TuningConf conf = TuningConf.parse(args.stdinData(), args.args());
    TuningDel.restore(conf.dataDir(), args);
  }

  private static Result prevResult(TuningConf conf) throws CniException {
    if (conf.prevResult() == null) {
      throw Container.internal("Required prevResult missing");
    }
    return Results.parsePrevResult(conf.prevResult(), conf.cniVersion());
  }

  private static List<SysctlKey> resolve(TuningConf conf, String ifName) throws CniException {
    List<SysctlKey> keys = new ArrayList<>();
    for (String key : conf.sysctl().keySet()) {
      keys.add(SysctlKey.resolve(key, ifName));
    }
    return keys;
  }

  /** {@code prev} with {@code mac} (as configured) on its interfaces named {@code ifName}, as upstream reports it. */
  private static Result withMac(Result prev, String ifName, String mac) throws CniException {
    Result100 r = (Result100) prev.convertTo(Result100.IMPLEMENTED);
    List<Interface> ifs = new ArrayList<>();
    for (Interface i : r.interfaces()) {
      ifs.add(i.name().equals(ifName)
          ? new Interface(i.name(), mac, i.mtu(), i.sandbox(), i.socketPath(), i.pciID())
          : i);
    }
    return new Result100(r.cniVersion(), ifs, r.ips(), r.routes(), r.dns());
  }

  /** The bytes of a configured or saved MAC; one Go does not parse fails with the Go plugin's message. */
  static byte[] mac(String s) throws CniException {
    return MacAddress.parse(s).orElseThrow(
        () -> Container.internal("invalid args " + s + " for MAC addr: " + MacAddress.invalid(s)));
  }
}
