package io.jcni.libcni;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A network configuration list (a {@code .conflist}): a named network whose plugins run in order (Go's {@code
 * NetworkConfigList}).
 *
 * <p>{@link #bytes()} is the main file's content only (plugins merged from the {@code <dir>/<name>/} folder are
 * not in it); it is what the result cache stores. Build one with {@link ConfLoader}.
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
        + plugins + ", bytes=" + new String(bytes, StandardCharsets.UTF_8) + "]";
  }
}
