package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.netfilter.TableWork;
import java.util.List;

/** A firewall backend of the portmap plugin: makes, checks and removes one container's port forwarding. */
sealed interface PortMapper permits IptablesPortMapper, NftablesPortMapper {

  /**
   * Forwards {@code conf}'s mappings to {@code containers}, the container's address of each family it has, in
   * one transaction where the backend can.
   */
  void forward(PortMapConf conf, String containerId, List<IpNet> containers) throws CniException;

  /**
   * {@link #forward(PortMapConf, String, List)} as a step of a chain's ADD, which may complete it together with the
   * chain's other rule changes ({@link PluginContext#defer}); {@code then} runs once the forwarding is in the kernel
   * and the ADD has nothing else left that can fail ({@link TableWork#finish}). This default forwards at once.
   */
  default void forward(PortMapConf conf, String containerId, List<IpNet> containers, TableWork.Step then,
      PluginContext ctx) throws CniException {
    forward(conf, containerId, containers);
    then.run();
  }

  /** Checks that the forwarding {@link #forward} makes for {@code container} is in place. */
  void check(PortMapConf conf, String containerId, IpNet container) throws CniException;

  /** Removes the container's forwarding in both families; succeeds when it is already gone. */
  void unforward(PortMapConf conf, String containerId) throws CniException;

  /**
   * {@link #unforward(PortMapConf, String)} as a step of a chain's DEL, which may complete it together with the
   * chain's other rule changes ({@link PluginContext#defer}). This default removes at once.
   */
  default void unforward(PortMapConf conf, String containerId, PluginContext ctx) throws CniException {
    unforward(conf, containerId);
  }
}
