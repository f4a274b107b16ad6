package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.internal.json.GoJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stdin bytes as Go's buildOneConfig/injectRuntimeConfig produce them (InjectConf's documented sorted, compact
 * output; runtimeConfig from true capabilities only).
 */
class StdinTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String build(String conf, JsonNode prev, Map<String, Boolean> caps, Map<String, Object> args)
      throws CniException {
    return new String(Stdin.build(b(conf), "list", "1.0.0", prev, caps, args), StandardCharsets.UTF_8);
  }

  @Test
  void nameAndVersionOverwrittenKeysSorted() throws Exception {
    assertEquals("{\"b\":{\"a\":2,\"z\":1},\"cniVersion\":\"1.0.0\",\"name\":\"list\",\"type\":\"foobar\"}",
        build("{\"type\": \"foobar\", \"name\": \"own\", \"cniVersion\": \"0.3.1\", \"b\": {\"z\": 1, \"a\": 2}}",
            null, Map.of(), Map.of()));
  }

  @Test
  void prevResultKeepsItsStructOrderWithoutRuntimeConfig() throws Exception {
    JsonNode prev = GoJson.mapper().readTree(
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"00:11:22:33:44:55\"}],"
            + "\"ips\":[{\"interface\":0,\"address\":\"10.1.0.5/24\"}],\"dns\":{}}");
    assertEquals("{\"cniVersion\":\"1.0.0\",\"name\":\"list\",\"prevResult\":{\"cniVersion\":\"1.0.0\","
        + "\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"00:11:22:33:44:55\"}],"
        + "\"ips\":[{\"interface\":0,\"address\":\"10.1.0.5/24\"}],\"dns\":{}},\"type\":\"noop\"}",
        build("{\"type\":\"noop\"}", prev, Map.of(), Map.of()));
  }

  @Test
  void onlyTrueAndSuppliedCapabilitiesReachRuntimeConfig() throws Exception {
    Map<String, Boolean> caps = new LinkedHashMap<>();
    caps.put("portMappings", true);
    caps.put("bandwidth", false);
    caps.put("dns", true);
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("portMappings", List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp")));
    args.put("bandwidth", Map.of("ingressRate", 1));
    JsonNode prev = GoJson.mapper().readTree("{\"cniVersion\":\"1.0.0\",\"ips\":[],\"dns\":{}}");
    // A second map pass (Go's) sorts prevResult too, and the old runtimeConfig is replaced.
    assertEquals("{\"cniVersion\":\"1.0.0\",\"name\":\"list\",\"prevResult\":{\"cniVersion\":\"1.0.0\","
        + "\"dns\":{},\"ips\":[]},\"runtimeConfig\":{\"portMappings\":[{\"containerPort\":80,\"hostPort\":8080,"
        + "\"protocol\":\"tcp\"}]},\"type\":\"noop\"}",
        build("{\"type\":\"noop\",\"runtimeConfig\":{\"old\":1}}", prev, caps, args));
  }

  @Test
  void noApplicableCapabilityLeavesConfigAlone() throws Exception {
    assertEquals("{\"cniVersion\":\"1.0.0\",\"name\":\"list\",\"runtimeConfig\":{\"old\":1},\"type\":\"noop\"}",
        build("{\"type\":\"noop\",\"runtimeConfig\":{\"old\":1}}", null, Map.of("mac", true),
            Map.of("ips", List.of("10.1.2.3/24"))));
  }

  @Test
  void notAnObject() {
    assertEquals("unmarshal existing network bytes: json: cannot unmarshal array into Go value of type "
        + "map[string]interface {}",
        assertThrows(CniException.class, () -> build("[]", null, Map.of(), Map.of())).getMessage());
    assertEquals("unmarshal existing network bytes: unexpected end of JSON input",
        assertThrows(CniException.class, () -> build("{", null, Map.of(), Map.of())).getMessage());
  }
}
