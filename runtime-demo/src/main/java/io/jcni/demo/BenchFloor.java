package io.jcni.demo;

import com.google.common.net.InetAddresses;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.attach.InterfaceNames;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.Route;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.VethSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The kernel floor of a pod ({@code jcni bench --floor}): the kernel requests of the bridge plugin's ADD for one
 * pod, issued back to back from one thread through {@link RtNetlink} and nothing else. Open a socket in the pod's
 * namespace, create the veth there with its peer in the host, master and up on the host, address, up and default
 * route in the pod. An ADD also runs IPAM, the result cache and the sysctls; its p50 over the floor's is what those
 * and the plugin's own code cost.
 *
 * <p>It runs after the measured passes, in the same process and so on the JIT they warmed, when the measured pods
 * are detached: first {@code warmup} pods not timed, then a wait for the JIT ({@link BenchJit}), then {@code pods}
 * pods timed one by one. Every pod gets a fresh namespace, {@code <prefix>f<i>} ({@code <prefix>fw<i>} warming up),
 * made beforehand and registered with the {@link BenchTeardown}, which removes what is left on failure or Ctrl-C.
 * Deleting a namespace takes the pod's veth pair with it, which the kernel does later; each round waits for that.
 * Pod {@code i} is a port of the bench's bridge {@code i mod n}, as the measured pods were, with that bridge's
 * gateway, and has an address from the top of the bridge's part of the subnet, which host-local (handing out
 * addresses upwards from the bottom) reaches last; an address host-local still reserves is passed over.
 */
final class BenchFloor {
  /** How long the host ends of a round may take to go after their namespaces are deleted: this plus per pod. */
  private static final long CLEANUP_NANOS = 10_000_000_000L;
  private static final long CLEANUP_NANOS_PER_POD = 2_000_000L;

  private final BenchSite site;
  private final int pods;
  private final int warmup;
  private final BenchTeardown teardown;
  private final BenchProgress progress;
  private Consumer<List<String>> onWired = names -> {};

  /** The floor of a run on {@code site} with {@code pods} measured and {@code warmup} warm-up pods. */
  BenchFloor(BenchSite site, int pods, int warmup, BenchTeardown teardown, BenchProgress progress) {
    this.site = site;
    this.pods = pods;
    this.warmup = warmup;
    this.teardown = teardown;
    this.progress = progress;
  }

  /** Lets a caller look at the timed pods' namespaces while they are wired, before they are deleted. */
  BenchFloor onWired(Consumer<List<String>> observer) {
    this.onWired = observer;
    return this;
  }

  /**
   * Measures the floor, adding what went wrong to {@code problems}.
   *
   * @return the figures, or null when the floor could not start (a bridge of the bench is gone) or was stopped
   */
  BenchReport.Floor run(List<String> problems) throws InterruptedException {
    List<String> bridges = site.bridges(pods);
    try (RtNetlink host = RtNetlink.openCurrent(); NetNs hostNs = NetNs.current()) {
      int[] bridgeIndex = new int[bridges.size()];
      for (int k = 0; k < bridges.size(); k++) {
        Optional<Link> bridge = host.findLink(bridges.get(k));
        if (bridge.isEmpty()) {
          problems.add("floor: bridge " + bridges.get(k) + " does not exist, so the floor was not measured");
          return null;
        }
        bridgeIndex[k] = bridge.get().index();
      }
      Phase warm = new Phase("floor warm-up", "fw", warmup, host, hostNs, bridgeIndex);
      warm.run(false, problems);
      if (teardown.stopping()) {
        return null;
      }
      BenchReport.Floor floor = new Phase("floor", "f", pods, host, hostNs, bridgeIndex).run(true, problems);
      return teardown.stopping() ? null : floor;
    } catch (IOException e) {
      problems.add("floor: " + e.getMessage());
      return null;
    }
  }

  /** One round of floor pods: namespaces made, pods wired one by one, then the namespaces deleted. */
  private final class Phase {
    private final String label;
    private final int count;
    private final RtNetlink host;
    private final NetNs hostNs;
    private final int[] bridgeIndex;
    private final List<String> names = new ArrayList<>();
    private final List<String> hostEnds = new ArrayList<>();
    private final BenchRunner.Errors errors = new BenchRunner.Errors();

    Phase(String label, String tag, int count, RtNetlink host, NetNs hostNs, int[] bridgeIndex) {
      this.label = label;
      this.count = count;
      this.host = host;
      this.hostNs = hostNs;
      this.bridgeIndex = bridgeIndex;
      for (int i = 0; i < count; i++) {
        names.add(site.netnsPrefix() + tag + i);
        hostEnds.add(InterfaceNames.randomVeth());
      }
    }

