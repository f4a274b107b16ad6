package io.jcni.libcni.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.testing.TestBin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Test networks made of the repository's {@code test-bin/noop} plugin: each network gets its own debug file (what
 * noop answers) and all share one command log (what noop was asked, in order), the independent record of which
 * plugin calls the façade made.
 */
final class NoopNetworks {
  static final ObjectMapper JSON = new ObjectMapper();

  final Path confDir;
  final Path cacheDir;
  final Path log;
  private final Path work;

  NoopNetworks(Path tmp) throws IOException {
    this.work = tmp;
    this.confDir = Files.createDirectories(tmp.resolve("net.d"));
    this.cacheDir = Files.createDirectories(tmp.resolve("cache"));
    this.log = tmp.resolve("commands.log");
  }

  /** A builder for a runtime over this directory with noop on the plugin path and a private cache. */
  CniRuntime.Builder runtime() {
    return CniRuntime.builder().confDir(confDir).cacheDir(cacheDir).pluginPath(List.of(TestBin.dir().toString()));
  }

  /**
   * Writes {@code <file>} as a one-plugin noop network called {@code name} answering ADD with a result holding
   * {@code address}, and returns the debug file.
   */
  Path network(String file, String name, String version, String address) throws IOException {
    Path debug = debugFile(name);
    answer(name, "{\"cniVersion\":\"" + version + "\",\"ips\":[{\"address\":\"" + address + "\"}]}");
    Files.writeString(confDir.resolve(file), """
        {"cniVersion":"%s","name":"%s","plugins":[{"type":"noop","debugFile":"%s","commandLog":"%s"}]}
        """.formatted(version, name, debug, log));
    return debug;
  }

  Path debugFile(String network) {
    return work.resolve("debug-" + network + ".json");
  }

  /** Makes network {@code name}'s noop print {@code rawResult} on ADD. */
  void answer(String name, String rawResult) throws IOException {
    ObjectNode d = JSON.createObjectNode();
    d.put("ReportResult", rawResult);
    Files.writeString(debugFile(name), JSON.writeValueAsString(d));
  }

  /** Makes network {@code name}'s noop fail every command with {@code msg} and {@code code}. */
  void fail(String name, String msg, int code) throws IOException {
    ObjectNode d = JSON.createObjectNode();
    d.put("ReportError", msg);
    d.put("ReportErrorCode", code);
    Files.writeString(debugFile(name), JSON.writeValueAsString(d));
  }

  /** One line of noop's command log. */
  record Call(String command, String containerId, String network, String ifName, String netns, JsonNode stdin) {
    @Override
    public String toString() {
      return command + " " + containerId + " " + network + " " + ifName;
    }
  }

  /** Every call logged so far, in order. */
  List<Call> calls() {
    try {
      return readCalls();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<Call> readCalls() throws IOException {
    List<Call> out = new ArrayList<>();
    if (!Files.exists(log)) {
      return out;
    }
    for (String line : Files.readAllLines(log)) {
      JsonNode r = JSON.readTree(line);
      JsonNode a = r.get("CmdArgs");
      JsonNode stdin = JSON.readTree(new String(Base64.getDecoder().decode(a.get("StdinData").asText()),
          StandardCharsets.UTF_8));
      out.add(new Call(r.get("Command").asText(), a.get("ContainerID").asText(), stdin.path("name").asText(),
          a.get("IfName").asText(), a.get("Netns").asText(), stdin));
    }
    return out;
  }

  /** The calls as {@code "COMMAND cid network ifname"} strings. */
  List<String> callLines() {
    return calls().stream().map(Call::toString).toList();
  }

  /** The result cache's files, by name (Go's {@code <network>-<cid>-<ifname>}). */
  List<String> cacheFiles() throws IOException {
    Path results = cacheDir.resolve("results");
    if (!Files.isDirectory(results)) {
      return List.of();
    }
    try (var s = Files.list(results)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
