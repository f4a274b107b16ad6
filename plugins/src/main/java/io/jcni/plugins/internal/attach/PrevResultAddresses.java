package io.jcni.plugins.internal.attach;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Results;
import java.util.List;

/** The container addresses a prevResult records, for a DEL that can no longer read them from the interface. */
public final class PrevResultAddresses {
  private PrevResultAddresses() {}

  /** The addresses of {@code prevResult} (null: none); empty when it cannot be read. */
  public static List<IpNet> of(JsonNode prevResult, String cniVersion) {
    if (prevResult == null) {
      return List.of();
    }
    try {
      Result100 prev = (Result100) Results.parsePrevResult(prevResult, cniVersion).convertTo(Result100.IMPLEMENTED);
      return prev.ips().stream().map(IpConfig::address).toList();
    } catch (CniException | RuntimeException e) {
      return List.of();
    }
  }
}
