package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code jcni demo}'s main path in-process, inside a throw-away "host" namespace, and then checks with
 * iproute2 and the file system — not with the demo's own verification — that nothing it made is left: no
 * sandbox namespace, no link in the host namespace, no state directory, forwarding as it was.
 */
class DemoTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  String hostName;
  NetNs host;

  @BeforeEach
  void setUp() throws IOException {
    if (!Demo.isRoot()) {
      if ("true".equals(System.getenv("CI"))) {
        fail("DemoTest needs root while CI=true");
      }
      Assumptions.abort("needs root");
    }
    hostName = "jt-demo-host-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
    host = NetNs.create(hostName);
    forwardingBefore = forwarding();
  }

  String forwardingBefore;

  private String forwarding() throws IOException {
    return run("ip", "netns", "exec", hostName, "cat", "/proc/sys/net/ipv4/ip_forward").trim();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (host != null) {
      host.close();
      NetNs.delete(hostName);
    }
  }

  record Run(int status, List<String> out, String err) {}

  private Run demo(String... args) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = host.runIn(() -> Demo.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    return new Run(rc, out.toString(StandardCharsets.UTF_8).lines().toList(), err.toString(StandardCharsets.UTF_8));
  }

  static Path repoConf() {
    String root = System.getenv("JCNI_REPO_ROOT");
    Path base = root != null ? Path.of(root) : Path.of(System.getProperty("user.dir")).getParent();
    return base.resolve("conf");
  }

  private static String run(String... cmd) throws IOException {
    return TestNetns.run(cmd);
  }

  /** The link names in the throw-away host namespace, by {@code ip -j link}. */
  private List<String> hostLinks() throws IOException {
    List<String> names = new ArrayList<>();
    for (JsonNode l : JSON.readTree(run("ip", "-j", "-n", hostName, "link", "show"))) {
      names.add(l.path("ifname").asText());
    }
    return names;
  }

  private static List<String> netnsNames() throws IOException {
    String out = run("ip", "-j", "netns", "list");
    List<String> names = new ArrayList<>();
    for (JsonNode n : JSON.readTree(out.isBlank() ? "[]" : out)) {
      names.add(n.path("name").asText());
    }
    return names;
  }

  private void assertNothingLeft() throws IOException {
    assertEquals(List.of("lo"), hostLinks(), "links left in the host namespace");
    assertFalse(netnsNames().stream().anyMatch(n -> n.startsWith("jcni-demo-")), () -> "namespaces left: "
        + String.join(" ", ignoreIo(DemoTest::netnsNames)));
    assertFalse(Files.exists(Demo.STATE), Demo.STATE + " left");
    assertEquals(forwardingBefore, forwarding(), "ip_forward not restored");
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T ignoreIo(IoSupplier<T> s) {
    try {
      return s.get();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void demoAttachesTalksDetachesAndLeavesNothing() throws IOException {
    Run r = demo("--conf", repoConf().toString());
    assertEquals(0, r.status(), () -> String.join("\n", r.out()) + "\n" + r.err());
    List<String> steps = r.out().stream().filter(l -> l.startsWith("[")).toList();
    assertEquals(8, steps.size(), () -> String.join("\n", r.out()));
    for (int i = 0; i < steps.size(); i++) {
      assertTrue(steps.get(i).startsWith("[" + (i + 1) + "/8] "), steps.get(i));
      assertTrue(steps.get(i).contains(" … ok"), steps.get(i));
    }
    String all = String.join("\n", r.out());
    assertTrue(all.contains("\"hello from jcni-demo-b\" → \"hello back from jcni-demo-a, you said: hello from "
        + "jcni-demo-b\""), all);
    // the printed result JSON names the address in the shipped subnet
    String json = all.substring(all.indexOf("{"), all.lastIndexOf("}") + 1);
    JsonNode result = JSON.readTree(json);
    assertEquals("1.1.0", result.path("cniVersion").asText());
    assertTrue(result.at("/ips/0/address").asText().startsWith("10.213.77."), json);
    assertNothingLeft();
  }

  @Test
  void aFailedAttachIsUndoneAndReported() throws IOException {
    // one address only: the second sandbox cannot get one
    String conf = Files.readString(repoConf().resolve("10-jcni-demo.conflist"))
        .replace("{ \"subnet\": \"10.213.77.0/24\" }",
            "{ \"subnet\": \"10.213.77.0/24\", \"rangeStart\": \"10.213.77.2\", \"rangeEnd\": \"10.213.77.2\" }");
    assertTrue(conf.contains("rangeEnd"), "the shipped conflist changed shape; update this test");
    Path dir = Files.createDirectories(tmp.resolve("conf"));
    Files.writeString(dir.resolve("10-jcni-demo.conflist"), conf);
    Run r = demo("--conf", dir.toString());
    assertEquals(1, r.status(), () -> String.join("\n", r.out()));
    assertTrue(r.out().stream().anyMatch(l -> l.startsWith("[4/8] attaching jcni-demo-b") && l.endsWith("FAILED")),
        () -> String.join("\n", r.out()));
    assertTrue(r.err().startsWith("jcni demo: attach jcni-demo-b: "), r.err());
    assertTrue(r.err().contains("10.213.77"), r.err());
    assertNothingLeft();
  }

  @Test
  void withoutRootItSaysSoInOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Demo.run(List.of(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true,
        StandardCharsets.UTF_8), false);
    assertEquals(1, rc);
    List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(1, lines.size());
    assertTrue(lines.get(0).contains("needs root"), lines.get(0));
  }
}
