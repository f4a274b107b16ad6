package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Result;
import io.jcni.libcni.types.Results;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The portmap plugin's network configuration, read and checked as Go's {@code parseConfig} does: the options with
 * their defaults, the port mappings of {@code runtimeConfig}, the prevResult and the container addresses taken
 * from it (the first of each family on CNI_IFNAME's sandbox interface).
 *
 * @param cniVersion the configuration's version
 * @param name the network name
 * @param backend {@code iptables} or {@code nftables}
 * @param snat masquerade hairpin and localhost traffic (default true)
 * @param conditionsV4 extra match words of the IPv4 entry rules, null when not given
 * @param conditionsV6 extra match words of the IPv6 entry rules, null when not given
 * @param masqAll mark traffic from any source, not just the container's own network, for masquerade
 * @param markMasqBit the mark bit that asks for masquerade (default 13)
 * @param externalSetMarkChain a chain of the runtime's that sets the masquerade mark, or null for jcni's own
 * @param mappings {@code runtimeConfig.portMappings}
 * @param prevResult the previous result as parsed (in its own version), or null
 * @param containerV4 the container's IPv4 address, or null
 * @param containerV6 the container's IPv6 address, or null
 */
public record PortMapConf(
    String cniVersion,
    String name,
    String backend,
    boolean snat,
    List<String> conditionsV4,
    List<String> conditionsV6,
    boolean masqAll,
    int markMasqBit,
    String externalSetMarkChain,
    List<PortMapping> mappings,
    Result prevResult,
    IpNet containerV4,
    IpNet containerV6) {

  static final String IPTABLES = "iptables";
  static final String NFTABLES = "nftables";
  /** Kubernetes uses bits 14 and 15, Calico 20-31. */
  static final int DEFAULT_MARK_BIT = 13;

  public PortMapConf {
    conditionsV4 = conditionsV4 == null ? null : List.copyOf(conditionsV4);
    conditionsV6 = conditionsV6 == null ? null : List.copyOf(conditionsV6);
    mappings = List.copyOf(mappings);
  }

  /**
   * Parses the stdin bytes of an invocation for interface {@code ifName}, iptables being the backend when none is
   * named; errors carry Go's texts.
   */
  public static PortMapConf parse(byte[] stdin, String ifName) throws CniException {
    return parse(stdin, ifName, () -> IPTABLES);
  }

  /** {@link #parse(byte[], String)} with {@code defaultBackend} asked for the backend when none is named. */
  static PortMapConf parse(byte[] stdin, String ifName, Supplier<String> defaultBackend) throws CniException {
    JsonFields n;
    try {
      n = JsonFields.parse(stdin, "main.PortMapConf", "PortMapConf");
      return read(n, ifName, defaultBackend);
    } catch (CniException e) {
      throw e.errorCode() == ErrorCode.DECODING_FAILURE && !e.getMessage().startsWith("could not")
          ? e.withPrefix("failed to parse network configuration: ") : e;
    }
  }

  private static PortMapConf read(JsonFields n, String ifName, Supplier<String> defaultBackend)
      throws CniException {
    String cniVersion = n.string("cniVersion");
    String name = n.string("name");
    String backend = n.string("backend", null);
    boolean snat = !n.has("snat") || n.bool("snat");
    List<String> condV4 = n.has("conditionsV4") ? n.strings("conditionsV4") : null;
    List<String> condV6 = n.has("conditionsV6") ? n.strings("conditionsV6") : null;
    boolean masqAll = n.bool("masqAll");
    Integer markBit = n.integer("markMasqBit");
    String externalChain = n.string("externalSetMarkChain", null);
    JsonFields rc = n.fields("runtimeConfig", "struct { PortMaps []main.PortMapEntry \"json:\\\"portMappings,omitempty\\\"\" }", "");
    List<PortMapping> mappings = new ArrayList<>();
    for (var e : rc.array("portMappings", "[]main.PortMapEntry")) {
      if (e.isNull()) {
        mappings.add(new PortMapping(0, 0, "", ""));
        continue;
      }
      mappings.add(PortMapping.read(rc.element(e, "portMappings", "main.PortMapEntry", "PortMapEntry")));
    }

    Result prev = Results.parsePrevResult(n.object("prevResult", "map[string]interface {}"), cniVersion);
    Result100 current = null;
    if (prev != null) {
      try {
        current = (Result100) prev.convertTo(Result100.IMPLEMENTED);
      } catch (CniException e) {
        throw e.withPrefix("could not convert result to current version: ");
      }
    }

    if (markBit != null && externalChain != null) {
      throw invalid("Cannot specify externalSetMarkChain and markMasqBit");
    }
    int bit = markBit == null ? DEFAULT_MARK_BIT : markBit;
    if (bit < 0 || bit > 31) {
      throw invalid("MasqMarkBit must be between 0 and 31");
    }
    backend = backendFor(backend, defaultBackend, externalChain, condV4, condV6);
    for (PortMapping m : mappings) {
      if (m.containerPort() <= 0) {
        throw invalid("Invalid container port number: " + m.containerPort());
      }
      if (m.hostPort() <= 0) {
        throw invalid("Invalid host port number: " + m.hostPort());
      }
    }

    IpNet v4 = null;
    IpNet v6 = null;
    if (current != null) {
      for (IpConfig ip : current.ips()) {
        boolean isV4 = ip.address().isIpv4();
        if ((isV4 && v4 != null) || (!isV4 && v6 != null) || !onSandbox(ip, current.interfaces(), ifName)) {
          continue;
        }
        if (isV4) {
          v4 = ip.address();
        } else {
          v6 = ip.address();
        }
      }
    }
    return new PortMapConf(cniVersion, name, backend, snat, condV4, condV6, masqAll, bit, externalChain, mappings,
        prev, v4, v6);
  }

  /** Go skips addresses of known interfaces other than CNI_IFNAME's sandbox interface. */
  private static boolean onSandbox(IpConfig ip, List<Interface> interfaces, String ifName) {
    Integer idx = ip.interfaceIndex();
    if (idx == null || idx < 0 || idx >= interfaces.size()) {
      return true;
    }
    Interface i = interfaces.get(idx);
    return i.name().equals(ifName) && !i.sandbox().isEmpty();
  }

  /**
   * The backend to use: the requested one (else the default) when no option of the other backend is set. Which
   * backend a condition list is for is told by its first word: iptables conditions start with {@code -} or
   * {@code !}.
   */
  private static String backendFor(String requested, Supplier<String> defaultBackend, String externalChain,
      List<String> condV4, List<String> condV6) throws CniException {
    List<String> forIptables = new ArrayList<>();
    List<String> forNftables = new ArrayList<>();
    if (externalChain != null) {
      forIptables.add("externalSetMarkChain");
    }
    String b4 = backendOf(condV4);
    if (b4 != null) {
      (b4.equals(IPTABLES) ? forIptables : forNftables).add("conditionsV4");
    }
    String b6 = backendOf(condV6);
    if (b6 != null) {
      (b6.equals(IPTABLES) ? forIptables : forNftables).add("conditionsV6");
    }
    String backend = requested == null ? defaultBackend.get() : requested;
    List<String> wrong = backend.equals(IPTABLES) ? forNftables : forIptables;
    String wrongName = backend.equals(IPTABLES) ? NFTABLES : IPTABLES;
    if (!wrong.isEmpty()) {
      throw invalid(backend + " backend was requested but configuration contains " + wrongName
          + "-specific options [" + String.join(" ", wrong) + "]");
    }
    if (!backend.equals(IPTABLES) && !backend.equals(NFTABLES)) {
      throw invalid("unrecognized backend \"" + backend + "\"");
    }
    return backend;
  }

  private static String backendOf(List<String> conditions) {
    if (conditions == null || conditions.isEmpty() || conditions.get(0).isEmpty()) {
      return null;
    }
    char c = conditions.get(0).charAt(0);
    return c == '-' || c == '!' ? IPTABLES : NFTABLES;
  }

  private static CniException invalid(String msg) {
    return new CniException(ErrorCode.INVALID_NETWORK_CONFIG, msg);
  }

  /** The extra match words for entry rules of the given family; empty when none. */
  List<String> conditions(boolean v6) {
    List<String> c = v6 ? conditionsV6 : conditionsV4;
    return c == null ? List.of() : c;
  }
}
