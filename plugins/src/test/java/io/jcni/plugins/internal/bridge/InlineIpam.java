package io.jcni.plugins.internal.bridge;

import io.jcni.libcni.spi.CniPlugin;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/** The in-process IPAM plugins on the class path (host-local), keyed by type; the bridge itself excluded. */
final class InlineIpam {
  private InlineIpam() {}

  static Map<String, CniPlugin> plugins() {
    return StreamSupport.stream(ServiceLoader.load(CniPlugin.class).spliterator(), false)
        .filter(p -> !p.type().equals("bridge"))
        .collect(Collectors.toMap(CniPlugin::type, p -> p, (a, b) -> a));
  }
}
