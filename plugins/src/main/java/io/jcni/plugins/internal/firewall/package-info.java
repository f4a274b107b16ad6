/**
 * The CNI {@code firewall} meta plugin, in process: per-container forward rules in {@code CNI-FORWARD} with the
 * administrator's {@code CNI-ADMIN} override chain, and the {@code ingressPolicy} bridge isolation chains, written
 * as the Go plugin (current upstream) writes them with its iptables backend.
 */
package io.jcni.plugins.internal.firewall;
