package io.jcni.plugins.hostlocal;

import java.util.List;

/** PLACEHOLDER until io.jcni.libcni.types.Dns is merged (same API). */
record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {
  static final Dns EMPTY = new Dns(null, null, null, null);

  Dns {
    nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
    domain = domain == null ? "" : domain;
    search = search == null ? List.of() : List.copyOf(search);
    options = options == null ? List.of() : List.copyOf(options);
  }

  boolean isEmpty() {
    return nameservers.isEmpty() && domain.isEmpty() && search.isEmpty() && options.isEmpty();
  }
}
