package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad configurations and cached results are reported in CNI's terms: the message names the file or field and
 * never shows Java internals (class names, Jackson's type names or source locations).
 */
class BadInputTextTest {
  static final Pattern INTERNALS =
      Pattern.compile("com\\.fasterxml|java\\.|jackson|Exception|\\bat \\[Source|\\bline: \\d+, column");

  @TempDir Path tmp;

  static void assertCniWorded(CniException e, String... mustName) {
    String m = e.getMessage();
    assertFalse(INTERNALS.matcher(m).find(), "Java internals in: " + m);
    for (String s : mustName) {
      assertTrue(m.contains(s), "message does not name " + s + ": " + m);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "plugins is an object | {\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":{}} | plugins",
      "cniVersion is a number | {\"cniVersion\":1,\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\"}]} | cniVersion",
      "a plugin is a string | {\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[\"bridge\"]} | plugin",
      "capabilities is an array | {\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\",\"capabilities\":[]}]} | capabilities",
      "name is a number | {\"cniVersion\":\"1.0.0\",\"name\":5,\"plugins\":[{\"type\":\"bridge\"}]} | name",
      "disableCheck is a word | {\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"disableCheck\":\"maybe\",\"plugins\":[{\"type\":\"bridge\"}]} | disableCheck",
      "truncated | {\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\" | ''",
      "not an object | [1,2] | ''",
  })
  void aBadConflistFileIsNamedAndWordedInCniTerms(String what, String json, String field) throws Exception {
    Path file = tmp.resolve("10-bad.conflist");
    Files.writeString(file, json);
    CniException e = assertThrows(CniException.class, () -> ConfLoader.confListFromFile(file));
    assertCniWorded(e, field.isEmpty() ? new String[] {file.toString()} : new String[] {file.toString(), field});
  }

  @Test
  void aBadConflistInTheDirectoryIsNamedWhenLoadedByName() throws Exception {
    Files.writeString(tmp.resolve("10-bad.conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":{}}");
    CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(tmp, "n"));
    assertCniWorded(e, "10-bad.conflist");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "ips is a string | {\"cniVersion\":\"1.0.0\",\"ips\":\"10.1.2.3/24\"}",
      "address is a number | {\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":5}]}",
      "bad address | {\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.2.300/24\"}]}",
      "result is a string | \"nope\"",
  })
  void aBadCachedResultIsWordedInCniTermsOnCheckAndDel(String what, String result) throws Exception {
    Path cacheDir = tmp.resolve("cache");
    CniConfig cni = CniConfig.builder().path(List.of(TestBin.dir().toString())).cacheDir(cacheDir).build();
    NetworkConfigList list = ConfLoader.confListFromBytes(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"bad-cache\",\"plugins\":[{\"type\":\"noop\"}]}"
            .getBytes(StandardCharsets.UTF_8));
    Path netns = Files.createFile(tmp.resolve("netns"));
    RuntimeConf rt = new RuntimeConf("ctr", netns.toString(), "eth0", List.of(), Map.of(), null);
    Path cached = cacheDir.resolve("results").resolve("bad-cache-ctr-eth0");
    Files.createDirectories(cached.getParent());
    Files.writeString(cached, "{\"kind\":\"cniCacheV1\",\"containerId\":\"ctr\",\"ifName\":\"eth0\","
        + "\"networkName\":\"bad-cache\",\"config\":\"e30=\",\"cniArgs\":[],\"result\":" + result + "}");
    CniException check = assertThrows(CniException.class, () -> cni.checkNetworkList(list, rt));
    assertCniWorded(check, "bad-cache");
    CniException get = assertThrows(CniException.class, () -> cni.getNetworkListCachedResult(list, rt));
    assertCniWorded(get);
  }
}
