package io.jcni.demo.podman;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The CNI network a {@link PodmanHarness} gives its containers: one conflist chaining bridge (with host-local IPAM),
 * portmap, firewall and tuning, as Podman's own CNI networks do, on a /24 of 10.246.0.0/16 and a bridge named
 * {@code jt…}.
 *
 * @param name the network (and conflist) name, as {@code podman run --network} takes it
 * @param bridge the bridge device the bridge plugin makes in the harness's host namespace
 * @param thirdOctet picks the subnet {@code 10.246.<thirdOctet>.0/24}
 * @param dataDir the host-local store directory (the store of this network is {@code dataDir/name})
 */
public record PodmanNetwork(String name, String bridge, int thirdOctet, Path dataDir) {
  /** A network with a fresh random name, bridge and subnet, its host-local store under {@code dataDir}. */
  public static PodmanNetwork random(Path dataDir) {
    int r = ThreadLocalRandom.current().nextInt(1 << 16);
    String suffix = String.format("%04x", r);
    return new PodmanNetwork("jtpod-" + suffix, "jtpd" + suffix, r & 0xff, dataDir);
  }

  /** The subnet in CIDR notation. */
  public String subnet() {
    return "10.246." + thirdOctet + ".0/24";
  }

  /** The gateway, which the bridge plugin puts on the bridge: the host-side address of the network. */
  public String gateway() {
    return "10.246." + thirdOctet + ".1";
  }

  /** The host-local store of this network: one file per reserved address. */
  public Path store() {
    return dataDir.resolve(name);
  }

  /** The conflist Podman reads from its {@code network_config_dir}. */
  public String conflist() {
    return """
        {
          "cniVersion": "0.4.0",
          "name": "%s",
          "plugins": [
            {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": true, "hairpinMode": true,
             "ipam": {"type": "host-local", "dataDir": "%s", "routes": [{"dst": "0.0.0.0/0"}],
                      "ranges": [[{"subnet": "%s", "gateway": "%s"}]]}},
            {"type": "portmap", "capabilities": {"portMappings": true}},
            {"type": "firewall", "backend": "iptables"},
            {"type": "tuning", "sysctl": {"net.ipv4.conf.all.arp_notify": "1"}}
          ]
        }
        """.formatted(name, bridge, dataDir, subnet(), gateway());
  }
}
