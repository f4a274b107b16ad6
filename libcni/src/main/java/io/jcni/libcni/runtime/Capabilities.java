package io.jcni.libcni.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The capability arguments of one attachment, built by name and shape as CNI's CONVENTIONS.md defines them; a
 * plugin that declares {@code "capabilities": {"<name>": true}} receives the value as {@code runtimeConfig.<name>}.
 *
 * <p>Build with {@link #builder()}; {@link Builder#custom} adds a capability the conventions do not define. Use
 * with {@link NetworkRequest#withCapabilities}.
 */
public final class Capabilities {
  /** No capability arguments. */
  public static final Capabilities NONE = new Capabilities(Map.of());

  private final Map<String, Object> values;

  private Capabilities(Map<String, Object> values) {
    this.values = values;
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The arguments by capability name, as JSON-shaped values (maps, lists, strings, numbers); unmodifiable. */
  public Map<String, Object> asMap() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Capabilities c && c.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }

  /**
   * A port to forward from the host into the sandbox ({@code portMappings}).
   *
   * @param hostPort the port on the host, 1–65535
   * @param containerPort the port in the sandbox, 1–65535
   * @param protocol {@code tcp}, {@code udp} or {@code sctp}
   * @param hostIp the host address to listen on, or "" for all
   */
  public record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {
    public PortMapping {
      port("hostPort", hostPort);
      port("containerPort", containerPort);
      protocol = Objects.requireNonNull(protocol, "protocol").toLowerCase(java.util.Locale.ROOT);
      hostIp = hostIp == null ? "" : hostIp;
    }

    private static void port(String field, int p) {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("portMappings: " + field + " " + p + " is not a port (1-65535)");
      }
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("hostPort", hostPort);
      m.put("containerPort", containerPort);
      m.put("protocol", protocol);
      if (!hostIp.isEmpty()) {
        m.put("hostIP", hostIp);
      }
      return m;
    }
  }

  /**
   * One range to allocate from ({@code ipRanges}); host-local's range syntax.
   *
   * @param subnet the subnet in CIDR notation (required)
   * @param rangeStart the first address to hand out, or ""
   * @param rangeEnd the last address to hand out, or ""
   * @param gateway the gateway, or ""
   */
  public record IpRange(String subnet, String rangeStart, String rangeEnd, String gateway) {
    public IpRange {
      Objects.requireNonNull(subnet, "subnet");
      rangeStart = rangeStart == null ? "" : rangeStart;
      rangeEnd = rangeEnd == null ? "" : rangeEnd;
      gateway = gateway == null ? "" : gateway;
    }

    /** A range covering the whole {@code subnet}. */
    public static IpRange of(String subnet) {
      return new IpRange(subnet, "", "", "");
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("subnet", subnet);
      putIfSet(m, "rangeStart", rangeStart);
      putIfSet(m, "rangeEnd", rangeEnd);
      putIfSet(m, "gateway", gateway);
      return m;
    }
  }

  /** Builds {@link Capabilities}; a later call for the same capability replaces the earlier value. */
  public static final class Builder {
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final List<Object> portMappings = new ArrayList<>();

    private Builder() {}

    /** Adds a port mapping ({@code portMappings}) on all host addresses. */
    public Builder portMapping(int hostPort, int containerPort, String protocol) {
      return portMapping(new PortMapping(hostPort, containerPort, protocol, ""));
    }

    /** Adds a port mapping ({@code portMappings}). */
    public Builder portMapping(PortMapping mapping) {
      portMappings.add(mapping.json());
      values.put("portMappings", List.copyOf(portMappings));
      return this;
    }

    /**
     * Traffic shaping ({@code bandwidth}): rates in bits per second, bursts in bits, 0 for no limit that way.
     */
    public Builder bandwidth(long ingressRate, long ingressBurst, long egressRate, long egressBurst) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ingressRate", ingressRate);
      m.put("ingressBurst", ingressBurst);
      m.put("egressRate", egressRate);
      m.put("egressBurst", egressBurst);
      return custom("bandwidth", m);
    }

    /** The ranges to allocate from ({@code ipRanges}), one set of ranges per address family or pool. */
    public Builder ipRanges(List<List<IpRange>> rangeSets) {
      List<Object> sets = new ArrayList<>();
      for (List<IpRange> set : rangeSets) {
        sets.add(set.stream().map(IpRange::json).toList());
      }
      return custom("ipRanges", sets);
    }

    /** Static addresses to assign ({@code ips}), each {@code "10.10.0.1/24"} or a bare address. */
    public Builder ips(List<String> addresses) {
      return custom("ips", List.copyOf(addresses));
    }

    /** The MAC address of the sandbox interface ({@code mac}), e.g. {@code "c2:11:22:33:44:55"}. */
    public Builder mac(String mac) {
      return custom("mac", Objects.requireNonNull(mac, "mac"));
    }

    /** The sandbox's resolver settings ({@code dns}: {@code servers}, {@code searches}, {@code options}). */
    public Builder dns(List<String> servers, List<String> searches, List<String> options) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("servers", List.copyOf(servers));
      m.put("searches", List.copyOf(searches));
      m.put("options", List.copyOf(options));
      return custom("dns", m);
    }

    /** Names the sandbox is known by on this network ({@code aliases}). */
    public Builder aliases(List<String> names) {
      return custom("aliases", List.copyOf(names));
    }

    /** The sandbox's cgroup ({@code cgroupPath}). */
    public Builder cgroupPath(String path) {
      return custom("cgroupPath", Objects.requireNonNull(path, "path"));
    }

    /** The InfiniBand GUID to give the interface ({@code infinibandGUID}), 8 bytes in hex. */
    public Builder infinibandGuid(String guid) {
      return custom("infinibandGUID", Objects.requireNonNull(guid, "guid"));
    }

    /** The device to hand to the sandbox ({@code deviceID}), e.g. a PCI address {@code "0000:04:00.5"}. */
    public Builder deviceId(String id) {
      return custom("deviceID", Objects.requireNonNull(id, "id"));
    }

    /**
     * A capability the conventions do not define, or one of theirs in a shape of the caller's own; {@code value}
     * must be JSON-shaped (maps, lists, strings, numbers, booleans).
     */
    public Builder custom(String name, Object value) {
      values.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The capabilities as set so far. */
    public Capabilities build() {
      return new Capabilities(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }
  }

  private static void putIfSet(Map<String, Object> m, String key, String v) {
    if (!v.isEmpty()) {
      m.put(key, v);
    }
  }
}
