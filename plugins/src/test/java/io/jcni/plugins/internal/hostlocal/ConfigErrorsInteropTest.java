package io.jcni.plugins.internal.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every configuration mistake of host-local, fed to Go's binary and to jcni: both must refuse with the same
 * message, and neither may leave an address file behind.
 */
@RequiresExecutable(HostLocalRunner.GO_BINARY)
class ConfigErrorsInteropTest {
  @TempDir Path tmp;

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("no ipam", "0.3.1", null, "", "IPAM config missing 'ipam' key"),
        Arguments.of("no ranges", "0.3.1", "", "", "no IP ranges specified"),
        Arguments.of("empty set", "0.3.1", "\"ranges\":[[]]", "", "invalid range set 0: empty range set"),
        Arguments.of("mixed families", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"},{\"subnet\":\"2001:db8::/64\"}]]", "",
            "invalid range set 0: mixed address families"),
        Arguments.of("overlap in set", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.0.0/22\"},{\"subnet\":\"10.1.2.0/24\"}]]", "",
            "invalid range set 0: subnets 10.1.0.1-10.1.3.254 and 10.1.2.1-10.1.2.254 overlap"),
        Arguments.of("overlapping sets", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.2.0/25\"}]]", "",
            "range set 0 overlaps with 1"),
        Arguments.of("legacy overlaps ranges", "0.3.1",
            "\"subnet\":\"10.1.2.0/24\",\"ranges\":[[{\"subnet\":\"10.1.3.0/24\"}],[{\"subnet\":\"10.1.2.128/25\"}]]",
            "", "range set 0 overlaps with 2"),
        Arguments.of("too small", "0.3.1", "\"ranges\":[[{\"subnet\":\"192.0.2.0/31\"}]]", "",
            "invalid range set 0: Network 192.0.2.0/31 too small to allocate from"),
        Arguments.of("too small v6", "0.3.1", "\"ranges\":[[{\"subnet\":\"2001:db8::/127\"}]]", "",
            "invalid range set 0: Network 2001:db8::/127 too small to allocate from"),
        Arguments.of("host bits v4", "0.3.1", "\"ranges\":[[{\"subnet\":\"192.168.127.0/23\"}]]", "",
            "invalid range set 0: Network has host bits set. For a subnet mask of length 23 the network address is"
                + " 192.168.126.0"),
        Arguments.of("host bits v6", "0.3.1", "\"ranges\":[[{\"subnet\":\"2001:DB8:24:19ff::/63\"}]]", "",
            "invalid range set 0: Network has host bits set. For a subnet mask of length 63 the network address is"
                + " 2001:db8:24:19fe::"),
        Arguments.of("start outside", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"192.0.2.0/24\",\"rangeStart\":\"192.0.3.0\"}]]", "",
            "invalid range set 0: RangeStart 192.0.3.0 not in network 192.0.2.0/24"),
        Arguments.of("end outside", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"192.0.2.0/24\",\"rangeEnd\":\"192.0.4.0\"}]]", "",
            "invalid range set 0: RangeEnd 192.0.4.0 not in network 192.0.2.0/24"),
        Arguments.of("start after end", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"192.0.2.0/24\",\"rangeStart\":\"192.0.2.50\",\"rangeEnd\":\"192.0.2.40\"}]]",
            "", null),
        Arguments.of("no subnet", "0.3.1", "\"ranges\":[[{\"rangeStart\":\"10.1.2.5\"}]]", "",
            "invalid range set 0: IP <nil> not v4 nor v6"),
        Arguments.of("bad cidr", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0\"}]]", "",
            "invalid CIDR address: 10.1.2.0"),
        Arguments.of("bad start", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\",\"rangeStart\":\"foo\"}]]",
            "", "invalid IP address: foo"),
        Arguments.of("two v4 in 0.2.0", "0.2.0",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.3.0/24\"}]]", "",
            "CNI version 0.2.0 does not support more than 1 address per family"),
        Arguments.of("unknown CNI_ARGS", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]", "FOO=bar;X=y",
            "ARGS: unknown args [\"FOO=bar\" \"X=y\"]"),
        Arguments.of("invalid pair", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]", "IP",
            "ARGS: invalid pair \"IP\""),
        Arguments.of("bad IP arg", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]", "IP=bad",
            "ARGS: error parsing value of pair \"IP=bad\": invalid IP address bad"),
        Arguments.of("gateway requested", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]", "IP=10.1.2.1",
            "failed to allocate for range 0: requested ip 10.1.2.1 is subnet's gateway"),
        Arguments.of("outside requested", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]", "IP=10.1.3.5",
            "failed to allocate all requested IPs: 10.1.3.5"),
        Arguments.of("below rangeStart requested", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\",\"rangeStart\":\"10.1.2.100\"}]]", "IP=10.1.2.5",
            "failed to allocate all requested IPs: 10.1.2.5"),
        Arguments.of("explicit gateway requested in v6 set", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"2001:db8:1::/64\",\"gateway\":\"2001:db8:1::99\"}]]",
            "IP=2001:db8:1::99", "failed to allocate for range 1: requested ip 2001:db8:1::99 is subnet's gateway"),
        Arguments.of("bad ip in args", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]},\"args\":{\"cni\":{\"ips\":[\"10.1.2.5/99\"]}", "",
            "invalid IP address 10.1.2.5/99"),
        Arguments.of("number in runtimeConfig ips", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]},\"runtimeConfig\":{\"ips\":[5]", "",
            "json: cannot unmarshal number into Go struct field .runtimeConfig.ips of type *ip.IP"),
        Arguments.of("string as runtimeConfig ips", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]},\"runtimeConfig\":{\"ips\":\"x\"", "",
            "json: cannot unmarshal string into Go struct field .runtimeConfig.ips of type []*ip.IP"),
        Arguments.of("number as subnet", "0.3.1", "\"ranges\":[[{\"subnet\":5}]]", "",
            "json: cannot unmarshal number into Go struct field Range.ipam.ranges.subnet of type string"),
        Arguments.of("number as rangeStart", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\",\"rangeStart\":5}]]",
            "", "json: cannot unmarshal number into Go struct field Range.ipam.ranges.rangeStart of type net.IP"),
        Arguments.of("bool as legacy gateway", "0.3.1", "\"subnet\":\"10.1.2.0/24\",\"gateway\":true", "",
            "json: cannot unmarshal bool into Go struct field IPAMConfig.ipam.gateway of type net.IP"),
        Arguments.of("number as args.cni", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]},\"args\":{\"cni\":5", "", null),
        Arguments.of("null after a bad dataDir", "0.3.1",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]],\"DataDir\":5,\"DATADIR\":null", "",
            "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.dataDir of type string"),
        Arguments.of("number as dataDir", "0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]],\"dataDir\":5", "",
            "json: cannot unmarshal number into Go struct field IPAMConfig.ipam.dataDir of type string"),
        Arguments.of("bad route dst", "1.0.0",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]],\"routes\":[{\"dst\":\"bad\"}]", "",
            "invalid CIDR address: bad"),
        Arguments.of("bad route gw", "1.0.0",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]],\"routes\":[{\"dst\":\"10.0.0.0/8\",\"gw\":\"x\"}]", "",
            "invalid IP address: x"),
        Arguments.of("routes not a list", "1.0.0",
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]],\"routes\":\"x\"", "",
            "json: cannot unmarshal string into Go struct field IPAMConfig.ipam.routes of type []*types.Route"),
        Arguments.of("case-insensitive keys", "0.3.1",
            "\"Ranges\":[[{\"SUBNET\":\"10.1.2.0/24\",\"RangeStart\":\"10.1.3.1\"}]]", "",
            "invalid range set 0: RangeStart 10.1.3.1 not in network 10.1.2.0/24"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sameRefusalAsGo(String what, String version, String ipamBody, String cniArgs, String expected)
      throws IOException {
    Path goDir = Files.createDirectories(tmp.resolve("go"));
    Path jDir = Files.createDirectories(tmp.resolve("jcni"));
    HostLocalRunner.Outcome go =
        HostLocalRunner.GO.run(Command.ADD, "dummy", "eth0", cniArgs, conf(version, ipamBody, goDir));
    HostLocalRunner.Outcome ours =
        HostLocalRunner.JCNI.run(Command.ADD, "dummy", "eth0", cniArgs, conf(version, ipamBody, jDir));
    assertFalse(go.ok(), "Go accepted it: " + go);
    assertFalse(ours.ok(), "jcni accepted it: " + ours);
    if (expected != null) {
      assertEquals(expected, go.msg(), "the expectation itself is checked against Go");
    }
    assertEquals(go.msg(), ours.msg());
    assertTrue(
        Set.of(ErrorCode.INVALID_NETWORK_CONFIG, ErrorCode.DECODING_FAILURE, ErrorCode.INCOMPATIBLE_CNI_VERSION,
                ErrorCode.INVALID_ENVIRONMENT_VARIABLES, ErrorCode.INTERNAL)
            .contains(ErrorCode.of(ours.code())),
        "code " + ours.code());
    assertEquals(Set.of(), addressFiles(jDir));
    assertEquals(Set.of(), addressFiles(goDir));
  }

  static String conf(String version, String ipamBody, Path dataDir) {
    String ipam =
        ipamBody == null
            ? ""
            : ",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\""
                + (ipamBody.isEmpty() ? "" : "," + ipamBody) + "}";
    return "{\"cniVersion\":\"" + version + "\",\"name\":\"mynet\",\"type\":\"bridge\"" + ipam + "}";
  }

  /** The address files (not lock, not last_reserved_ip.N) anywhere under {@code dataDir}. */
  static Set<String> addressFiles(Path dataDir) throws IOException {
    try (Stream<Path> s = Files.walk(dataDir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.equals("lock") && !n.startsWith("last_reserved_ip."))
          .collect(java.util.stream.Collectors.toSet());
    }
  }
}
