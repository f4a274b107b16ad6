package io.jcni.plugins.internal.tuning;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One DEL of the tuning plugin: puts back the link values its backup file holds and removes the file. As upstream,
 * nothing here fails the DEL: without the namespace, the link or a readable backup the file is left for a later
 * DEL, and when a value cannot be restored the file stays too.
 */
final class TuningDel {
  private static final System.Logger LOG = System.getLogger(TuningDel.class.getName());

  private TuningDel() {}

  static void restore(Path dataDir, CmdArgs args) {
    Path file = LinkBackup.file(dataDir, args.containerId(), args.ifName());
    try (Container c = Container.open(args.netns())) {
      restore(c, file, args.ifName());
    } catch (CniException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "tuning DEL of " + file + " left it: " + e.getMessage());
    }
  }

  private static void restore(Container c, Path file, String ifName) throws CniException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw Container.internal("failed to open file " + io.jcni.libcni.internal.json.GoJson.quote(file.toString()) + ": "
          + e.getMessage(), e);
    }
    LinkBackup b = LinkBackup.parse(bytes);
    if (b == null) {
      return;
    }
    try {
      c.links.link(ifName);
    } catch (IOException e) {
      return;
    }
    List<String> errors = new ArrayList<>();
    attempt(errors, "failed to restore MTU", b.mtu() != 0, () -> c.links.setMtu(ifName, b.mtu()));
    attempt(errors, "failed to restore MAC address", !b.mac().isEmpty(),
        () -> c.links.setMac(ifName, TuningPlugin.mac(b.mac())));
    attempt(errors, "failed to restore promiscuous mode", b.promisc() != null,
        () -> c.links.setPromisc(ifName, b.promisc()));
    attempt(errors, "failed to restore all-multicast mode", b.allmulti() != null,
        () -> c.links.setAllmulti(ifName, b.allmulti()));
    attempt(errors, "failed to restore transmit queue length", b.txQLen() != null,
        () -> c.links.setTxQueueLen(ifName, b.txQLen()));
    if (!errors.isEmpty()) {
      throw Container.internal(String.join("; ", errors));
    }
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw Container.internal("failed to remove file " + file + ": " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Step {
    void run() throws IOException, CniException;
  }

  private static void attempt(List<String> errors, String what, boolean wanted, Step step) {
    if (!wanted) {
      return;
    }
    try {
      step.run();
    } catch (IOException e) {
      errors.add(what + ": " + Container.reason(e));
    } catch (CniException e) {
      errors.add(what + ": " + e.getMessage());
    }
  }
}
