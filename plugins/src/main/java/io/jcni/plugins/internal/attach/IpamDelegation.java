package io.jcni.plugins.internal.attach;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Results;

/** The IPAM ADD of an attachment (Go's {@code ipam.ExecAdd}), undone by an IPAM DEL when the ADD fails later. */
public final class IpamDelegation {
  private IpamDelegation() {}

  /**
   * Delegates ADD to {@code ipamType}, registers the DEL with {@code rollback}, and returns the result in the
   * current version (an in-process IPAM's result object is taken as it is, not printed and parsed again); fails with Go's {@code IPAM plugin returned missing IP config} when it has no address.
   */
  public static Result100 add(PluginContext ctx, String ipamType, CmdArgs args, String cniVersion, Rollback rollback)
      throws CniException {
    ctx.deadline().check("IPAM plugin " + ipamType);
    ObjectNode raw = ctx.delegateAdd(ipamType, args);
    // The undo gets time of its own: it also runs after this ADD's deadline passed or it was cancelled.
    rollback.add(() -> ctx.withDeadline(ctx.deadline().forUndo()).delegate(Command.DEL, ipamType, args));
    Result100 r = (Result100) Results.create(raw.get("cniVersion").textValue(), raw)
        .convertTo(Result100.IMPLEMENTED);
    if (r.ips().isEmpty()) {
      throw Failures.internal("IPAM plugin returned missing IP config");
    }
    return r;
  }
}
