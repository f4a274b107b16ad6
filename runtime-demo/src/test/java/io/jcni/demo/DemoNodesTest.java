package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code jcni demo --nodes N}, run in-process; what it leaves is checked with iproute2 and {@code /proc}, not with
 * the demo's own verification.
 */
class DemoNodesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Run(int status, String out, String err) {}

  private static Run demo(boolean root, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Demo.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), root);
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  @RequiresCapabilities
  @RequiresExecutable({"/usr/sbin/bird", "/usr/sbin/birdc"})
  void threeNodesTalkAcrossTheUnderlayAndLeaveNothing() throws IOException {
    Run r = demo(true, "--nodes", "3");
    assertEquals(0, r.status(), r.out() + r.err());
    assertTrue(r.out().contains("6 sessions Established"), r.out());
    assertTrue(r.out().contains("\"hello from jcni-demo-node3-pod\" → \"hello back from jcni-demo-node1-pod, "
        + "you said: hello from jcni-demo-node3-pod\""), r.out());
    assertTrue(r.out().contains("jcni-demo-node2-pod on jcni-demo-node2: 10.231.2."), r.out());
    assertEquals(List.of(), demoNamespaces());
    assertEquals(List.of(), birdsUnder(DemoNodes.STATE));
    assertFalse(Files.exists(DemoNodes.STATE), DemoNodes.STATE + " left");
  }

  @Test
  void badNodeCountsAndMixedOptionsAreRefused() {
    Run one = demo(true, "--nodes", "1");
    assertEquals(2, one.status());
    assertEquals("jcni demo: --nodes takes a number from 2 to 9, not 1\n", one.err());
    Run word = demo(true, "--nodes", "three");
    assertEquals(2, word.status());
    assertEquals("jcni demo: --nodes takes a number, not three\n", word.err());
    Run mixed = demo(true, "--nodes", "3", "--conf", "/tmp");
    assertEquals(2, mixed.status());
    assertTrue(mixed.err().contains("takes no --conf"), mixed.err());
  }

  @Test
  void nonRootIsToldWhy() {
    Run r = demo(false, "--nodes", "3");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("jcni demo: needs root"), r.err());
  }

  /** The demo's namespaces that {@code ip -j netns list} still shows. */
  private static List<String> demoNamespaces() throws IOException {
    String out = TestNetns.run("ip", "-j", "netns", "list");
    List<String> names = new ArrayList<>();
    for (JsonNode n : JSON.readTree(out.isBlank() ? "[]" : out)) {
      String name = n.path("name").asText();
      if (name.startsWith("jcni-demo-node") || name.equals(DemoNodes.UNDERLAY)) {
        names.add(name);
      }
    }
    return names;
  }

  /** The pids of running {@code bird} processes whose command line names a file under {@code dir}. */
  private static List<String> birdsUnder(Path dir) throws IOException {
    List<String> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmd.startsWith(DemoBird.BIRD.toString()) && cmd.contains(dir.toString())) {
            pids.add(p.getFileName() + ": " + cmd.replace('\0', ' '));
          }
        } catch (IOException exited) {
          // gone while we looked
        }
      }
    }
    return pids;
  }
}
