package io.jcni.libcni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The {@code test-bin/noop} plugin as seen from a test: where it lives, how to drive it through its debug file and
 * how to read back what it was called with (the oracle the api tests compare against).
 */
final class Noop {
  static final ObjectMapper JSON = new ObjectMapper();

  private Noop() {}


  /** One call noop recorded: the command and its CmdArgs, stdin decoded from Go's base64. */
  record Call(String command, String containerId, String netns, String ifName, String args, String path,
      byte[] stdin) {
    JsonNode stdinJson() {
      return parse(stdin);
    }

    static Call of(JsonNode rec) {
      JsonNode a = rec.path("CmdArgs");
      return new Call(rec.path("Command").asText(), a.path("ContainerID").asText(), a.path("Netns").asText(),
          a.path("IfName").asText(), a.path("Args").asText(), a.path("Path").asText(),
          Base64.getDecoder().decode(a.path("StdinData").asText()));
    }
  }

  /** Writes a debug file that noop reads (and rewrites with the call it saw). */
  static Path writeDebug(Path file, ObjectNode debug) {
    try {
      Files.write(file, JSON.writeValueAsBytes(debug));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A debug object that makes noop print {@code result} verbatim. */
  static ObjectNode reportResult(String result) {
    return JSON.createObjectNode().put("ReportResult", result);
  }

  /** The last call recorded in a debug file, or null when noop never ran with it. */
  static Call lastCall(Path debugFile) {
    JsonNode d = parse(read(debugFile));
    return d.has("Command") ? Call.of(d) : null;
  }

  /** The calls appended to a {@code commandLog} file, in order; empty when there is none. */
  static List<Call> log(Path logFile) {
    List<Call> out = new ArrayList<>();
    if (!Files.exists(logFile)) {
      return out;
    }
    for (String line : new String(read(logFile), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        out.add(Call.of(parse(line.getBytes(StandardCharsets.UTF_8))));
      }
    }
    return out;
  }

  static List<String> commands(Path logFile) {
    return log(logFile).stream().map(Call::command).toList();
  }

  static JsonNode parse(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(String json) {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] read(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
