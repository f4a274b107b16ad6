package io.jcni.libcni.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process test plugin that records every call it gets (enter and exit, in order) and how many calls per
 * container were inside it at once, and can be made to block or fail through a hook. Its ADD answers with the
 * config's {@code address}; with an {@code ipam} section it delegates to that IPAM type and passes its result on.
 */
final class RecordingPlugin implements CniPlugin {
  /** Runs at the start of every call, inside the plugin. */
  @FunctionalInterface
  interface Hook {
    void enter(Command command, String containerId, String network, String ifName) throws CniException;
  }

  private final String type;
  private final List<String> events = new ArrayList<>();
  private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final AtomicInteger maxPerContainer = new AtomicInteger();
  private final AtomicInteger maxOverall = new AtomicInteger();
  private final AtomicInteger overall = new AtomicInteger();
  volatile Hook hook = (c, id, n, i) -> {};

  RecordingPlugin(String type) {
    this.type = type;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public List<String> supportedVersions() {
    return List.of("0.3.1", "0.4.0", "1.0.0", "1.1.0");
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  int maxPerContainer() {
    return maxPerContainer.get();
  }

  int maxOverall() {
    return maxOverall.get();
  }

  private synchronized void event(String s) {
    events.add(s);
  }

  private JsonNode conf(CmdArgs args) throws CniException {
    try {
      return NoopNetworks.JSON.readTree(args.stdinData());
    } catch (IOException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, e.getMessage());
    }
  }

  private <T> T call(Command cmd, CmdArgs args, Body<T> body) throws CniException {
    JsonNode conf = conf(args);
    String network = conf.path("name").asText();
    String label = cmd + " " + args.containerId() + " " + network + " " + args.ifName();
    AtomicInteger mine = active.computeIfAbsent(args.containerId(), k -> new AtomicInteger());
    maxPerContainer.accumulateAndGet(mine.incrementAndGet(), Math::max);
    maxOverall.accumulateAndGet(overall.incrementAndGet(), Math::max);
    event("enter " + label);
    try {
      hook.enter(cmd, args.containerId(), network, args.ifName());
      return body.run(conf);
    } finally {
      event("exit " + label);
      overall.decrementAndGet();
      mine.decrementAndGet();
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T run(JsonNode conf) throws CniException;
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    return call(Command.ADD, args, conf -> {
      if (conf.has("ipam")) {
        return tree(ctx.delegate(Command.ADD, conf.at("/ipam/type").asText(), args));
      }
      String version = conf.path("cniVersion").asText();
      return tree(("{\"cniVersion\":\"" + version + "\",\"interfaces\":[{\"name\":\"" + args.ifName() + "\",\"sandbox\":\""
          + args.netns() + "\"}],\"ips\":[{\"address\":\"" + conf.path("address").asText() + "\",\"interface\":0}]}")
          .getBytes(StandardCharsets.UTF_8));
    });
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    call(Command.CHECK, args, conf -> null);
  }

  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    call(Command.DEL, args, conf -> {
      if (conf.has("ipam")) {
        ctx.delegate(Command.DEL, conf.at("/ipam/type").asText(), args);
      }
      return null;
    });
  }

  @Override
  public void gc(CmdArgs args, PluginContext ctx) throws CniException {
    call(Command.GC, args, conf -> null);
  }
  /** {@code json} as the result object it spells. */
  private static ObjectNode tree(byte[] json) {
    try {
      return (ObjectNode) GoJson.mapper().readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
