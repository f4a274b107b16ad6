package io.jcni.plugins.internal.attach;

import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;

/**
 * The top-level {@code dns} of a plugin configuration, which replaces the IPAM plugin's DNS in the result only when
 * Go's {@code dnsConfSet} holds: nameservers, search or options present (even empty), or a non-empty domain.
 */
public final class DnsOverride {
  private DnsOverride() {}

  /** The configuration's {@code dns} when it is set in that sense, else null. */
  public static Dns read(JsonFields n) throws CniException {
    JsonFields f = n.fields("dns", "types.DNS", "DNS");
    Dns dns = new Dns(f.strings("nameservers"), f.string("domain"), f.strings("search"), f.strings("options"));
    boolean set = f.has("nameservers") || f.has("search") || f.has("options") || !dns.domain().isEmpty();
    return set ? dns : null;
  }
}
