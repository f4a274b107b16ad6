package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.NetworkConfigList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a bench run spreads its pods over bridges: a Linux bridge takes at most 1023 ports. */
class BenchSiteTest {
  private final BenchSite site = BenchSite.defaults();

  @Test
  void upToAThousandPodsShareOneBridgeAndTheWholeSubnet() throws Exception {
    assertEquals(List.of("jcnib0"), site.bridges(1000));
    List<NetworkConfigList> lists = site.conflists(false, 1000);
    assertEquals(1, lists.size());
    assertEquals(List.of("jcnib0 10.239.0.0/16"), describe(lists));
  }

  @Test
  void moreGetABridgeAndAnEqualPartOfTheSubnetPerThousand() throws Exception {
    assertEquals(List.of("jcnib0", "jcnib0-1"), site.bridges(2000));
    assertEquals(List.of("jcnib0 10.239.0.0/17", "jcnib0-1 10.239.128.0/17"), describe(site.conflists(false, 2000)));
    assertEquals(List.of("jcnib0 10.239.0.0/18", "jcnib0-1 10.239.64.0/18", "jcnib0-2 10.239.128.0/18"),
        describe(site.conflists(false, 2001 + 999)));
  }

  private static List<String> describe(List<NetworkConfigList> lists) throws Exception {
    ObjectMapper m = new ObjectMapper();
    return lists.stream().map(l -> {
      try {
        JsonNode p = m.readTree(l.bytes()).get("plugins").get(0);
        return p.get("bridge").asText() + " " + p.get("ipam").get("ranges").get(0).get(0).get("subnet").asText();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).toList();
  }
}
