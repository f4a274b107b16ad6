package io.jcni.demo.podman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.HostLocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What Podman (CNI backend) must see from a plugin directory: containers started from a local root filesystem get
 * an address, talk to each other over TCP, answer on a published port from the host side, and leave nothing behind
 * after {@code podman rm}, nor after the cleanup conmon runs when a container exits. A subclass names the plugin directory: Debian's Go plugins, or jcni's shims.
 *
 * <p>The oracles are Podman's own output, iproute2 JSON and {@code iptables-save} in the harness's host namespace,
 * the host-local store and the CNI result cache.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PodmanNetworkingContract {
  static final ObjectMapper JSON = new ObjectMapper();
  /**
   * A one-shot TCP server that answers one connection's first line with "pong" and prints that line (on stderr, which the
   * container's log holds). It reads before it answers: with {@code echo pong | nc -l}, nc could close the
   * connection once its stdin ended, before the client's line arrived, and print nothing.
   */
  static final String PONG_SERVER = "mkdir -p /tmp && printf '#!/bin/sh\\nread l; echo \"$l\" >&2; echo pong\\n'"
      + " > /tmp/pong && chmod +x /tmp/pong && nc -l -p 7000 -e /tmp/pong";

  PodmanHarness podman;

  /** The directory Podman execs the CNI plugins from. */
  abstract Path pluginDir();

  @BeforeAll
  void startPodman() throws Exception {
    podman = PodmanHarness.start(Files.createTempDirectory("jt-podman-"), pluginDir());
  }

  @AfterEach
  void removeContainers() throws Exception {
    podman.podman("rm", "--all", "--force", "--time", "0");
  }

  @AfterAll
  void stopPodman() throws Exception {
    if (podman != null) {
      podman.close();
    }
  }

  @Test
  void aContainerGetsAnAddressOnTheNetwork() throws Exception {
    String out = podman.podman("run", "--rm", PodmanHarness.IMAGE, "sh", "-c",
        "ip -4 -o addr show eth0; cat /proc/sys/net/ipv4/conf/all/arp_notify");

    PodmanNetwork net = podman.network();
    Matcher m = Pattern.compile("inet (10\\.246\\.(\\d+)\\.(\\d+))/24").matcher(out);
    assertTrue(m.find(), "no IPv4 address on eth0 in: " + out);
    assertEquals(net.thirdOctet(), Integer.parseInt(m.group(2)), out);
    assertFalse(m.group(1).equals(net.gateway()), out);
    assertTrue(out.strip().endsWith("1"), "tuning's sysctl arp_notify=1 not set in the container: " + out);
    JsonNode bridge = JSON.readTree(podman.host().ip("-j", "addr", "show", "dev", net.bridge())).get(0);
    assertTrue(bridge.get("addr_info").findValuesAsText("local").contains(net.gateway()), bridge.toString());
  }

  @Test
  void twoContainersTalkTcp() throws Exception {
    podman.podman("run", "-d", "--name", "srv", PodmanHarness.IMAGE, "sh", "-c", PONG_SERVER);
    String server = podman.addressOf("srv");

    String reply = podman.podman("run", "--rm", PodmanHarness.IMAGE, "sh", "-c", untilAnswered("nc", server, 7000));
    podman.podman("wait", "srv");

    assertEquals("pong", reply.strip());
    assertEquals("ping", logsOf("srv"));
  }

  @Test
  void aPublishedPortAnswersFromTheHostSide() throws Exception {
    podman.podman("run", "-d", "--name", "web", "-p", "18080:7000", PodmanHarness.IMAGE, "sh", "-c", PONG_SERVER);

    // From the host namespace to the bridge address: portmap's OUTPUT DNAT rule must carry it to the container.
    String reply = podman.host().exec("busybox", "sh", "-c",
        untilAnswered("busybox nc", podman.network().gateway(), 18080));
    podman.podman("wait", "web");

    assertEquals("pong", reply.strip());
    assertEquals("ping", logsOf("web"));
  }

  @Test
  void nothingIsLeftAfterPodmanRm() throws Exception {
    PodmanNetwork net = podman.network();
    String id = podman.podman("run", "-d", "--name", "gone", "-p", "18081:7000", PodmanHarness.IMAGE,
        "sleep", "600").strip();
    String address = podman.addressOf("gone");
    Path netns = Path.of(podman.podman("inspect", "--format", "{{.NetworkSettings.SandboxKey}}", "gone").strip());
    Path cacheFile = PodmanHarness.CNI_CACHE.resolve(net.name() + "-" + id + "-eth0");
    // While it runs, every plugin has left its mark, so the checks below can fail.
    assertEquals(List.of(address), HostLocalStore.reserved(net.store()));
    assertTrue(Files.exists(cacheFile), cacheFile.toString());
    assertTrue(Files.exists(netns), netns.toString());
    assertEquals(1, veths().size(), veths().toString());
    assertFalse(rulesNaming(address).isEmpty(), "no iptables rule names " + address);
    assertFalse(containerChains().isEmpty(), "no per-container CNI chain");

    podman.podman("rm", "--force", "--time", "0", "gone");

    assertEquals(List.of(), HostLocalStore.reserved(net.store()), "host-local reservations");
    assertFalse(Files.exists(cacheFile), cacheFile + " still exists");
    assertFalse(Files.exists(netns), netns + " still exists");
    assertEquals(List.of(), veths(), "veths in the host namespace");
    assertEquals(List.of(), rulesNaming(address), "iptables rules naming " + address);
    assertEquals(List.of(), containerChains(), "per-container CNI chains");
    assertEquals("", podman.podman("ps", "--all", "--quiet"));
  }

  @Test
  void podmansOwnCleanupOfAnExitedContainerTearsDownItsNetwork() throws Exception {
    PodmanNetwork net = podman.network();
    String id = podman.podman("run", "-d", "--name", "ended", PodmanHarness.IMAGE, "sleep", "600").strip();
    String address = podman.addressOf("ended");
    Path cacheFile = PodmanHarness.CNI_CACHE.resolve(net.name() + "-" + id + "-eth0");
    assertEquals(List.of(address), HostLocalStore.reserved(net.store()));
    assertEquals(1, veths().size(), veths().toString());

    // kill only signals the container; the network is then torn down by the "podman container cleanup" that
    // conmon runs when the container exits, with an environment of conmon's making, not by this podman command.
    podman.podman("kill", "ended");

    awaitTornDown(net, cacheFile);
    assertEquals(List.of(), HostLocalStore.reserved(net.store()), "host-local reservations");
    assertEquals(List.of(), veths(), "veths in the host namespace");
    assertFalse(Files.exists(cacheFile), cacheFile + " still exists");
    assertEquals(List.of(), rulesNaming(address), "iptables rules naming " + address);
  }

  /** Waits up to 30 s for the network of an exited container to be gone (its cleanup runs after the exit). */
  private void awaitTornDown(PodmanNetwork net, Path cacheFile) throws Exception {
    for (int i = 0; i < 300; i++) {
      if (HostLocalStore.reserved(net.store()).isEmpty() && veths().isEmpty() && !Files.exists(cacheFile)) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /**
   * What an exited container wrote on stderr, stripped: conmon may write the last of it after {@code podman wait}
   * has returned, so an empty log is asked for again for up to five seconds.
   */
  String logsOf(String container) throws Exception {
    String out = stderrLog(container);
    for (int i = 0; out.isEmpty() && i < 50; i++) {
      Thread.sleep(100);
      out = stderrLog(container);
    }
    return out;
  }

  /** What the container wrote on stderr, which {@code podman logs} prints on its own stderr. */
  private String stderrLog(String container) throws Exception {
    return podman.podmanOutcome("logs", container).orThrow().err().strip();
  }

  /**
   * A busybox shell loop that sends "ping" to {@code host:port} with {@code nc} (a command) until the server is up,
   * then prints its answer; it gives up after about five seconds.
   */
  static String untilAnswered(String nc, String host, int port) {
    return "i=0; while [ $i -lt 50 ]; do echo ping | " + nc + " -w 5 " + host + " " + port
        + " && exit 0; i=$((i+1)); sleep 0.1; done; exit 1";
  }

  List<String> veths() throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode link : JSON.readTree(podman.host().ip("-j", "-d", "link", "show"))) {
      if ("veth".equals(link.path("linkinfo").path("info_kind").asText())) {
        names.add(link.get("ifname").asText());
      }
    }
    return names;
  }

  List<String> rulesNaming(String address) throws Exception {
    return iptablesSave().stream().filter(l -> l.contains(address + "/") || l.contains(address + ":")).toList();
  }

  /** The chains made per container: bridge's masquerade chain {@code CNI-<hash>} and portmap's {@code CNI-DN-<hash>}. */
  List<String> containerChains() throws Exception {
    Pattern perContainer = Pattern.compile("^:(CNI-(DN-)?[0-9a-f]{16,}) .*");
    return iptablesSave().stream().map(perContainer::matcher).filter(Matcher::matches).map(m -> m.group(1)).toList();
  }

  List<String> iptablesSave() throws Exception {
    return podman.host().exec("iptables-save").lines().toList();
  }
}
