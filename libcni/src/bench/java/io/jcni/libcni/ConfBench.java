package io.jcni.libcni;

import io.jcni.libcni.types.Result;
import io.jcni.libcni.types.Results;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints how long config loading and result parse/convert/print take; not a test (no timing is asserted).
 * Run: {@code java -cp libcni/target/test-classes:libcni/target/classes:<deps> io.jcni.libcni.ConfBench}.
 */
public final class ConfBench {
  private ConfBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("jt-confbench");
    try {
      for (int i = 0; i < 20; i++) {
        Files.writeString(dir.resolve(String.format("%02d-net%d.conflist", i, i)), """
            {"cniVersion":"1.0.0","cniVersions":["0.4.0","1.0.0","1.1.0"],"name":"net%d","plugins":[
              {"type":"bridge","bridge":"cni%d","isGateway":true,"ipMasq":true,
               "ipam":{"type":"host-local","ranges":[[{"subnet":"10.2%02d.0.0/16"}]],"routes":[{"dst":"0.0.0.0/0"}]}},
              {"type":"portmap","capabilities":{"portMappings":true}},
              {"type":"firewall"},{"type":"tuning"}]}""".formatted(i, i, i));
      }
      byte[] result = """
          {"cniVersion":"1.0.0","interfaces":[{"name":"cni0","mac":"aa:bb:cc:dd:ee:01"},
           {"name":"veth1a2b3c4d","mac":"aa:bb:cc:dd:ee:02"},
           {"name":"eth0","mac":"aa:bb:cc:dd:ee:03","sandbox":"/var/run/netns/x"}],
           "ips":[{"interface":2,"address":"10.200.2.2/24","gateway":"10.200.2.1"},
                  {"interface":2,"address":"2001:db8:1::2/64","gateway":"2001:db8:1::1"}],
           "routes":[{"dst":"0.0.0.0/0","gw":"10.200.2.1"},{"dst":"::/0"}],
           "dns":{"nameservers":["10.200.2.1"],"search":["example.test"]}}""".getBytes(StandardCharsets.UTF_8);

      run("loadConfList(last of 20 conflists)", 2_000, () -> {
        NetworkConfigList l = ConfLoader.loadConfList(dir, "net19");
        return l.plugins().size();
      });
      run("Results.parse(1.0.0 bridge result)", 200_000, () -> Results.parse(result).cniVersion().length());
      Result r = Results.parse(result);
      run("convertTo(0.2.0) + toJson", 200_000, () -> r.convertTo("0.2.0").toJson().length);
      run("toPrettyJson (1.0.0)", 200_000, () -> r.toPrettyJson().length);
    } finally {
      try (var s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  interface Op {
    int run() throws Exception;
  }

  private static void run(String name, int n, Op op) throws Exception {
    long sink = 0;
    for (int i = 0; i < n / 4; i++) {
      sink += op.run();
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      sink += op.run();
    }
    long ns = System.nanoTime() - t0;
    System.out.printf("%-40s %10.2f us/op  (%d ops, sink %d)%n", name, ns / 1000.0 / n, n, sink % 7);
  }
}
