package io.jcni.libcni.internal.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream's result-version defaulting cases of ExecPluginWithResult (#895/#896). */
class ResultDecoderTest {
  @TempDir Path tmp;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void missingResultVersionTakesConfigVersion() throws Exception {
    ObjectNode r = ResultDecoder.decode(b("{\"cniVersion\":\"0.4.0\",\"name\":\"n\"}"), b("{\"ips\":[]}"));
    assertEquals("0.4.0", r.get("cniVersion").asText());
    assertEquals(0, r.get("ips").size());
  }

  @Test
  void emptyResultVersionTakesConfigVersion() throws Exception {
    assertEquals("1.0.0", ResultDecoder.decode(b("{\"cniVersion\":\"1.0.0\"}"), b("{\"cniVersion\":\"\"}"))
        .get("cniVersion").asText());
  }

  @Test
  void bothEmptyMeans010() throws Exception {
    assertEquals("0.1.0", ResultDecoder.decode(b("{\"cniVersion\":\"\"}"), b("{\"cniVersion\":\"\"}"))
        .get("cniVersion").asText());
    assertEquals("0.1.0", ResultDecoder.decode(b("{}"), b("{}")).get("cniVersion").asText());
  }

  @Test
  void resultVersionWins() throws Exception {
    assertEquals("0.3.1", ResultDecoder.decode(b("{\"cniVersion\":\"1.0.0\"}"), b("{\"cniVersion\":\"0.3.1\"}"))
        .get("cniVersion").asText());
  }

  @Test
  void nullStdoutIsEmptyResult() throws Exception {
    ObjectNode r = ResultDecoder.decode(b("{\"cniVersion\":\"1.1.0\"}"), b("null"));
    assertEquals("{\"cniVersion\":\"1.1.0\"}", r.toString());
  }

  @Test
  void undecodableOutputs() {
    assertEquals("failed to unmarshal raw result: unexpected end of JSON input",
        assertThrows(CniException.class, () -> ResultDecoder.decode(b("{}"), b(""))).getMessage());
    assertEquals("failed to unmarshal raw result: json: cannot unmarshal array into Go value of type "
        + "map[string]interface {}",
        assertThrows(CniException.class, () -> ResultDecoder.decode(b("{}"), b("[1]"))).getMessage());
    assertEquals("decoding version from network config: invalid character 'x' looking for beginning of value",
        assertThrows(CniException.class, () -> ResultDecoder.decode(b("x"), b("{}"))).getMessage());
  }

  @Test
  void endToEndWithPluginOmittingVersion() throws Exception {
    Path d = Files.writeString(tmp.resolve("debug"), "{\"ReportResult\":\"{\\\"ips\\\":[]}\"}");
    byte[] stdin = b("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"noop\"}");
    ExecInvoker invoker = new ExecInvoker(List.of(TestBin.dir().toString()), new RawExec());
    byte[] out = invoker.invoke(Command.ADD, "noop",
        new CmdArgs("c", "/ns", "eth0", "DEBUG=" + d, List.of(TestBin.dir().toString()), stdin));
    assertEquals("0.4.0", ResultDecoder.decode(stdin, out).get("cniVersion").asText());
  }
}
