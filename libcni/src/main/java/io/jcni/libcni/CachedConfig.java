package io.jcni.libcni;

import io.jcni.libcni.internal.types.ByteText;
import java.util.Arrays;
import java.util.Objects;

/**
 * The configuration an attachment was added with, as read back from the cache (Go's {@code
 * GetNetworkListCachedConfig}).
 *
 * @param config the configuration bytes used at ADD
 * @param runtimeConf the caller's runtime configuration with {@code args} replaced when the cache holds some, and
 *     {@code capabilityArgs} always replaced by the cached ones
 */
public record CachedConfig(byte[] config, RuntimeConf runtimeConf) {
  // records compare arrays by identity; these compare and print the bytes

  @Override
  public boolean equals(Object o) {
    return o instanceof CachedConfig c && Arrays.equals(config, c.config) && Objects.equals(runtimeConf, c.runtimeConf);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(config) + Objects.hashCode(runtimeConf);
  }

  @Override
  public String toString() {
    return "CachedConfig[config=" + ByteText.of(config) + ", runtimeConf=" + runtimeConf + "]";
  }
}
