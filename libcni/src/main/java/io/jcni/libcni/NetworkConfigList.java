package io.jcni.libcni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.types.ByteText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A network configuration list (a {@code .conflist}): a named network whose plugins run in order (Go's {@code
 * NetworkConfigList}).
 *
 * <p>{@link #bytes()} is the main file's content only (plugins merged from the {@code <dir>/<name>/} folder are
 * not in it); {@link #cacheBytes()} is what the result cache stores. Build one with {@link ConfLoader}.
 *
 * @param name the network name
 * @param cniVersion the chosen version: the highest of {@code cniVersion} and {@code cniVersions} that this
 *     library implements, or {@code cniVersion} verbatim when there is no {@code cniVersions}; may be ""
 * @param disableCheck whether CHECK is skipped
 * @param disableGC whether GC is skipped
 * @param loadOnlyInlinedPlugins whether the {@code <dir>/<name>/*.conf} plugin folder is ignored
 * @param plugins the plugins, inlined ones first
 * @param bytes the raw bytes of the main file
 */
public record NetworkConfigList(
    String name,
    String cniVersion,
    boolean disableCheck,
    boolean disableGC,
    boolean loadOnlyInlinedPlugins,
    List<PluginConf> plugins,
    byte[] bytes) {

  public NetworkConfigList {
    name = name == null ? "" : name;
    cniVersion = cniVersion == null ? "" : cniVersion;
    plugins = plugins == null ? List.of() : List.copyOf(plugins);
    bytes = Objects.requireNonNull(bytes, "bytes").clone();
  }

  /** A copy of the main file's raw bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * The configuration the result cache stores for an ADD of this list: {@link #bytes()} when its plugins are the
   * inlined ones (always so for Go libcni's lists, so those cache files stay byte-identical to Go's), else the
   * main file with {@code plugins} set to every plugin that runs and {@code loadOnlyInlinedPlugins} true.
   *
   * <p>Why: a network whose plugins come from its {@code <dir>/<name>/} folder must still be DEL'd and GC'd
   * through every one of them after its files are gone, and the cache is then all that is left of it. The
   * result is still a plain conflist (keys sorted, compact), so Go libcni reads such a cache file as well; the
   * flag keeps a reader from appending the folder's plugins a second time.
   */
  public byte[] cacheBytes() {
    JsonNode raw;
    try {
      raw = GoJson.parse(bytes);
    } catch (GoJson.GoJsonException e) {
      return bytes(); // not from a file (built by hand): nothing to merge into
    }
    if (!(raw instanceof ObjectNode main)) {
      return bytes();
    }
    List<byte[]> inlined = new ArrayList<>();
    if (main.get("plugins") instanceof ArrayNode a) {
      a.forEach(p -> inlined.add(GoJson.compact(GoJson.sorted(p))));
    }
    if (sameBytes(inlined, plugins)) {
      return bytes();
    }
    ArrayNode all = main.putArray("plugins");
    for (PluginConf p : plugins) {
      try {
        all.add(GoJson.parse(p.bytes()));
      } catch (GoJson.GoJsonException e) {
        return bytes(); // a hand-made plugin without JSON bytes cannot be written down; keep Go's form
      }
    }
    main.put("loadOnlyInlinedPlugins", true);
    return GoJson.compact(GoJson.sorted(main));
  }

  private static boolean sameBytes(List<byte[]> inlined, List<PluginConf> plugins) {
    if (inlined.size() != plugins.size()) {
      return false;
    }
    for (int i = 0; i < inlined.size(); i++) {
      if (!Arrays.equals(inlined.get(i), plugins.get(i).bytes())) {
        return false;
      }
    }
    return true;
  }

  /** The same list with other plugins (bytes unchanged), as Go does when it appends the folder's plugins. */
  public NetworkConfigList withPlugins(List<PluginConf> newPlugins) {
    return new NetworkConfigList(name, cniVersion, disableCheck, disableGC, loadOnlyInlinedPlugins, newPlugins,
        bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkConfigList l && name.equals(l.name) && cniVersion.equals(l.cniVersion)
        && disableCheck == l.disableCheck && disableGC == l.disableGC
        && loadOnlyInlinedPlugins == l.loadOnlyInlinedPlugins && plugins.equals(l.plugins)
        && Arrays.equals(bytes, l.bytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, cniVersion, disableCheck, disableGC, loadOnlyInlinedPlugins, plugins,
        Arrays.hashCode(bytes));
  }

  @Override
  public String toString() {
    return "NetworkConfigList[name=" + name + ", cniVersion=" + cniVersion + ", disableCheck=" + disableCheck
        + ", disableGC=" + disableGC + ", loadOnlyInlinedPlugins=" + loadOnlyInlinedPlugins + ", plugins="
        + plugins + ", bytes=" + ByteText.of(bytes) + "]";
  }
}
