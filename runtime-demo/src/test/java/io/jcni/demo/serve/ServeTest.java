package io.jcni.demo.serve;

import static io.jcni.demo.serve.ServeFixture.assertError;
import static io.jcni.demo.serve.ServeFixture.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.plugins.skel.Skel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcni serve} and its shims as a runtime uses them: the shims exec'd with the CNI environment, the daemon a
 * separate JVM in a throw-away host namespace. {@code CNI_PATH} holds no plugin at all, so a bridge ADD that
 * succeeds ran its host-local IPAM in-process. The kernel is read back with {@code ip -j}.
 */
class ServeTest {
  static final String NET = "jtserve";

  @TempDir Path tmp;

  String conf() {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NET + "\",\"type\":\"bridge\",\"bridge\":\"jtsvbr0\","
        + "\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + tmp.resolve("ipam")
        + "\",\"ranges\":[[{\"subnet\":\"10.237.7.0/24\"}]]}}";
  }

  List<String> reserved() throws IOException {
    Path d = tmp.resolve("ipam").resolve(NET);
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9.]+")).sorted().toList();
    }
  }

  static List<String> links(TestNetns ns) throws IOException {
    List<String> out = new ArrayList<>();
    ServeFixture.JSON.readTree(ns.ip("-j", "link", "show")).forEach(l -> out.add(l.get("ifname").asText()));
    return out;
  }

  static List<String> addresses(TestNetns ns, String dev) throws IOException {
    List<String> out = new ArrayList<>();
    ServeFixture.JSON.readTree(ns.ip("-j", "-4", "addr", "show", "dev", dev)).get(0).get("addr_info")
        .forEach(a -> out.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt()));
    return out;
  }

  @Test
  @RequiresCapabilities
  void addCheckDelOfABridgeWithInProcessIpamThroughTheShims() throws Exception {
    try (ServeFixture f = new ServeFixture(tmp).start(); TestNetns c = TestNetns.createWithLoopback("svctr")) {
      ServeFixture.Run add = f.shim("bridge", env("ADD", "sv-1", c), conf());
      assertEquals(0, add.exit(), add.toString());
      JsonNode r = add.json();
      assertEquals("10.237.7.2/24", r.path("ips").get(0).path("address").asText(), add.toString());
      assertEquals(List.of("10.237.7.2/24"), addresses(c, "eth0"));
      assertEquals(List.of("10.237.7.1/24"), addresses(f.host, "jtsvbr0"));
      assertEquals(List.of("10.237.7.2"), reserved());

      String withPrev = conf().substring(0, conf().length() - 1) + ",\"prevResult\":" + add.stdout() + "}";
      ServeFixture.Run check = f.shim("bridge", env("CHECK", "sv-1", c), withPrev);
      assertEquals(0, check.exit(), check.toString());
      assertEquals("", check.stdout());

      ServeFixture.Run del = f.shim("bridge", env("DEL", "sv-1", c), withPrev);
      assertEquals(0, del.exit(), del.toString());
      assertEquals(List.of("lo"), links(c));
      assertEquals(List.of(), reserved());

      ServeFixture.Run bad = f.shim("bridge", env("ADD", "sv-1", c), conf().replace("\"isGateway\"", "\"vlan\":5000,\"isGateway\""));
      assertError(bad, 7, "invalid VLAN ID 5000 (must be between 0 and 4094)");
    }
  }

  @Test
  @RequiresCapabilities
  void concurrentAddsOfDifferentContainersAllSucceed() throws Exception {
    try (ServeFixture f = new ServeFixture(tmp).start()) {
      List<TestNetns> ctrs = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          ctrs.add(TestNetns.createWithLoopback("svctr"));
        }
        List<CompletableFuture<ServeFixture.Run>> adds = new ArrayList<>();
        for (int i = 0; i < ctrs.size(); i++) {
          TestNetns c = ctrs.get(i);
          String id = "sv-c" + i;
          adds.add(CompletableFuture.supplyAsync(() -> {
            try {
              return f.shim("bridge", env("ADD", id, c), conf());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
        }
        List<String> ips = new ArrayList<>();
        for (int i = 0; i < adds.size(); i++) {
          ServeFixture.Run r = adds.get(i).get(60, TimeUnit.SECONDS);
          assertEquals(0, r.exit(), r.toString());
          ips.add(addresses(ctrs.get(i), "eth0").get(0));
        }
        assertEquals(4, ips.stream().distinct().count(), ips.toString());
        assertEquals(4, reserved().size());
        for (int i = 0; i < ctrs.size(); i++) {
          assertEquals(0, f.shim("bridge", env("DEL", "sv-c" + i, ctrs.get(i)), conf()).exit());
        }
        assertEquals(List.of(), reserved());
      } finally {
        for (TestNetns c : ctrs) {
          c.close();
        }
      }
    }
  }

  @Test
  @RequiresCapabilities
  void theShimAnswersVersionAsSkelDoes() throws Exception {
    try (ServeFixture f = new ServeFixture(tmp).start()) {
      for (String type : PluginRegistry.discover().types()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = Skel.run(PluginRegistry.discover().lookup(type).orElseThrow(), Map.of("CNI_COMMAND", "VERSION"),
            new ByteArrayInputStream(new byte[0]), out, OutputStream.nullOutputStream());
        ServeFixture.Run v = f.shim(type, Map.of("CNI_COMMAND", "VERSION"), "");
        assertEquals(rc, v.exit(), type);
        assertEquals(out.toString(StandardCharsets.UTF_8), v.stdout(), type);
      }
      ServeFixture.Run missing = f.shim("bridge", Map.of("CNI_COMMAND", "ADD"), conf());
      assertError(missing, 4, "required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH] missing");
      Path other = f.shims.resolve("macvlan");
      Files.createLink(other, f.shims.resolve("bridge"));
      assertError(f.shim("macvlan", Map.of("CNI_COMMAND", "VERSION"), ""), 4,
          "no in-process plugin of type \"macvlan\" in the jcni daemon");
    }
  }

  @Test
  void daemonDownIsCode11AtOnce() throws Exception {
    ServeFixture.requireShim();
    ShimInstaller.install(tmp.resolve("bin"), List.of("bridge"), ShimDefaults.NONE,
        new PrintStream(OutputStream.nullOutputStream()));
    ProcessBuilder pb = new ProcessBuilder(tmp.resolve("bin/bridge").toString());
    pb.environment().put("CNI_COMMAND", "VERSION");
    pb.environment().put("JCNI_SOCKET", tmp.resolve("none.sock").toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue());
    assertEquals("{\n    \"code\": 11,\n    \"msg\": \"jcni daemon not running at " + tmp.resolve("none.sock")
        + "\",\n    \"details\": \"No such file or directory\"\n}", out);
  }

  @Test
  @RequiresCapabilities
  void withoutJcniSocketTheShimUsesTheSocketInstallPluginsRecorded() throws Exception {
    try (ServeFixture f = new ServeFixture(tmp).start()) {
      assertEquals(List.of(f.socket.toString()), Files.readAllLines(f.shims.resolve(ShimDefaults.SOCKET_FILE)));
      // The fixture's shim runs have no JCNI_SOCKET, so the daemon is reached through the recorded path alone.
      ServeFixture.Run v = f.shim("bridge", Map.of("CNI_COMMAND", "VERSION"), "");
      assertEquals(0, v.exit(), v.toString());
      assertTrue(v.json().has("supportedVersions"), v.toString());
      // The environment still wins over the file.
      Path none = tmp.resolve("none.sock");
      ServeFixture.Run viaEnv = f.shim("bridge", Map.of("CNI_COMMAND", "VERSION", "JCNI_SOCKET", none.toString()), "");
      assertError(viaEnv, 11, "jcni daemon not running at " + none);
    }
  }

  @Test
  void installPluginsRecordsExactlyTheDefaultsItIsGiven() throws Exception {
    ServeFixture.requireShim();
    Path bin = tmp.resolve("bin");
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    ShimInstaller.command(List.of(bin.toString(), "--socket", "/run/jt/s.sock", "--serve-cmd", "jcni serve"),
        List.of("bridge"), quiet);
    assertEquals(List.of("/run/jt/s.sock"), Files.readAllLines(bin.resolve(ShimDefaults.SOCKET_FILE)));
    assertEquals(List.of("jcni serve"), Files.readAllLines(bin.resolve(ShimDefaults.SERVE_CMD_FILE)));
    assertTrue(Files.isExecutable(bin.resolve("bridge")));

    // Installed again without them, the shims are back to the environment and the built-in default.
    ShimInstaller.command(List.of(bin.toString()), List.of("bridge"), quiet);
    assertFalse(Files.exists(bin.resolve(ShimDefaults.SOCKET_FILE)));
    assertFalse(Files.exists(bin.resolve(ShimDefaults.SERVE_CMD_FILE)));

    String longPath = "/run/" + "x".repeat(103);
    Map<List<String>, String> refused = Map.of(
        List.of(bin.toString(), "--socket", "jcni.sock"), "--socket wants an absolute path, not jcni.sock",
        List.of(bin.toString(), "--socket", longPath),
        "--socket " + longPath + " is too long for a Unix socket path (at most 107 bytes)",
        List.of(bin.toString(), "--serve-cmd", "jcni serve\nrm -rf /"),
        "--serve-cmd wants a one-line shell command, not \"jcni serve\nrm -rf /\"",
        List.of(bin.toString(), "--socket"), "--socket needs a value",
        List.of("--socket", "/run/a.sock"), "missing <dir>");
    refused.forEach((args, msg) -> assertEquals(msg, org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> ShimInstaller.command(args, List.of("bridge"), quiet)).getMessage(),
        args.toString()));
    // Nothing was written by the refused calls.
    assertFalse(Files.exists(bin.resolve(ShimDefaults.SOCKET_FILE)));
  }

  @Test
  @RequiresCapabilities
  void theServeCommandRecordedBesideTheShimStartsADaemonThatHoldsNoneOfTheCallersDescriptors() throws Exception {
    Path pids = tmp.resolve("serve.pids");
    try (ServeFixture f = new ServeFixture(tmp)) {
      String cmd = "echo $$ >> '" + pids + "'; exec " + f.serveCommand().stream().map(a -> "'" + a + "'")
          .collect(java.util.stream.Collectors.joining(" "));
      ShimInstaller.install(f.shims, List.of("bridge"), new ShimDefaults(Optional.of(f.socket), Optional.of(cmd)),
          new PrintStream(OutputStream.nullOutputStream()));
      try {
        // Descriptor 7 is another copy of the shim's stdout pipe, as a runtime may leave one open: a daemon that
        // kept it would keep the reader below from ever seeing the end of the output.
        List<String> argv = List.of("/bin/sh", "-c", "exec \"$0\" 7>&1", f.shims.resolve("bridge").toString());
        ServeFixture.Run r = CompletableFuture.supplyAsync(() -> {
          try {
            return f.shim(argv, Map.of("CNI_COMMAND", "VERSION"), "");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }).get(90, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.json().has("supportedVersions"), r.toString());
        assertEquals(1, Files.readAllLines(pids).size());
        long daemon = Long.parseLong(Files.readAllLines(pids).get(0).strip());
        assertTrue(ProcessHandle.of(daemon).isPresent(), "the daemon did not stay up");
      } finally {
        if (Files.exists(pids)) {
          for (String pid : Files.readAllLines(pids)) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
      }
    }
  }

  @Test
  @RequiresCapabilities
  void concurrentFirstCallsStartTheDaemonOnceWithJcniServeCmd() throws Exception {
    Path pids = tmp.resolve("serve.pids");
    try (ServeFixture f = new ServeFixture(tmp)) {
      // The command records its pid (kept by exec through ip netns exec and java) so that the test can count the
      // daemons started and stop the one that runs.
      String cmd = "echo $$ >> '" + pids + "'; exec " + f.serveCommand().stream().map(a -> "'" + a + "'")
          .collect(java.util.stream.Collectors.joining(" "));
      Map<String, String> env = Map.of("CNI_COMMAND", "VERSION", "JCNI_SERVE_CMD", cmd);
      try {
        assertFalse(Files.exists(f.socket));
        List<CompletableFuture<ServeFixture.Run>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          calls.add(CompletableFuture.supplyAsync(() -> {
            try {
              return f.shim("bridge", env, "");
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
        }
        for (CompletableFuture<ServeFixture.Run> c : calls) {
          ServeFixture.Run r = c.get(120, TimeUnit.SECONDS);
          assertEquals(0, r.exit(), r.toString());
          assertTrue(r.json().has("supportedVersions"), r.toString());
        }
        assertEquals(1, Files.readAllLines(pids).size(), "daemons started: " + Files.readAllLines(pids));
        assertTrue(Files.exists(f.socket));
      } finally {
        if (Files.exists(pids)) {
          for (String pid : Files.readAllLines(pids)) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
      }
    }
  }

  @Test
  @RequiresCapabilities
  void aMalformedRequestIsRefusedAndTheDaemonGoesOn() throws Exception {
    try (ServeFixture f = new ServeFixture(tmp).start()) {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(f.socket));
        ch.write(ByteBuffer.wrap("JCN1\u007f\u00ff\u00ff\u00ffbridge".getBytes(StandardCharsets.ISO_8859_1)));
        ShimAnswer a = ShimWire.readAnswer(Channels.newInputStream(ch));
        assertEquals(1, a.status());
        JsonNode e = ServeFixture.JSON.readTree(a.stdout());
        assertEquals(6, e.path("code").asInt());
        assertEquals("malformed request to the jcni daemon: plugin type is 2147483647 bytes long, more than 1048576",
            e.path("msg").asText());
      }
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(f.socket));
        ch.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        JsonNode e = ServeFixture.JSON.readTree(ShimWire.readAnswer(Channels.newInputStream(ch)).stdout());
        assertEquals("malformed request to the jcni daemon: it does not start with JCN1", e.path("msg").asText());
      }
      // A request cut short is dropped without an answer.
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(f.socket));
        ch.write(ByteBuffer.wrap("JCN1\0\0\0\u0009bri".getBytes(StandardCharsets.ISO_8859_1)));
        ch.shutdownOutput();
        assertEquals(-1, ch.read(ByteBuffer.allocate(16)));
      }
      assertEquals(0, f.shim("bridge", Map.of("CNI_COMMAND", "VERSION"), "").exit());
      assertTrue(f.daemon.isAlive());
    }
  }

  @Test
  @RequiresCapabilities
  @RequiresExecutable("/usr/bin/setpriv")
  void aNonRootCallerIsRefused() throws Exception {
    try (ServeFixture f = new ServeFixture(tmp).start()) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.socket)));
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
          f.shims.resolve("bridge").toString());
      ServeFixture.Run denied = f.shim(asNobody, Map.of("CNI_COMMAND", "VERSION"), "");
      assertError(denied, 11, "cannot connect to the jcni daemon at " + f.socket);
      assertEquals("Permission denied", denied.json().path("details").asText());

      // Past the socket's mode, the daemon's own check of the peer's credentials refuses.
      Files.setPosixFilePermissions(f.socket, PosixFilePermissions.fromString("rw-rw-rw-"));
      ServeFixture.Run refused = f.shim(asNobody, Map.of("CNI_COMMAND", "VERSION"), "");
      assertEquals(1, refused.exit(), refused.toString());
      assertEquals(999, refused.json().path("code").asInt(), refused.toString());
      assertTrue(refused.json().path("msg").asText().startsWith("the jcni daemon serves only root; the caller runs as user "),
          refused.toString());
    }
  }

  /** Holds host-local's store lock (flock) so that a bridge ADD stops after creating its veth, until released. */
  Process holdStoreLock() throws Exception {
    Path lock = Files.createDirectories(tmp.resolve("ipam").resolve(NET)).resolve("lock");
    Files.write(lock, new byte[0]);
    Process p = new ProcessBuilder("flock", "--close", lock.toString(), "sleep", "60").start();
    Thread.sleep(200);
    assertTrue(p.isAlive());
    return p;
  }

  /** Releases the lock of {@link #holdStoreLock()}: flock holds it, its sleep child does not. */
  static void release(Process lock) {
    lock.descendants().forEach(ProcessHandle::destroy);
    lock.destroy();
  }

  static void awaitLink(TestNetns ns, String name) throws Exception {
    for (int i = 0; i < 200 && !links(ns).contains(name); i++) {
      Thread.sleep(50);
    }
    assertTrue(links(ns).contains(name), name + " never appeared in " + ns.name());
  }

  @Test
  @RequiresCapabilities
  @RequiresExecutable("/usr/bin/flock")
  void sigtermLetsTheRequestInFlightFinish() throws Exception {
    try (ServeFixture f = new ServeFixture(tmp).start(); TestNetns c = TestNetns.createWithLoopback("svctr")) {
      Process lock = holdStoreLock();
      CompletableFuture<ServeFixture.Run> add = CompletableFuture.supplyAsync(() -> {
        try {
          return f.shim("bridge", env("ADD", "sv-term", c), conf());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      awaitLink(c, "eth0");
      f.daemon.destroy();
      Thread.sleep(300);
      assertTrue(f.daemon.isAlive(), "the daemon left before its request in flight was done");
      assertFalse(Files.exists(f.socket) && f.shim("bridge", Map.of("CNI_COMMAND", "VERSION"), "").exit() == 0,
          "still accepting after SIGTERM");
      release(lock);
      ServeFixture.Run r = add.get(60, TimeUnit.SECONDS);
      assertEquals(0, r.exit(), r.toString());
      assertEquals(List.of("10.237.7.2"), reserved());
      assertTrue(f.daemon.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, f.daemon.exitValue(), f.log());
      assertFalse(Files.exists(f.socket));
      assertEquals(0, f.start().shim("bridge", env("DEL", "sv-term", c), conf()).exit());
      assertEquals(List.of(), reserved());
    }
  }

  @Test
  @RequiresCapabilities
  @RequiresExecutable("/usr/bin/flock")
  void aDaemonKilledMidAddIsRestartedAndTheDelCleansUp() throws Exception {
    try (ServeFixture f = new ServeFixture(tmp).start(); TestNetns c = TestNetns.createWithLoopback("svctr")) {
      Process lock = holdStoreLock();
      CompletableFuture<ServeFixture.Run> add = CompletableFuture.supplyAsync(() -> {
        try {
          return f.shim("bridge", env("ADD", "sv-kill", c), conf());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      try {
        awaitLink(c, "eth0");
        f.kill();
      } finally {
        release(lock);
      }
      ServeFixture.Run r = add.get(30, TimeUnit.SECONDS);
      assertError(r, 11, "jcni daemon at " + f.socket + " closed the connection before answering");
      assertTrue(r.millis() < 10_000, r.toString());

      f.start();
      ServeFixture.Run del = f.shim("bridge", env("DEL", "sv-kill", c), conf());
      assertEquals(0, del.exit(), del.toString());
      assertEquals(List.of("lo"), links(c));
      assertEquals(List.of(), reserved());
      assertEquals(0, f.terminate());
    }
  }
}
