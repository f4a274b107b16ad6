/**
 * The CNI {@code portmap} plugin, in process: forwards host ports to a container (the {@code portMappings}
 * capability) with the iptables or nftables rules of the Go plugin, so Go and jcni can add, check and delete each
 * other's mappings.
 */
package io.jcni.plugins.internal.portmap;
