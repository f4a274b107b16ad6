package io.jcni.plugins.internal.tuning;

import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.plugins.internal.linux.Link;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The original values of the link attributes a tuning ADD changes, kept in {@code <dataDir>/<containerId>_<ifName>
 * .json} until DEL puts them back: the Go plugin's {@code configToRestore}, in its file format (Go's {@code
 * json.MarshalIndent} with one space, unset members left out), so either implementation restores what the other
 * changed.
 *
 * @param mac the original MAC, or "" when the MAC is not changed
 * @param promisc the original promiscuous mode, or null
 * @param mtu the original MTU, or 0
 * @param allmulti the original all-multicast mode, or null
 * @param txQLen the original transmit queue length, or null
 */
record LinkBackup(String mac, Boolean promisc, int mtu, Boolean allmulti, Integer txQLen) {
  private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");

  /** What {@code conf} is about to change on {@code link}, as it is now. */
  static LinkBackup of(TuningConf conf, Link link) {
    return new LinkBackup(
        conf.mac().isEmpty() ? "" : link.mac(),
        conf.promisc() ? link.promisc() : null,
        conf.mtu() != 0 ? link.mtu() : 0,
        conf.allmulti() != null ? link.allmulti() : null,
        conf.txQLen() != null ? link.txQueueLen() : null);
  }

  /** The backup file of one attachment. */
  static Path file(Path dataDir, String containerId, String ifName) {
    return dataDir.resolve(containerId + "_" + ifName + ".json");
  }

  /** The file's bytes, as Go writes them. */
  byte[] toJson() {
    List<String> members = new ArrayList<>();
    if (!mac.isEmpty()) {
      members.add("\"mac\": " + new String(GoJson.compact(GoJson.mapper().getNodeFactory().textNode(mac)),
          StandardCharsets.UTF_8));
    }
    if (promisc != null) {
      members.add("\"promisc\": " + promisc);
    }
    if (mtu != 0) {
      members.add("\"mtu\": " + mtu);
    }
    if (allmulti != null) {
      members.add("\"allmulti\": " + allmulti);
    }
    if (txQLen != null) {
      members.add("\"txQLen\": " + txQLen);
    }
    String s = members.isEmpty() ? "{}" : "{\n " + String.join(",\n ", members) + "\n}";
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Parses a backup file; null when it is not one (Go then leaves the file and restores nothing). */
  static LinkBackup parse(byte[] json) {
    try {
      JsonFields f = JsonFields.of(GoJson.parse(json), "main.configToRestore", "configToRestore");
      return new LinkBackup(f.string("mac"), f.has("promisc") ? f.bool("promisc") : null,
          (int) f.longInteger("mtu", 0), f.has("allmulti") ? f.bool("allmulti") : null, f.integer("txQLen"));
    } catch (GoJson.GoJsonException | io.jcni.libcni.types.CniException e) {
      return null;
    }
  }

  /** Writes this backup to {@code file}, making its directory (mode 0600, as upstream) when missing. */
  void write(Path file) throws IOException {
    FileAttribute<Set<PosixFilePermission>> rw = PosixFilePermissions.asFileAttribute(OWNER_RW);
    Files.createDirectories(file.getParent(), rw);
    try (SeekableByteChannel ch = Files.newByteChannel(file,
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), rw)) {
      ByteBuffer b = ByteBuffer.wrap(toJson());
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }
}
