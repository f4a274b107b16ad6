package io.jcni.demo.serve;

import io.jcni.libcni.internal.runtime.ContainerLocks;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.skel.Skel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Set;

/**
 * Runs {@link ShimRequest}s on the in-process plugins exactly as their executables would run under {@link Skel}:
 * skel's checks, delegation to in-process IPAM types in-process, one deadline per call, and calls on one container
 * one at a time (the spec forbids parallel operations on a container; a runtime that breaks the rule waits here).
 */
public final class ShimRequestRunner {
  private static final Set<String> PER_CONTAINER = Set.of("ADD", "CHECK", "DEL");

  private final PluginRegistry registry;
  private final Duration timeout;
  private final ContainerLocks containers = new ContainerLocks();

  /** A runner for the plugins of {@code registry}, giving each call {@code timeout}. */
  public ShimRequestRunner(PluginRegistry registry, Duration timeout) {
    this.registry = registry;
    this.timeout = timeout;
  }

  /** Runs {@code r} and returns what the plugin executable would have printed, and its exit status. */
  public ShimAnswer run(ShimRequest r) {
    CniPlugin plugin = registry.lookup(r.type()).orElse(null);
    if (plugin == null) {
      return ShimAnswer.error(new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "no in-process plugin of type \"" + r.type() + "\" in the jcni daemon"));
    }
    Deadline deadline = Deadline.after(timeout);
    if (!PER_CONTAINER.contains(r.command()) || r.containerId().isEmpty()) {
      return skel(plugin, r, deadline);
    }
    try (ContainerLocks.Held held = containers.acquire(r.containerId(), deadline)) {
      return skel(plugin, r, deadline);
    } catch (CniException e) {
      return ShimAnswer.error(e);
    }
  }

  private ShimAnswer skel(CniPlugin plugin, ShimRequest r, Deadline deadline) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Skel.run(plugin, registry, deadline, r.env(), new ByteArrayInputStream(r.stdin()), out, err);
    return new ShimAnswer(status, out.toByteArray(), err.toByteArray());
  }
}
