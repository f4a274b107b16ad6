package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.CniConfig;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.plugins.skel.Skel;
import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every record of jcni's modules that holds a {@code byte[]} compares it by content (a record's generated
 * {@code equals} compares arrays by identity) and prints it readably (the generated {@code toString} prints
 * {@code [B@1b6d3586}).
 */
class ByteRecordsTest {
  private static final String JSON = "{\"cniVersion\":\"1.0.0\"}";

  @Test
  void recordsHoldingBytesCompareAndPrintTheirContent() throws Exception {
    List<Class<?>> records = byteRecords();
    assertTrue(records.contains(CmdArgs.class), "scan found " + records);
    List<String> wrong = new ArrayList<>();
    for (Class<?> r : records) {
      Object a = instance(r, 0);
      Object b = instance(r, 0);
      Object other = instance(r, 1);
      if (!a.equals(b) || a.hashCode() != b.hashCode()) {
        wrong.add(r.getName() + ": equal bytes in two arrays are not equal");
      }
      if (a.equals(other)) {
        wrong.add(r.getName() + ": different bytes are equal");
      }
      if (!a.toString().contains("{\\\"cniVersion\\\":\\\"1.0.0\\\"}") || a.toString().contains("[B@")) {
        wrong.add(r.getName() + ": toString hides the bytes: " + a);
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void cmdArgsWithCopiedStdinAreEqual() {
    byte[] stdin = JSON.getBytes(StandardCharsets.UTF_8);
    CmdArgs a = new CmdArgs("c1", "/run/netns/x", "eth0", "", List.of("/opt/cni/bin"), stdin);
    assertEquals(a, a.withStdin(stdin.clone()));
    assertNotEquals(a, a.withStdin("{}".getBytes(StandardCharsets.UTF_8)));
    assertEquals("CmdArgs[containerId=c1, netns=/run/netns/x, ifName=eth0, args=, path=[/opt/cni/bin], "
        + "stdinData=\"{\\\"cniVersion\\\":\\\"1.0.0\\\"}\" (22 bytes)]", a.toString());
  }

  /** A record whose byte[] components hold JSON (variant 0) or other JSON (variant 1); other values fixed. */
  private static Object instance(Class<?> r, int variant) throws Exception {
    RecordComponent[] cs = r.getRecordComponents();
    Object[] values = new Object[cs.length];
    for (int i = 0; i < cs.length; i++) {
      values[i] = value(cs[i].getType(), variant);
    }
    Constructor<?> k = r.getDeclaredConstructor(Arrays.stream(cs).map(RecordComponent::getType).toArray(Class[]::new));
    k.setAccessible(true);
    return k.newInstance(values);
  }

  private static Object value(Class<?> t, int variant) {
    if (t == byte[].class) {
      return (variant == 0 ? JSON : "{\"cniVersion\":\"0.4.0\"}").getBytes(StandardCharsets.UTF_8);
    }
    if (t == String.class) {
      return "s";
    }
    if (t == int.class) {
      return 1;
    }
    if (t == boolean.class) {
      return true;
    }
    if (t == Path.class) {
      return Path.of("/var/lib/cni/results/x");
    }
    if (t == Duration.class) {
      return Duration.ofSeconds(1);
    }
    if (t == List.class) {
      return List.of();
    }
    if (t == Map.class) {
      return Map.of();
    }
    if (t == ObjectNode.class) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (t.isEnum()) {
      return t.getEnumConstants()[0];
    }
    return null;  // other records and classes: absent
  }

  private static List<Class<?>> byteRecords() throws IOException, ClassNotFoundException {
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> anchor : List.of(CniConfig.class, Skel.class, Main.class)) {
      ModuleReference m = ModuleFinder.of(location(anchor)).findAll().iterator().next();
      try (ModuleReader reader = m.open()) {
        for (String entry : reader.list().sorted().toList()) {
          if (!entry.endsWith(".class") || entry.endsWith("-info.class")) {
            continue;
          }
          String name = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
          Class<?> c = Class.forName(name, false, ByteRecordsTest.class.getClassLoader());
          if (c.isRecord() && Arrays.stream(c.getRecordComponents()).anyMatch(rc -> rc.getType() == byte[].class)) {
            out.add(c);
          }
        }
      }
    }
    return out;
  }

  private static Path location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
