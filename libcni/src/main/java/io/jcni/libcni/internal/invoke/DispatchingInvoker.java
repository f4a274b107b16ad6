package io.jcni.libcni.internal.invoke;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.spi.SkelChecks;
import io.jcni.libcni.invoke.PluginInvoker;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.version.PluginInfo;
import io.jcni.libcni.version.Versions;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A {@link PluginInvoker} that runs a plugin in-process when its type is registered and allowed, and hands every
 * other type to an exec invoker.
 *
 * <p>An in-process plugin's delegations (to its IPAM) come back through this same dispatcher, so they follow the
 * same inline-or-exec rule as top-level calls. In-process answers to {@link #invoke} are the bytes the binary would
 * print: ADD's result, nothing for CHECK/DEL/GC/STATUS, and for VERSION {@code {"cniVersion":"1.1.0","supportedVersions":[…]}}
 * as Go's skel prints it. A {@link RuntimeException} from a plugin becomes code 999, as skel reports any error
 * that is not a CNI error.
 */
public final class DispatchingInvoker implements PluginInvoker {
  /** The spec version jcni implements; skel reports it in every VERSION answer. */

  private final PluginRegistry registry;
  private final Predicate<String> inlineAllowed;
  private final PluginInvoker exec;

  /**
   * A dispatcher running types that are in {@code registry} and accepted by {@code inlineAllowed} in-process and
   * everything else through {@code exec}.
   */
  public DispatchingInvoker(PluginRegistry registry, Predicate<String> inlineAllowed, PluginInvoker exec) {
    this.registry = registry;
    this.inlineAllowed = inlineAllowed;
    this.exec = exec;
  }

  /** Whether {@code type} would run in-process. */
  public boolean runsInline(String type) {
    return registry.has(type) && inlineAllowed.test(type);
  }

  @Override
  public byte[] invoke(Command command, String type, CmdArgs args) throws CniException {
    return invoke(command, type, args, Deadline.none());
  }

  @Override
  public byte[] invoke(Command command, String type, CmdArgs args, Deadline deadline) throws CniException {
    return invoke(command, type, args, deadline, null);
  }

  /**
   * {@link #invoke(Command, String, CmdArgs, Deadline)}, an in-process plugin free to defer work to {@code deferred}
   * (null: not); the caller completes it before any plugin that does not run in-process.
   */
  public byte[] invoke(Command command, String type, CmdArgs args, Deadline deadline, DeferredWork deferred)
      throws CniException {
    Optional<CniPlugin> inline = runsInline(type) ? registry.lookup(type) : Optional.empty();
    if (inline.isEmpty()) {
      return exec.invoke(command, type, args, deadline);
    }
    CniPlugin plugin = inline.get();
    return run(plugin, type, command, args, new Context(deadline, deferred), context -> switch (command) {
      case ADD -> plugin.add(args, context);
      case CHECK -> {
        plugin.check(args, context);
        yield new byte[0];
      }
      case DEL -> {
        plugin.del(args, context);
        yield new byte[0];
      }
      case GC -> {
        plugin.gc(args, context);
        yield new byte[0];
      }
      case STATUS -> {
        plugin.status(args, context);
        yield new byte[0];
      }
      case VERSION -> versionAnswer(plugin);
    });
  }

  /** ADD; an in-process plugin's result object reaches the caller as it is, without being printed and parsed. */
  @Override
  public ObjectNode add(String type, CmdArgs args, Deadline deadline) throws CniException {
    return add(type, args, deadline, null);
  }

  /**
   * ADD as {@link #add(String, CmdArgs, Deadline)}, an in-process plugin free to defer work to {@code deferred}
   * (null: not); the caller completes it ({@link DeferredWork#complete}) before any plugin that does not run
   * in-process, which cannot see it.
   */
  public ObjectNode add(String type, CmdArgs args, Deadline deadline, DeferredWork deferred) throws CniException {
    Optional<CniPlugin> inline = runsInline(type) ? registry.lookup(type) : Optional.empty();
    if (inline.isEmpty()) {
      return exec.add(type, args, deadline);
    }
    CniPlugin plugin = inline.get();
    ObjectNode result = run(plugin, type, Command.ADD, args, new Context(deadline, deferred),
        context -> plugin.addResult(args, context));
    if (result == null) {
      return ResultDecoder.decode(args.stdinData(), new byte[0]); // as the empty stdout it stands for
    }
    return ResultDecoder.decode(args.stdinData(), result);
  }

  /** One call of an in-process plugin. */
  @FunctionalInterface
  private interface Call<T> {
    T run(PluginContext context) throws CniException;
  }

  /**
   * Runs {@code call} as the binary's skel would: within {@code deadline}, after skel's checks (so what the binary
   * would refuse is refused before the plugin creates anything), with a {@link RuntimeException} as code 999.
   */
  private <T> T run(CniPlugin plugin, String type, Command command, CmdArgs args, Context context, Call<T> call)
      throws CniException {
    context.deadline().check("plugin " + type + " to start");
    SkelChecks.check(command, args, new PluginInfo(Versions.CURRENT, plugin.supportedVersions()));
    try {
      return call.run(context);
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      throw new CniException(ErrorCode.INTERNAL, msg, "", e);
    }
  }

  /**
   * What an in-process plugin sees when it runs within {@code deadline} outside this dispatcher (as under skel):
   * its delegations go through this dispatcher.
   */
  public PluginContext context(Deadline deadline) {
    return new Context(deadline, null);
  }

  /**
   * What an in-process plugin of one operation sees: delegation through this dispatcher, within its deadline, and
   * the chain's deferred work where it has one (delegations do not).
   */
  private final class Context implements PluginContext {
    private final Deadline deadline;
    private final DeferredWork deferred;

    Context(Deadline deadline, DeferredWork deferred) {
      this.deadline = deadline;
      this.deferred = deferred;
    }

    @Override
    public byte[] delegate(Command command, String type, CmdArgs args) throws CniException {
      completeDeferred();
      return invoke(command, type, args, deadline);
    }

    @Override
    public ObjectNode delegateAdd(String type, CmdArgs args) throws CniException {
      completeDeferred();
      return add(type, args, deadline);
    }

    /** A delegation (IPAM) sees what the chain deferred done: an address is released only after its rules go. */
    private void completeDeferred() throws CniException {
      if (deferred != null) {
        deferred.complete();
      }
    }

    @Override
    public Deadline deadline() {
      return deadline;
    }

    @Override
    public PluginContext withDeadline(Deadline other) {
      return new Context(other, null); // an undo is done at once
    }

    @Override
    public boolean defer(io.jcni.libcni.spi.Deferred work) {
      if (deferred == null) {
        return false;
      }
      deferred.add(work);
      return true;
    }
  }

  private static byte[] versionAnswer(CniPlugin plugin) {
    return new PluginInfo(Versions.CURRENT, plugin.supportedVersions()).encode();
  }

}
