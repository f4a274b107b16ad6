package io.jcni.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;

/**
 * The capability arguments of {@code jcni bench --cap-args}, handed to every pod's ADD, CHECK and DEL: pod {@code i}
 * gets each {@code portMappings} entry with {@code hostPort + i}, so that hundreds of pods on one host never map the
 * same host port.
 *
 * @param args the JSON object as given; empty for none
 */
record BenchCapArgs(ObjectNode args) {
  static final BenchCapArgs NONE = new BenchCapArgs(new ObjectMapper().createObjectNode());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_PORT = 65_535;

  BenchCapArgs {
    args = args.deepCopy();
  }

  /** Parses {@code --cap-args}: a JSON object whose {@code portMappings}, if any, is an array of objects. */
  static BenchCapArgs parse(String json) throws Main.UsageException {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (IOException e) {
      throw new Main.UsageException("bench: --cap-args wants a JSON object, not " + json);
    }
    if (n == null || !n.isObject()) {
      throw new Main.UsageException("bench: --cap-args wants a JSON object, not " + json);
    }
    JsonNode pm = n.path("portMappings");
    if (!pm.isMissingNode()) {
      if (!pm.isArray()) {
        throw new Main.UsageException("bench: --cap-args: portMappings must be an array");
      }
      for (JsonNode m : pm) {
        if (!m.isObject() || !m.path("hostPort").canConvertToInt() || m.path("hostPort").asInt() < 1) {
          throw new Main.UsageException("bench: --cap-args: every portMappings entry needs a hostPort from 1 to "
              + MAX_PORT + ", not " + m);
        }
      }
    }
    return new BenchCapArgs((ObjectNode) n);
  }

  /**
   * Refuses when {@code pods} pods would push a host port past 65535.
   *
   * @param pods the most pods one pass attaches (pod indexes run from 0 to pods - 1)
   */
  void requireRoomFor(int pods) throws Main.UsageException {
    for (JsonNode m : args.path("portMappings")) {
      int last = m.path("hostPort").asInt() + pods - 1;
      if (last > MAX_PORT) {
        throw new Main.UsageException("bench: --cap-args: hostPort " + m.path("hostPort").asInt() + " + " + pods
            + " pods passes " + MAX_PORT);
      }
    }
  }

  /** Pod {@code i}'s capability arguments: the host ports moved up by {@code i}. */
  Map<String, Object> forPod(int i) {
    ObjectNode mine = args.deepCopy();
    for (JsonNode m : mine.path("portMappings")) {
      ((ObjectNode) m).put("hostPort", m.path("hostPort").asInt() + i);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.convertValue(mine, Map.class);
    return map;
  }

  boolean isEmpty() {
    return args.isEmpty();
  }
}
