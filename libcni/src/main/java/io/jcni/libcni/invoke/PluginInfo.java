package io.jcni.libcni.invoke;

import java.util.List;

/**
 * What a plugin answers to {@code VERSION}: the spec version it speaks and the configuration versions it accepts.
 *
 * @param cniVersion the version of the answer itself
 * @param supportedVersions the configuration versions the plugin accepts, in its order
 */
public record PluginInfo(String cniVersion, List<String> supportedVersions) {
  public PluginInfo {
    supportedVersions = List.copyOf(supportedVersions);
  }

  /** An answer in the current spec version listing {@code versions} (Go's {@code version.PluginSupports}). */
  public static PluginInfo supports(String... versions) {
    return new PluginInfo(DispatchingInvoker.CURRENT_VERSION, List.of(versions));
  }
}
