package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.testing.TestNetnsPool;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A throw-away "host" namespace wired to a container namespace by a veth pair (host {@code pmh0} 10.201.0.1/24,
 * fd20:201::1/64; container {@code eth0} .5), with the Go portmap binary and the in-process plugin bound to it.
 */
final class PortMapEnv implements AutoCloseable {
  static final String GO = GoPlugin.DIR + "/portmap";
  final TestNetns host;
  final TestNetns container;
  final NetNs hostNs;
  final PortMapPlugin plugin;

  private final TestNetnsPool pool;

  PortMapEnv(TestNetnsPool pool) throws IOException {
    this.pool = pool;
    host = pool.create("pmh");
    container = pool.create("pmc");
    host.ip("link", "set", "lo", "up");
    container.ip("link", "set", "lo", "up");
    host.ip("link", "add", "pmh0", "type", "veth", "peer", "name", "eth0", "netns", container.name());
    host.ip("addr", "add", "10.201.0.1/24", "dev", "pmh0");
    host.ip("-6", "addr", "add", "fd20:201::1/64", "dev", "pmh0", "nodad");
    host.ip("link", "set", "pmh0", "up");
    container.ip("addr", "add", "10.201.0.5/24", "dev", "eth0");
    container.ip("-6", "addr", "add", "fd20:201::5/64", "dev", "eth0", "nodad");
    container.ip("link", "set", "eth0", "up");
    container.ip("route", "add", "default", "via", "10.201.0.1");
    hostNs = NetNs.open(Path.of(host.path()));
    plugin = new PortMapPlugin(hostNs);
  }

  /** A portmap configuration (1.0.0) with {@code extra} top-level members, the mappings and a prevResult. */
  String conf(String extra, String mappings) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"pmnet\",\"type\":\"portmap\"" + extra
        + ",\"runtimeConfig\":{\"portMappings\":[" + mappings + "]},\"prevResult\":{\"cniVersion\":\"1.0.0\","
        + "\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"" + container.path() + "\"}],"
        + "\"ips\":[{\"address\":\"10.201.0.5/24\",\"interface\":0},{\"address\":\"fd20:201::5/64\",\"interface\":0}]}}";
  }

  /** {@code conf} with the prevResult's IPv6 address left out. */
  static String v4Only(String conf) {
    return conf.replace(",{\"address\":\"fd20:201::5/64\",\"interface\":0}", "");
  }

  CmdArgs args(String id, String conf) {
    return new CmdArgs(id, container.path(), "eth0", "", List.of("/usr/lib/cni"),
        conf.getBytes(StandardCharsets.UTF_8));
  }

  static final PluginContext CTX = (command, type, a) -> {
    throw new CniException(999, "no delegation expected");
  };

  /** Runs the Go binary in the host namespace; returns stdout, or throws its error. */
  String go(Command command, CmdArgs a) throws CniException {
    return new String(GoPlugin.of("portmap").in(host.name()).run(command, a).orThrow(), StandardCharsets.UTF_8);
  }

  /** {@code iptables-save -t nat} (or ip6tables) of the host without comments and counters. */
  String nat(boolean v6) throws IOException {
    String save = host.exec(v6 ? "ip6tables-save" : "iptables-save", "-t", "nat");
    return save.lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
        .collect(Collectors.joining("\n"));
  }

  /** Both families' nat tables. */
  String nat() throws IOException {
    return nat(false) + "\n----\n" + nat(true);
  }

  String sysctl(String key) throws IOException {
    return host.exec("cat", "/proc/sys/" + key.replace('.', '/')).strip();
  }

  /** Removes the named rule lines from the host's v4 nat table (for CHECK tests). */
  void iptables(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("iptables", "-w", "-t", "nat"));
    argv.addAll(List.of(args));
    host.exec(argv.toArray(String[]::new));
  }

  @Override
  public void close() {
    hostNs.close();
  }

  /** A client namespace wired to the host as 10.202.0.2 and fd20:202::2 (host side .1, ::1); forwarding on. */
  TestNetns client() throws IOException {
    TestNetns client = pool.create("pmcl");
    client.ip("link", "set", "lo", "up");
    host.ip("link", "add", "pmh1", "type", "veth", "peer", "name", "eth0", "netns", client.name());
    host.ip("addr", "add", "10.202.0.1/24", "dev", "pmh1");
    host.ip("link", "set", "pmh1", "up");
    client.ip("addr", "add", "10.202.0.2/24", "dev", "eth0");
    host.ip("-6", "addr", "add", "fd20:202::1/64", "dev", "pmh1", "nodad");
    client.ip("-6", "addr", "add", "fd20:202::2/64", "dev", "eth0", "nodad");
    client.ip("link", "set", "eth0", "up");
    host.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
    return client;
  }

  /**
   * Sends "hello" from {@code client} to the host's 10.202.0.1:{@code hostPort} and returns what a listener on
   * port {@code containerPort} in the container received and from where ({@code "hello from 10.202.0.2"}).
   */
  String helloThroughHostPort(TestNetns client, int hostPort, int containerPort) throws Exception {
    try (NetNs cns = NetNs.open(Path.of(container.path())); NetNs clns = NetNs.open(Path.of(client.path()))) {
      ServerSocket server = cns.runIn(() -> new ServerSocket(containerPort, 1, null));
      try (server) {
        CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
          try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
            return new String(in.readNBytes(5), StandardCharsets.UTF_8) + " from "
                + s.getInetAddress().getHostAddress();
          } catch (Exception ex) {
            return "error " + ex;
          }
        });
        // a Java socket gets its descriptor on connect, so connect in the client's namespace
        clns.runIn(() -> {
          try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("10.202.0.1", hostPort), 5000);
            OutputStream out = socket.getOutputStream();
            out.write("hello".getBytes(StandardCharsets.UTF_8));
            out.flush();
          }
          return null;
        });
        return accepted.get(10, TimeUnit.SECONDS);
      }
    }
  }
}
