package io.jcni.libcni.spi;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The set of in-process plugins, keyed by {@code type}.
 *
 * <p>{@link #discover()} fills a registry from every {@link CniPlugin} on the class path ({@link ServiceLoader});
 * tests and embedding runtimes may {@link #register} their own.
 */
public final class PluginRegistry {
  private final Map<String, CniPlugin> plugins = new ConcurrentHashMap<>();

  private PluginRegistry() {}  // empty() or discover()

  /** An empty registry: every type is exec'd. */
  public static PluginRegistry empty() {
    return new PluginRegistry();
  }

  /** A registry holding every {@link CniPlugin} service found on the class path. */
  public static PluginRegistry discover() {
    PluginRegistry r = new PluginRegistry();
    for (CniPlugin p : ServiceLoader.load(CniPlugin.class)) {
      r.register(p);
    }
    return r;
  }

  /** Registers {@code plugin} under its type, replacing any earlier one; returns this registry. */
  public PluginRegistry register(CniPlugin plugin) {
    plugins.put(plugin.type(), plugin);
    return this;
  }

  /** The plugin registered for {@code type}, if any. */
  public Optional<CniPlugin> lookup(String type) {
    return Optional.ofNullable(plugins.get(type));
  }

  /** The registered types, sorted. */
  public java.util.SortedSet<String> types() {
    return new java.util.TreeSet<>(plugins.keySet());
  }

  /** Whether a plugin is registered for {@code type}. */
  public boolean has(String type) {
    return plugins.containsKey(type);
  }
}
