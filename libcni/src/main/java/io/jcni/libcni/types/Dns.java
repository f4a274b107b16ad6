package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import java.util.List;

/**
 * The DNS settings of a CNI result ({@code dns}); every field is optional and omitted from JSON when empty.
 *
 * @param nameservers name server addresses, in priority order
 * @param domain the local domain
 * @param search search domains
 * @param options resolver options
 */
public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {
  /** No DNS settings. */
  public static final Dns EMPTY = new Dns(null, null, null, null);

  public Dns {
    nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
    domain = domain == null ? "" : domain;
    search = search == null ? List.of() : List.copyOf(search);
    options = options == null ? List.of() : List.copyOf(options);
  }

  /** Whether nothing is set; 1.x results then leave out {@code dns}, 0.x print {@code {}}. */
  public boolean isEmpty() {
    return nameservers.isEmpty() && domain.isEmpty() && search.isEmpty() && options.isEmpty();
  }

  /** The JSON object, members in Go's struct order. */
  public ObjectNode toJsonNode() {
    ObjectNode n = GoJson.mapper().createObjectNode();
    if (!nameservers.isEmpty()) {
      nameservers.forEach(n.putArray("nameservers")::add);
    }
    if (!domain.isEmpty()) {
      n.put("domain", domain);
    }
    if (!search.isEmpty()) {
      search.forEach(n.putArray("search")::add);
    }
    if (!options.isEmpty()) {
      options.forEach(n.putArray("options")::add);
    }
    return n;
  }

  /** Reads a {@code dns} object; null is {@link #EMPTY}. */
  public static Dns fromJson(JsonNode n) throws CniException {
    JsonFields f = JsonFields.of(n, "DNS");
    return new Dns(f.strings("nameservers"), f.string("domain"), f.strings("search"), f.strings("options"));
  }
}
