package io.jcni.plugins.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Skel#main} in a separate JVM, exec'd the way a runtime execs a plugin binary. */
class SkelMainTest {
  @TempDir Path tmp;

  record Exit(int status, JsonNode out) {}

  Exit exec(List<String> args, Map<String, String> env, String stdin) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Skel.class.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(env);
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    return new Exit(p.waitFor(), new ObjectMapper().readTree(out));
  }

  @Test
  void runsHostLocalByArgumentAndByEnvironment() throws Exception {
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"mynet\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\""
        + tmp + "\",\"ranges\":[[{\"subnet\":\"10.250.8.0/24\"}]]}}";
    Map<String, String> env = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_NETNS", "/x",
        "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni");
    Exit add = exec(List.of("host-local"), env, conf);
    assertEquals(0, add.status(), add.out().toString());
    assertEquals("10.250.8.2/24", add.out().get("ips").get(0).get("address").asText());
    assertEquals("c1\r\neth0", Files.readString(tmp.resolve("mynet/10.250.8.2")));

    Map<String, String> del = new java.util.HashMap<>(env);
    del.put("CNI_COMMAND", "DEL");
    del.put(Skel.PLUGIN_ENV, "host-local");
    assertEquals(0, exec(List.of(), del, conf).status());
    assertEquals(false, Files.exists(tmp.resolve("mynet/10.250.8.2")));
  }

  @Test
  void unknownTypeIsAnError() throws Exception {
    Exit e = exec(List.of("no-such-type"), Map.of("CNI_COMMAND", "VERSION"), "");
    assertEquals(1, e.status());
    assertEquals("no in-process plugin of type \"no-such-type\"", e.out().get("msg").asText());
  }
}
