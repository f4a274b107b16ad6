package io.jcni.libcni;

/**
 * The configuration an attachment was added with, as read back from the cache (Go's {@code
 * GetNetworkListCachedConfig}).
 *
 * @param config the configuration bytes used at ADD
 * @param runtimeConf the caller's runtime configuration with {@code args} replaced when the cache holds some, and
 *     {@code capabilityArgs} always replaced by the cached ones
 */
public record CachedConfig(byte[] config, RuntimeConf runtimeConf) {}
