package io.jcni.plugins.internal.tuning;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.Link;
import java.io.IOException;
import java.util.List;

/**
 * One ADD of the tuning plugin inside the container, in upstream's order: the sysctls, the backup of the link values
 * about to change, then MAC, promiscuous mode, MTU, all-multicast mode and transmit queue length.
 */
final class TuningAdd {
  private final TuningConf conf;
  private final CmdArgs args;
  private final Container c;

  TuningAdd(TuningConf conf, CmdArgs args, Container c) {
    this.conf = conf;
    this.args = args;
    this.c = c;
  }

  void run(List<SysctlKey> keys, byte[] mac) throws CniException {
    String ifName = args.ifName();
    for (SysctlKey key : keys) {
      try {
        c.sysctl.write(key.netPath(), conf.sysctl().get(key.key()));
      } catch (IOException e) {
        throw Container.internal(e.getMessage(), e);
      }
    }
    if (!conf.changesLink()) {
      return;
    }
    backup(ifName);
    try {
      if (mac != null) {
        c.links.setMac(ifName, mac);
      }
      if (conf.promisc()) {
        c.links.setPromisc(ifName, true);
      }
      if (conf.mtu() != 0) {
        c.links.setMtu(ifName, (int) conf.mtu());
      }
      if (conf.allmulti() != null) {
        c.links.setAllmulti(ifName, conf.allmulti());
      }
      if (conf.txQLen() != null) {
        c.links.setTxQueueLen(ifName, conf.txQLen());
      }
    } catch (IOException e) {
      throw linkError(ifName, e);
    }
  }

  private void backup(String ifName) throws CniException {
    Link link;
    try {
      link = c.links.link(ifName);
    } catch (IOException e) {
      throw linkError(ifName, e);
    }
    var file = LinkBackup.file(conf.dataDir(), args.containerId(), ifName);
    try {
      LinkBackup.of(conf, link).write(file);
    } catch (IOException e) {
      throw Container.internal("failed to save file " + ifName + ".json: " + e.getMessage(), e);
    }
  }

  /** Go looks the link up by name before each change: a missing link reads {@code failed to get "x": Link not found}. */
  static CniException linkError(String ifName, IOException e) {
    if (e instanceof ErrnoException x && x.kind() == ErrnoException.Kind.NOT_FOUND) {
      return Container.internal("failed to get " + io.jcni.libcni.internal.json.GoJson.quote(ifName) + ": Link not found", e);
    }
    return Container.internal(Container.reason(e), e);
  }
}
