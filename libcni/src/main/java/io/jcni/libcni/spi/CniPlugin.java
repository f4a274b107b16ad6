package io.jcni.libcni.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import java.util.List;

/**
 * An in-process CNI plugin: the Java counterpart of a plugin binary's {@code cmdAdd/cmdCheck/cmdDel/…}.
 *
 * <p>It receives the same {@link CmdArgs} an exec'd plugin would and answers ADD with the JSON object the binary
 * would print on stdout, which an in-process caller takes as it is instead of printing and parsing it again; the
 * invoker, caching and version conversion code is otherwise shared by both paths. Failures are thrown as
 * {@link CniException} with the code the binary would print. Implementations must be thread-safe: a runtime may
 * attach different containers at the same time.
 */
public interface CniPlugin {

  /** The {@code type} this plugin answers to in a network configuration, e.g. {@code "bridge"}. */
  String type();

  /** The CNI versions this plugin accepts, as a {@code VERSION} command would report them. */
  List<String> supportedVersions();

  /** Runs ADD and returns the result as a JSON object in the configuration's cniVersion. */
  ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException;

  /** Runs ADD and returns what the binary prints: the result indented, as Go's {@code types.PrintResult}. */
  default byte[] add(CmdArgs args, PluginContext ctx) throws CniException {
    ObjectNode result = addResult(args, ctx);
    return result == null ? new byte[0] : GoJson.indented(result);
  }

  /** Runs CHECK; returns normally when the attachment is as ADD left it. */
  void check(CmdArgs args, PluginContext ctx) throws CniException;

  /** Runs DEL; must succeed when the resources are already gone. */
  void del(CmdArgs args, PluginContext ctx) throws CniException;

  /** Runs GC with {@code cni.dev/valid-attachments} in the stdin bytes; the default does nothing, as Go's skel. */
  default void gc(CmdArgs args, PluginContext ctx) throws CniException {}

  /** Runs STATUS; the default reports ready, as Go's skel does for a plugin without a STATUS function. */
  default void status(CmdArgs args, PluginContext ctx) throws CniException {}
}
