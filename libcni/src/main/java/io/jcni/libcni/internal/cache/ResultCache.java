package io.jcni.libcni.internal.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.types.ErrorText;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The libcni result cache: one file per attachment under {@code <cacheDir>/results/}, byte-compatible with Go
 * libcni so Go and jcni runtimes can take over each other's attachments.
 *
 * <p>Files are named {@code <network>-<containerId>-<ifName>} and hold the {@code cniCacheV1} record with keys in
 * Go's order. Unlike Go, a write is atomic (temporary file in the same directory, then rename), so a reader never
 * sees a half-written file. Like Go, it is not synced to disk: a power cut may lose the latest writes or leave an
 * empty file, which {@link #get} reports as {@link CacheFile.Corrupt} (every namespace is gone after a power cut
 * anyway); two journal commits per ADD were half of an in-process ADD's time. The directories are 0700 and
 * the file 0600. Reading never fails on a bad file: {@link #get} reports it as {@link CacheFile.Corrupt} so a DEL
 * can remove it and continue. Like Go, the cache does no locking; callers serialize operations on one
 * attachment.
 */
public final class ResultCache {
  /** Where Go libcni keeps its cache unless told otherwise. */
  public static final Path DEFAULT_DIR = Path.of("/var/lib/cni");

  // Our own temporary files; never listed as attachments. The name is this prefix and a random number, not the
  // final name: any final name that fits NAME_MAX must still be writable through its temporary file.
  static final String TEMP_PREFIX = ".jcni-tmp-";

  private static final FileAttribute<?> DIR_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<?> FILE_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path cacheDir;

  /** A cache rooted at {@code cacheDir} (files go to {@code cacheDir/results}). */
  public ResultCache(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  /** The cache directory (the parent of {@code results}). */
  public Path dir() {
    return cacheDir;
  }

  /**
   * The file of one attachment: {@code <cacheDir>/results/<network>-<containerId>-<ifName>}.
   *
   * @throws CniException code 4 when a part is empty (Go's {@code cache file path requires network name (""),
   *     container ID ("x"), and interface name ("eth0")}) or contains a {@code /} or NUL
   */
  public Path path(String networkName, String containerId, String ifName) throws CniException {
    String net = networkName == null ? "" : networkName;
    String cid = containerId == null ? "" : containerId;
    String ifn = ifName == null ? "" : ifName;
    if (net.isEmpty() || cid.isEmpty() || ifn.isEmpty()) {
      throw new CniException(
          ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "cache file path requires network name (" + GoJson.quote(net) + "), container ID ("
              + GoJson.quote(cid) + "), and interface name (" + GoJson.quote(ifn) + ")");
    }
    String name = net + "-" + cid + "-" + ifn;
    // Go would join such a name into a path outside results/; refuse it instead.
    if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
      throw new CniException(
          ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "invalid cache file name " + GoJson.quote(name) + ": contains / or NUL");
    }
    return cacheDir.resolve("results").resolve(name);
  }

  /**
   * Writes {@code entry} atomically, replacing any earlier file of the same attachment.
   *
   * @throws CniException code 4 for a missing name part, code 5 when the directory or file cannot be written
   */
  public void put(CacheEntry entry) throws CniException {
    write(path(entry.networkName(), entry.containerId(), entry.ifName()), encode(entry));
  }

  /**
   * The bytes of an attachment's file as they are now, for {@link #restore} to put back; empty when there is none.
   *
   * @throws CniException code 5 when it exists but cannot be read
   */
  public Optional<byte[]> snapshot(String networkName, String containerId, String ifName) throws CniException {
    Path target = path(networkName, containerId, ifName);
    if (!target.toFile().exists()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readAllBytes(target));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw ioFailure("failed to read cache file " + target, e);
    }
  }

  /** Puts an attachment's file back as {@link #snapshot} read it: those bytes, written atomically, or no file. */
  public void restore(String networkName, String containerId, String ifName, Optional<byte[]> before)
      throws CniException {
    if (before.isPresent()) {
      write(path(networkName, containerId, ifName), before.get());
    } else {
      delete(networkName, containerId, ifName);
    }
  }

  /** Writes {@code bytes} to {@code target} atomically (a temporary file in the same directory, then a rename). */
  private void write(Path target, byte[] bytes) throws CniException {
    Path results = target.getParent();
    try {
      createDirectories(results);
    } catch (IOException e) {
      throw ioFailure("failed to create cache directory " + results, e);
    }
    Path tmp = null;
    try {
      tmp = Files.createTempFile(results, TEMP_PREFIX, "", FILE_MODE);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
    } catch (IOException e) {
      throw ioFailure("failed to write cache file " + target, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // Nothing more can be done; the name prefix keeps it out of listings.
        }
      }
    }
  }

  private static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(dir, DIR_MODE);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw new FileSystemException(dir.toString(), null, "not a directory");
      }
    }
  }

  /**
   * Reads the file of one attachment.
   *
   * @return empty when there is no file or it cannot be read (as Go, which then runs without a cached result),
   *     otherwise what the file holds
   * @throws CniException only for a missing name part
   */
  public Optional<CacheFile> get(String networkName, String containerId, String ifName) throws CniException {
    Path file = path(networkName, containerId, ifName);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(classify(file, bytes));
  }

  /**
   * Deletes the file of one attachment.
   *
   * @return whether a file was there
   * @throws CniException code 4 for a missing name part, code 5 when the file exists but cannot be removed
   */
  public boolean delete(String networkName, String containerId, String ifName) throws CniException {
    Path file = path(networkName, containerId, ifName);
    try {
      return Files.deleteIfExists(file);
    } catch (IOException e) {
      throw ioFailure("failed to delete cache file " + file, e);
    }
  }

  /**
   * The cached attachments, by file name, as Go's {@code GetCachedAttachments}: for a non-empty
   * {@code containerId} only files whose name holds {@code -<containerId>-} inside it and whose record has that
   * container ID; files that are unreadable, not {@code cniCacheV1} records, or lack a network or interface name
   * are skipped.
   *
   * @throws CniException code 5 when {@code results} exists but cannot be listed
   */
  public List<CacheEntry> attachments(String containerId) throws CniException {
    String cid = containerId == null ? "" : containerId;
    Path results = cacheDir.resolve("results");
    // The names are filtered before they are sorted (in Go's order, by the bytes of their UTF-8 form): an ADD asks
    // for one container's files, and sorting every other container's names cost more with each attachment.
    String part = "-" + cid + "-";
    List<String> names = DirectoryNames.results(results).current(name -> cid.isEmpty() || namesContainer(name, part));
    names.sort((a, b) -> compareUtf8(a, b));
    List<CacheEntry> out = new ArrayList<>();
    for (String name : names) {
      Path file = results.resolve(name);
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        continue;
      }
      if (classify(file, bytes) instanceof CacheFile.Current c) {
        CacheEntry e = c.entry();
        if (!cid.isEmpty() && !e.containerId().equals(cid)) {
          continue;
        }
        if (e.ifName().isEmpty() || e.networkName().isEmpty()) {
          continue;
        }
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Whether this JVM keeps the names of the cache's files up to date from a watch on its directory (jcni-plugins on
   * the class path, a local filesystem) rather than listing them for each {@link #attachments} call.
   */
  public boolean namesWatched() {
    return DirectoryNames.results(cacheDir.resolve("results")).watched();
  }

  /** Whether {@code -<containerId>-} occurs in the name after its first character and before its last. */
  private static boolean namesContainer(String name, String part) {
    int pos = name.indexOf(part);
    return pos > 0 && pos + part.length() < name.length();
  }

  private static int compareUtf8(String a, String b) {
    return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  static CniException ioFailure(String what, IOException e) {
    String why = e instanceof FileSystemException f ? ErrorText.reason(f) : ErrorText.of(e);
    return new CniException(ErrorCode.IO_FAILURE, what + ": " + why, "", e);
  }

  /** Renders {@code entry} exactly as Go's {@code json.Marshal(cachedInfo)}. */
  public static byte[] encode(CacheEntry entry) {
    StringBuilder sb = new StringBuilder("{");
    field(sb, "kind", CacheEntry.KIND_V1);
    sb.append(',');
    field(sb, "containerId", entry.containerId());
    sb.append(",\"config\":");
    if (entry.config() == null) {
      sb.append("null");
    } else {
      sb.append('"').append(Base64.getEncoder().encodeToString(entry.config())).append('"');
    }
    sb.append(',');
    field(sb, "ifName", entry.ifName());
    sb.append(',');
    field(sb, "networkName", entry.networkName());
    if (!entry.netns().isEmpty()) {
      sb.append(',');
      field(sb, "netns", entry.netns());
    }
    if (entry.cniArgs() != null && !entry.cniArgs().isEmpty()) {
      sb.append(",\"cniArgs\":[");
      for (int i = 0; i < entry.cniArgs().size(); i++) {
        CacheEntry.Arg a = entry.cniArgs().get(i);
        sb.append(i > 0 ? ",[" : "[").append(jsonString(a.key())).append(',').append(jsonString(a.value()))
            .append(']');
      }
      sb.append(']');
    }
    if (entry.capabilityArgs() != null && !entry.capabilityArgs().isEmpty()) {
      sb.append(",\"capabilityArgs\":").append(new String(GoJson.marshal(entry.capabilityArgs()),
          StandardCharsets.UTF_8));
    }
    if (entry.result() != null && !entry.result().isEmpty()) {
      sb.append(",\"result\":").append(new String(GoJson.marshal(entry.result()), StandardCharsets.UTF_8));
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void field(StringBuilder sb, String key, String value) {
    sb.append('"').append(key).append("\":").append(jsonString(value));
  }

  private static String jsonString(String s) {
    return new String(GoJson.marshal(GoJson.mapper().getNodeFactory().textNode(s)), StandardCharsets.UTF_8);
  }

  /** Decides what {@code bytes} of {@code file} hold, by Go's reading rules. */
  static CacheFile classify(Path file, byte[] bytes) {
    JsonNode root;
    try {
      root = GoJson.parse(bytes);
    } catch (GoJson.GoJsonException e) {
      return new CacheFile.Corrupt(file, bytes, e.getMessage());
    }
    if (!root.isObject()) {
      return new CacheFile.Corrupt(file, bytes, GoJson.typeMismatch(root, "libcni.cachedInfo"));
    }
    JsonNode kind = lookup(root, "kind");
    String kindText = kind != null && kind.isTextual() ? kind.textValue() : "";
    if (!CacheEntry.KIND_V1.equals(kindText)) {
      return new CacheFile.Legacy(file, kindText, bytes);
    }
    try {
      return new CacheFile.Current(file, decode(root));
    } catch (IllegalArgumentException e) {
      return new CacheFile.Corrupt(file, bytes, e.getMessage());
    }
  }

  /** Go matches JSON keys to struct fields case-insensitively; the last matching key wins. */
  private static JsonNode lookup(JsonNode obj, String field) {
    JsonNode found = null;
    for (Map.Entry<String, JsonNode> f : obj.properties()) {
      if (f.getKey().equalsIgnoreCase(field)) {
        found = f.getValue();
      }
    }
    return found;
  }

  private static CacheEntry decode(JsonNode root) {
    byte[] config = null;
    JsonNode c = lookup(root, "config");
    if (c != null && !c.isNull()) {
      if (!c.isTextual()) {
        throw new IllegalArgumentException(fieldMismatch(c, "Config", "[]uint8"));
      }
      try {
        config = Base64.getDecoder().decode(c.textValue().replace("\r", "").replace("\n", ""));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("illegal base64 data in config: " + e.getMessage());
      }
    }
    List<CacheEntry.Arg> args = null;
    JsonNode a = lookup(root, "cniArgs");
    if (a != null && !a.isNull()) {
      if (!a.isArray()) {
        throw new IllegalArgumentException(fieldMismatch(a, "CniArgs", "[][2]string"));
      }
      args = new ArrayList<>();
      for (JsonNode pair : a) {
        if (!pair.isArray() && !pair.isNull()) {
          throw new IllegalArgumentException(fieldMismatch(pair, "CniArgs", "[2]string"));
        }
        args.add(new CacheEntry.Arg(text(pair.get(0), "CniArgs"), text(pair.get(1), "CniArgs")));
      }
    }
    return new CacheEntry(
        text(lookup(root, "networkName"), "NetworkName"),
        text(lookup(root, "containerId"), "ContainerID"),
        text(lookup(root, "ifName"), "IfName"),
        config,
        text(lookup(root, "netns"), "NetNS"),
        args,
        object(lookup(root, "capabilityArgs"), "CapabilityArgs"),
        object(lookup(root, "result"), "RawResult"));
  }

  private static String text(JsonNode n, String goField) {
    if (n == null || n.isNull()) {
      return "";
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException(fieldMismatch(n, goField, "string"));
    }
    return n.textValue();
  }

  private static ObjectNode object(JsonNode n, String goField) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new IllegalArgumentException(fieldMismatch(n, goField, "map[string]interface {}"));
    }
    return (ObjectNode) n;
  }

  private static String fieldMismatch(JsonNode v, String goField, String goType) {
    return GoJson.typeMismatch(v, goType)
        .replace("Go value of type", "Go struct field cachedInfo." + goField + " of type");
  }
}
