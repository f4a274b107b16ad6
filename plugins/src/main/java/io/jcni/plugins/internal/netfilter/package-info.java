/**
 * The netfilter work the plugins share: the bridge's masquerade (iptables and nftables backends, rules identical to
 * Go's), the MAC spoof check, and the ways rules reach the kernel — nf_tables transactions over netlink, grouped
 * {@code iptables-restore} runs, {@code nft} — on which the portmap and firewall plugins build too.
 */
package io.jcni.plugins.internal.netfilter;
