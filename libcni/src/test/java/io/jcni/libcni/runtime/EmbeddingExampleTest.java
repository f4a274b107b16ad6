package io.jcni.libcni.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.TestBin;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs the embedding example exactly as the README prints it (the {@code java} block of its {@code
 * ## Embedding} section), against two noop networks, and checks what it did through noop's command log and the
 * cache: its start-up GC removes the attachment its records do not list and keeps the one they do.
 */
class EmbeddingExampleTest {
  @TempDir Path tmp;

  static Path repoRoot() {
    return TestBin.dir().getParent();
  }

  /** The example's source: the first java block under "## Embedding". */
  static String exampleSource() throws IOException {
    for (String name : List.of("README.md")) {
      Path f = repoRoot().resolve(name);
      if (!Files.exists(f)) {
        continue;
      }
      String text = Files.readString(f);
      int section = text.indexOf("\n## Embedding\n");
      if (section < 0 && !text.startsWith("## Embedding\n")) {
        continue;
      }
      Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(text.substring(Math.max(section, 0)));
      if (m.find()) {
        return m.group(1);
      }
    }
    throw new AssertionError("no ## Embedding section with a java block in README.md");
  }

  @Test
  void readmeExampleCompilesAndRuns() throws Exception {
    NoopNetworks nets = new NoopNetworks(tmp.resolve("w"));
    nets.network("10-alpha.conflist", "alpha", "1.1.0", "10.204.1.5/24");
    nets.network("20-beta.conflist", "beta", "1.1.0", "10.204.2.5/24");
    // alpha reports the sandbox interface (its MAC and address are printed from the typed result); beta does not.
    nets.answer("alpha", "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"0a:58:0a:cc:01:05\","
        + "\"sandbox\":\"/var/run/netns/jt-example\"}],\"ips\":[{\"interface\":0,\"address\":\"10.204.1.5/24\","
        + "\"gateway\":\"10.204.1.1\"}]}");
    // From before the "restart": a sandbox the runtime's records still list, and a leftover they do not.
    try (CniRuntime rt = nets.runtime().build()) {
      rt.attach("live-sandbox", "/var/run/netns/jt-live", List.of(NetworkRequest.of("beta", "eth0")));
      rt.attach("old-sandbox", "/var/run/netns/jt-old", List.of(NetworkRequest.of("alpha", "eth0")));
    }
    Path records = Files.writeString(tmp.resolve("records"), "live-sandbox beta eth0\n");

    Path src = Files.createDirectories(tmp.resolve("src"));
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    Files.writeString(src.resolve("Embed.java"), exampleSource());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "no system Java compiler (a JDK is needed)");
    String cp = System.getProperty("java.class.path") + File.pathSeparator
        + Path.of(CniRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ByteArrayOutputStream diag = new ByteArrayOutputStream();
    int rc = javac.run(null, diag, diag, "-Xlint:all", "-Werror", "--release", "17", "-cp", cp, "-d",
        classes.toString(), src.resolve("Embed.java").toString());
    assertEquals(0, rc, () -> diag.toString(StandardCharsets.UTF_8));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        getClass().getClassLoader())) {
      Method main = loader.loadClass("Embed").getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[] {nets.confDir.toString(), TestBin.dir().toString(),
          nets.cacheDir.toString(), "/var/run/netns/jt-example", records.toString()});
    } finally {
      System.setOut(saved);
    }

    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(2, lines.size(), lines::toString);
    assertEquals("alpha eth0 0a:58:0a:cc:01:05 [10.204.1.5/24 via 10.204.1.1]", lines.get(0));
    assertEquals("beta eth1 addresses [10.204.2.5/24]", lines.get(1));
    List<String> calls = nets.callLines();
    assertEquals(List.of("ADD live-sandbox beta eth0", "ADD old-sandbox alpha eth0"), calls.subList(0, 2));
    assertTrue(calls.contains("DEL old-sandbox alpha eth0"), calls::toString);
    assertFalse(calls.contains("DEL live-sandbox beta eth0"), calls::toString);
    List<NoopNetworks.Call> gcs = nets.calls().stream().filter(c -> c.command().equals("GC")).toList();
    assertEquals(2, gcs.size(), calls::toString);
    for (NoopNetworks.Call gc : gcs) {
      // Each network gets its own list: beta's live sandbox is not claimed on alpha.
      assertEquals(gc.network().equals("beta") ? "[{\"containerID\":\"live-sandbox\",\"ifname\":\"eth0\"}]" : "[]",
          gc.stdin().path("cni.dev/valid-attachments").toString(), gc::toString);
    }
    for (String s : List.of("ADD example-sandbox alpha eth0", "ADD example-sandbox beta eth1",
        "DEL example-sandbox alpha eth0", "DEL example-sandbox beta eth1")) {
      assertTrue(calls.contains(s), () -> s + " missing from " + calls);
    }
    assertEquals(List.of("beta-live-sandbox-eth0"), nets.cacheFiles());
  }
}
