package io.jcni.libcni.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.testing.HostLocalStore;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Networks of the real Go {@code bridge} + {@code host-local} plugins ({@code /usr/lib/cni}), confined to a
 * throw-away "host" namespace: the plugin path starts with a wrapper {@code bridge} that runs the Go binary under
 * {@code ip netns exec <host>}, so its bridge, veth ends and routes never touch the real host. Everything made
 * here is deleted by {@link #close()}, which also runs when a test failed.
 */
final class GoBridgeNetworks implements AutoCloseable {
  static final Path GO_BRIDGE = Path.of("/usr/lib/cni/bridge");

  final String host;
  final Path confDir;
  final Path cacheDir;
  final Path store;
  private final Path bin;
  private final List<String> namespaces = new ArrayList<>();

  GoBridgeNetworks(Path tmp) throws IOException {
    this.confDir = Files.createDirectories(tmp.resolve("net.d"));
    this.cacheDir = Files.createDirectories(tmp.resolve("cache"));
    this.store = Files.createDirectories(tmp.resolve("ipam"));
    this.bin = Files.createDirectories(tmp.resolve("bin"));
    this.host = namespace("host");
    Path wrapper = bin.resolve("bridge");
    Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + host + " " + GO_BRIDGE + "\n");
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Creates a throw-away namespace {@code jt-rt-<what>-<random>} and returns its name. */
  String namespace(String what) throws IOException {
    String n = "jt-rt-" + what + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
    run("ip", "netns", "add", n);
    namespaces.add(n);
    return n;
  }

  static String path(String namespace) {
    return "/var/run/netns/" + namespace;
  }

  /** A runtime builder: wrapper first, then test-bin (noop), then the Go plugins (host-local). */
  CniRuntime.Builder runtime() {
    return CniRuntime.builder().confDir(confDir).cacheDir(cacheDir)
        .pluginPath(List.of(bin.toString(), TestBin.dir().toString(), "/usr/lib/cni"));
  }

  /** Writes a bridge + host-local network on {@code bridgeName} with {@code subnet}. */
  void network(String name, String bridgeName, String subnet) throws IOException {
    Files.writeString(confDir.resolve(name + ".conflist"), """
        {"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"bridge","bridge":"%s","isGateway":true,
         "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"%s"}]]}}]}
        """.formatted(name, bridgeName, store, subnet));
  }

  /** The addresses host-local holds for {@code network} (its store's file names that are not lock/last_reserved). */
  List<String> reserved(String network) throws IOException {
    return HostLocalStore.reserved(store.resolve(network));
  }

  /** The container ID host-local recorded for {@code ip} (first line of its store file). */
  String holder(String network, String ip) throws IOException {
    return Files.readString(store.resolve(network).resolve(ip)).split("\r\n")[0];
  }

  /** {@code ip -j -n <ns> <args>} parsed. */
  static JsonNode ipJson(String namespace, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "-j", "-n", namespace));
    cmd.addAll(List.of(args));
    String out = run(cmd.toArray(String[]::new));
    return NoopNetworks.JSON.readTree(out.isBlank() ? "[]" : out);
  }

  /** The IPv4 addresses ({@code a.b.c.d/len}) on {@code dev} in {@code namespace}, or none if it does not exist. */
  static List<String> addresses(String namespace, String dev) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode link : ipJson(namespace, "addr", "show")) {
      if (!link.path("ifname").asText().equals(dev)) {
        continue;
      }
      for (JsonNode a : link.path("addr_info")) {
        if (a.path("family").asText().equals("inet")) {
          out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
        }
      }
    }
    return out;
  }

  /** The link names in {@code namespace}. */
  static List<String> links(String namespace) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode link : ipJson(namespace, "link", "show")) {
      out.add(link.path("ifname").asText());
    }
    return out;
  }

  /** Deletes a namespace made here now (a sandbox that died). */
  void deleteNamespace(String n) throws IOException {
    run("ip", "netns", "del", n);
    namespaces.remove(n);
  }

  static String run(String... cmd) throws IOException {
    return TestNetns.run(cmd);
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (String n : List.copyOf(namespaces)) {
      try {
        run("ip", "netns", "del", n);
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    namespaces.clear();
    if (first != null) {
      throw first;
    }
  }
}
