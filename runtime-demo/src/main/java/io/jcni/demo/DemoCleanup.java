package io.jcni.demo;

import io.jcni.libcni.runtime.CniRuntime;
import io.jcni.libcni.runtime.NetworkRequest;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.RtNetlink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the demo changed on the machine, recorded as it is made, so that it can be undone — after success,
 * after a failure and on Ctrl-C alike — and then checked to be gone.
 *
 * <p>The host side is always reached through the namespace the demo started in (held open by {@link #host}),
 * never through whatever namespace the calling thread happens to be in: a shutdown hook runs on a JVM thread.
 */
final class DemoCleanup {
  /** The forwarding switches the bridge plugin turns on for a gateway, and which the demo puts back. */
  static final List<Path> FORWARDING = List.of(Path.of("/proc/sys/net/ipv4/ip_forward"),
      Path.of("/proc/sys/net/ipv6/conf/all/forwarding"));

  private final NetNs host;
  private final String network;
  private final String bridge;
  private final Set<String> linksBefore;
  private final Map<Path, String> forwardingBefore;
  private final List<String> sandboxes = new ArrayList<>();
  private final List<Path> dirs = new ArrayList<>();
  private final Set<String> hostLinks = new TreeSet<>();
  private CniRuntime runtime;
  private String ifName;
  private boolean done;

  private DemoCleanup(NetNs host, String network, String bridge, Set<String> linksBefore,
      Map<Path, String> forwardingBefore) {
    this.host = host;
    this.network = network;
    this.bridge = bridge;
    this.linksBefore = linksBefore;
    this.forwardingBefore = forwardingBefore;
  }

  /** Takes the "before" picture of the host namespace {@code host}. */
  static DemoCleanup start(NetNs host, String network, String bridge) throws IOException {
    Set<String> links = linkNames(host);
    Map<Path, String> fwd = new LinkedHashMap<>();
    for (Path p : FORWARDING) {
      String v = readSysctl(host, p);
      if (v != null) {
        fwd.put(p, v);
      }
    }
    return new DemoCleanup(host, network, bridge, links, fwd);
  }

  static Set<String> linkNames(NetNs ns) throws IOException {
    try (RtNetlink nl = RtNetlink.open(ns)) {
      Set<String> names = new TreeSet<>();
      for (Link l : nl.links()) {
        names.add(l.name());
      }
      return names;
    }
  }

  private static String readSysctl(NetNs ns, Path p) throws IOException {
    // /proc/sys/net answers for the namespace of the thread that opens it
    return ns.runIn(() -> {
      try {
        // not readString: on this JDK it returns only the first byte of a sysctl file (whose size reads as zero)
        List<String> lines = Files.readAllLines(p, StandardCharsets.US_ASCII);
        return lines.isEmpty() ? "" : lines.get(0).trim();
      } catch (NoSuchFileException e) {
        return null; // e.g. IPv6 disabled
      }
    });
  }

  synchronized void sandbox(String name) {
    sandboxes.add(name);
  }

  /** A link an attach made in the host namespace (a veth's host end), which must be gone at the end. */
  synchronized void hostLink(String name) {
    hostLinks.add(name);
  }

  /** A directory the demo made and removes at the end, with everything in it. */
  synchronized void dir(Path p) {
    dirs.add(p);
  }

  /** The runtime whose attachments must be detached (interface {@code ifName} in each sandbox). */
  synchronized void attachments(CniRuntime rt, String ifName) {
    this.runtime = rt;
    this.ifName = ifName;
  }

  /** The sandboxes were detached already; undo need not detach them again. */
  synchronized void detached() {
    this.runtime = null;
  }

  /** Undoes everything, best effort and at most once; returns what could not be undone. */
  synchronized List<String> undo() {
    List<String> problems = new ArrayList<>();
    if (done) {
      return problems;
    }
    done = true;
    if (runtime != null) {
      for (int i = sandboxes.size() - 1; i >= 0; i--) {
        String s = sandboxes.get(i);
        try {
          runtime.detach(s, NetNs.pathOf(s).toString(), List.of(NetworkRequest.of(network, ifName)));
        } catch (CniException | RuntimeException e) {
          problems.add("detach " + s + ": " + e.getMessage());
        }
      }
    }
    for (String s : sandboxes) {
      try {
        if (Files.exists(NetNs.pathOf(s))) {
          NetNs.delete(s);
        }
      } catch (IOException | RuntimeException e) {
        problems.add("delete namespace " + s + ": " + e.getMessage());
      }
    }
    try (RtNetlink nl = RtNetlink.open(host)) {
      if (!linksBefore.contains(bridge) && nl.findLink(bridge).isPresent()) {
        nl.delete(bridge);
      }
    } catch (IOException | RuntimeException e) {
      problems.add("delete bridge " + bridge + ": " + e.getMessage());
    }
    for (Map.Entry<Path, String> f : forwardingBefore.entrySet()) {
      try {
        String now = readSysctl(host, f.getKey());
        if (now != null && !now.equals(f.getValue())) {
          host.runIn(() -> Files.writeString(f.getKey(), f.getValue() + "\n", StandardCharsets.US_ASCII));
        }
      } catch (IOException | RuntimeException e) {
        problems.add("restore " + f.getKey() + ": " + e.getMessage());
      }
    }
    for (int i = dirs.size() - 1; i >= 0; i--) {
      try {
        deleteTree(dirs.get(i));
      } catch (IOException e) {
        problems.add("remove " + dirs.get(i) + ": " + e.getMessage());
      }
    }
    return problems;
  }

  /** What is still there that the demo made; empty when the machine is as it was. */
  List<String> leftovers() throws IOException {
    List<String> left = new ArrayList<>();
    for (String s : sandboxes) {
      if (Files.exists(NetNs.pathOf(s))) {
        left.add("namespace " + NetNs.pathOf(s));
      }
    }
    // Only the links the demo made are looked for: other software may add links to this namespace meanwhile.
    Set<String> links = linkNames(host);
    Set<String> ours = new TreeSet<>(hostLinks);
    if (!linksBefore.contains(bridge)) {
      ours.add(bridge);
    }
    for (String l : ours) {
      if (links.contains(l)) {
        left.add("link " + l);
      }
    }
    for (Map.Entry<Path, String> f : forwardingBefore.entrySet()) {
      String now = readSysctl(host, f.getKey());
      if (now != null && !now.equals(f.getValue())) {
        left.add(f.getKey() + " = " + now + " (was " + f.getValue() + ")");
      }
    }
    for (Path d : dirs) {
      if (Files.exists(d)) {
        left.add("directory " + d);
      }
    }
    return left;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