    /** Runs the round; with {@code timed}, waits for the JIT first and returns the figures, else null. */
    BenchReport.Floor run(boolean timed, List<String> problems) throws InterruptedException, IOException {
      List<IpNet> addresses = addresses(count);
      List<InetAddress> gateways = site.subnets(pods).stream().map(BenchFloor::gateway).toList();
      boolean[] made = new boolean[count];
      for (int i = 0; i < count && teardown.begin(); i++) {
        try {
          NetNs.create(names.get(i)).close();
          teardown.namespaceCreated(names.get(i));
          made[i] = true;
        } catch (IOException | RuntimeException e) {
          errors.add("floor create namespace #" + i + ": " + e.getMessage());
        } finally {
          teardown.end();
        }
        progress.show(label + " namespaces", i + 1, count);
      }
      long jitWait = timed ? BenchJit.settle() : 0;
      long[] nanos = new long[count];
      Arrays.fill(nanos, -1);
      long cpu = BenchCpu.nanos();
      for (int i = 0; i < count; i++) {
        if (!made[i]) {
          continue;
        }
        if (!teardown.begin()) {
          break;
        }
        int k = i % bridgeIndex.length;
        try (NetNs pod = NetNs.open(NetNs.pathOf(names.get(i)))) {
          long t0 = System.nanoTime();
          wire(pod, hostEnds.get(i), bridgeIndex[k], addresses.get(i), gateways.get(k));
          nanos[i] = System.nanoTime() - t0;
        } catch (IOException | RuntimeException e) {
          errors.add("floor pod #" + i + ": " + e.getMessage());
        } finally {
          teardown.end();
        }
        progress.show(label, i + 1, count);
      }
      long cpuEnd = BenchCpu.nanos();
      if (timed) {
        List<String> wired = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          if (nanos[i] >= 0) {
            wired.add(names.get(i));
          }
        }
        onWired.accept(List.copyOf(wired));
      }
      for (int i = 0; i < count; i++) {
        if (!made[i]) {
          continue;
        }
        if (!teardown.begin()) {
          break; // the teardown deletes the rest
        }
        try {
          NetNs.delete(names.get(i));
          teardown.namespaceDeleted(names.get(i));
        } catch (IOException | RuntimeException e) {
          errors.add("floor delete namespace #" + i + ": " + e.getMessage());
        } finally {
          teardown.end();
        }
      }
      if (!teardown.stopping()) {
        awaitHostEndsGone();
      }
      progress.done();
      problems.addAll(errors.kept());
      if (errors.count() > errors.kept().size()) {
        problems.add(label + ": " + (errors.count() - errors.kept().size()) + " more failed operation(s)");
      }
      if (!timed) {
        return null;
      }
      long[] ok = Arrays.stream(nanos).filter(n -> n >= 0).toArray();
      double cpuMs = cpu < 0 || cpuEnd < 0 || ok.length == 0 ? Double.NaN : (cpuEnd - cpu) / 1e6 / ok.length;
      return new BenchReport.Floor(count, ok.length, BenchStats.percentileMs(ok, 50), BenchStats.percentileMs(ok, 99),
          cpuMs, jitWait / 1e6);
    }

    /**
     * Waits until the host ends of this round are gone, counting those that outlive the wait as errors. The kernel
     * dismantles a deleted namespace, and the veth pair in it, later and in batches (cleanup_net, under the lock
     * every link change takes): waiting lets the timed round start on a quiet kernel, and checks that nothing of
     * the floor is left.
     */
    private void awaitHostEndsGone() throws IOException, InterruptedException {
      long deadline = System.nanoTime() + CLEANUP_NANOS + count * CLEANUP_NANOS_PER_POD;
      Set<String> left = new HashSet<>(hostEnds);
      while (true) {
        Set<String> present = new HashSet<>();
        for (Link l : host.links()) {
          present.add(l.name());
        }
        left.retainAll(present);
        progress.show(label + " cleanup", count - left.size(), count);
        if (left.isEmpty() || System.nanoTime() > deadline) {
          break;
        }
        Thread.sleep(10);
      }
      for (String l : left) {
        errors.add("floor: host veth " + l + " still exists after its namespace was deleted");
      }
    }

    /** Scenario P for one pod: what the bridge plugin asks of the kernel, through one socket in each namespace. */
    private void wire(NetNs pod, String hostEnd, int bridge, IpNet address, InetAddress gateway)
        throws IOException {
      try (RtNetlink rt = RtNetlink.open(pod)) {
        Link eth0 = rt.createVeth(VethSpec.of("eth0", hostEnd).withPeerIn(hostNs));
        host.setMaster(hostEnd, bridge);
        host.setUp(hostEnd);
        rt.addAddress(eth0.index(), address, Set.of());
        rt.setUp("eth0");
        rt.addRoute(Route.of(Family.IPV4.wholeSpace(), gateway, eth0.index()));
      }
    }
  }

  /**
   * The addresses of {@code count} floor pods, pod {@code i} on bridge {@code i mod n}: each bridge's from the top
   * of its part of the subnet down, past those host-local reserves (a pod whose DEL failed).
   */
  private List<IpNet> addresses(int count) throws IOException {
    List<String> subnets = site.subnets(pods);
    int n = subnets.size();
    long[] next = new long[n];
    long[] low = new long[n];
    int[] len = new int[n];
    for (int k = 0; k < n; k++) {
      String s = subnets.get(k);
      len[k] = Integer.parseInt(s.substring(s.indexOf('/') + 1));
      long base = network(s);
      low[k] = base + 1; // the gateway
      next[k] = base + (1L << (32 - len[k])) - 2; // below the broadcast address
    }
    Path store = site.dataDir().resolve(site.network());
    List<IpNet> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int k = i % n;
      while (next[k] > low[k] && Files.exists(store.resolve(address(next[k]).getHostAddress()))) {
        next[k]--;
      }
      if (next[k] <= low[k]) {
        throw new IOException("no address left for the floor's pods in " + subnets.get(k));
      }
      out.add(IpNet.of(address(next[k]), len[k]));
      next[k]--;
    }
    return out;
  }

  /** The gateway of a bridge's subnet: its first address, which the bridge plugin gives the bridge. */
  private static InetAddress gateway(String subnet) {
    return address(network(subnet) + 1);
  }

  private static InetAddress address(long v) {
    return InetAddresses.fromInteger((int) v);
  }

  private static long network(String subnet) {
    return InetAddresses.coerceToInteger(InetAddresses.forString(subnet.substring(0, subnet.indexOf('/'))))
        & 0xffffffffL;
  }
}
