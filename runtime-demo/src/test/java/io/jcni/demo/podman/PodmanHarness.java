package io.jcni.demo.podman;

import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.io.InputStream;
import java.io.File;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Podman installation for tests: Podman with its CNI backend, its own configuration, storage, image and
 * CNI network, run inside a throw-away network namespace that stands in for the host, so the bridge, the veths'
 * host ends and every iptables rule the plugins make live there and nowhere else.
 *
 * <p>Nothing is pulled: the only image is a root filesystem made of {@code /bin/busybox} (busybox-static), imported
 * with {@code podman import}. Containers run under runc through {@code runtime-without-rlimits.sh}. Closing the
 * harness removes every container, the storage, the namespace (with the bridge and rules in it) and the CNI cache
 * files of its network, and its run root (a {@code /run/jtpod-*} directory of its own: Podman's limit on its length
 * rules out one under the directory). What Podman keeps outside the directory: the CNI result cache (Podman always uses
 * {@code /var/lib/cni/results}), the containers' namespace mounts under {@code /run/netns} (both removed by
 * {@code podman rm}), and the image blob-info cache in {@code /var/lib/containers/cache}.
 *
 * <p>Needs Debian's podman, runc, conmon, busybox-static and jq (the runtime wrapper edits the bundle with it).
 */
public final class PodmanHarness implements AutoCloseable {
  /** The image every test container runs: busybox on an otherwise empty root filesystem. */
  public static final String IMAGE = "localhost/jt-busybox:latest";
  /** Where Podman's CNI backend keeps the result cache (libcni's default; Podman offers no setting). */
  public static final Path CNI_CACHE = Path.of("/var/lib/cni/results");

  /**
   * Where the harnesses' run roots go: Podman refuses a {@code --runroot} over 50 characters, and the cleanup that
   * conmon runs when a container exits ({@code podman container cleanup}) is given the run root that way, so a run
   * root under a long temporary directory makes every cleanup fail and Podman wait its 20 s for it.
   */
  private static final Path RUN_ROOTS = Path.of("/run");
  /** Podman's limit on the length of the run root. */
  private static final int RUN_ROOT_MAX = 50;
  private static final long TIMEOUT_SECONDS = 60;
  private static final List<String> APPLETS = List.of("sh", "nc", "cat", "echo", "sleep", "true", "ip", "hostname");

  private final Path dir;
  private final Path runRoot;
  private final Path pluginDir;
  private final PodmanNetwork network;
  private final TestNetns host;
  private final Map<String, String> env;

  private PodmanHarness(Path dir, Path runRoot, Path pluginDir, PodmanNetwork network, TestNetns host) {
    this.dir = dir;
    this.runRoot = runRoot;
    this.pluginDir = pluginDir;
    this.network = network;
    this.host = host;
    this.env = Map.of(
        "CONTAINERS_CONF", dir.resolve("containers.conf").toString(),
        "CONTAINERS_STORAGE_CONF", dir.resolve("storage.conf").toString(),
        "CONTAINERS_REGISTRIES_CONF", dir.resolve("registries.conf").toString(),
        "TMPDIR", dir.resolve("tmp").toString());
  }

  /**
   * Sets up Podman in {@code dir} (which it owns from now on) with the CNI plugins of {@code pluginDir}, and imports
   * {@link #IMAGE}. On failure everything made so far is removed again.
   */
  public static PodmanHarness start(Path dir, Path pluginDir) throws IOException {
    TestNetns host = TestNetns.createWithLoopback("podhost");
    Path runRoot;
    try {
      runRoot = Files.createTempDirectory(RUN_ROOTS, "jtpod-");
    } catch (IOException e) {
      host.close();
      throw e;
    }
    PodmanHarness h = new PodmanHarness(dir, runRoot, pluginDir, PodmanNetwork.random(dir.resolve("ipam")), host);
    try {
      h.writeConfiguration();
      h.importImage();
      return h;
    } catch (IOException | RuntimeException e) {
      try {
        h.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The CNI network every container joins unless told otherwise. */
  public PodmanNetwork network() {
    return network;
  }

  /** The namespace standing in for the host: Podman, the bridge and the iptables rules live in it. */
  public TestNetns host() {
    return host;
  }

  /** The directory Podman execs CNI plugins from. */
  public Path pluginDir() {
    return pluginDir;
  }

  /** Runs {@code podman ARGS…} in the host namespace and returns stdout; throws with stderr on a non-zero exit. */
  public String podman(String... args) throws IOException {
    Outcome o = podmanOutcome(args);
    if (o.exit() != 0) {
      throw new IOException("podman " + String.join(" ", args) + " exited " + o.exit() + ": " + o.err());
    }
    return o.out();
  }

  /** Runs {@code podman ARGS…} in the host namespace and returns how it ended, whatever the exit code. */
  public Outcome podmanOutcome(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + host.path(), "podman"));
    cmd.addAll(List.of(args));
    return exec(cmd, env);
  }

  /** The IPv4 address Podman reports for {@code container} on {@link #network()}. */
  public String addressOf(String container) throws IOException {
    return podman("inspect", "--format",
        "{{(index .NetworkSettings.Networks \"" + network.name() + "\").IPAddress}}", container).strip();
  }

  private void writeConfiguration() throws IOException {
    if (runRoot.toString().length() > RUN_ROOT_MAX) {
      throw new IOException("run root " + runRoot + " is longer than Podman's " + RUN_ROOT_MAX + " characters");
    }
    for (String d : List.of("net.d", "storage", "tmp", "runc", "ipam", "rootfs/bin")) {
      Files.createDirectories(dir.resolve(d));
    }
    Path runtime = dir.resolve("runtime-without-rlimits.sh");
    Files.writeString(runtime, resource("runtime-without-rlimits.sh").replace("@RUNC_ROOT@", dir.resolve("runc").toString()));
    Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(dir.resolve("containers.conf"), """
        [containers]
        netns = "bridge"

        [network]
        network_backend = "cni"
        cni_plugin_dirs = ["%s"]
        network_config_dir = "%s"
        default_network = "%s"

        [engine]
        cgroup_manager = "cgroupfs"
        events_logger = "none"
        pull_policy = "never"
        runtime = "jt"
        tmp_dir = "%s"

        [engine.runtimes]
        jt = ["%s"]
        """.formatted(pluginDir, dir.resolve("net.d"), network.name(), dir.resolve("tmp"), runtime));
    Files.writeString(dir.resolve("storage.conf"), """
        [storage]
        driver = "vfs"
        graphroot = "%s"
        runroot = "%s"
        """.formatted(dir.resolve("storage"), runRoot));
    // No registry to search and pull_policy "never": a missing image fails at once instead of reaching out.
    Files.writeString(dir.resolve("registries.conf"), "unqualified-search-registries = []\n");
    Files.writeString(dir.resolve("net.d").resolve(network.name() + ".conflist"), network.conflist());
  }

  private void importImage() throws IOException {
    Path busybox = Path.of("/bin/busybox");
    if (!StaticElf.isStatic(busybox)) {
      throw new IOException(busybox + " is dynamically linked, so it cannot run alone in the image: install busybox-static");
    }
    Path bin = dir.resolve("rootfs/bin");
    Files.copy(busybox, bin.resolve("busybox"));
    for (String applet : APPLETS) {
      Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
    }
    Path tar = dir.resolve("rootfs.tar");
    exec(List.of("tar", "-C", dir.resolve("rootfs").toString(), "-cf", tar.toString(), "."), Map.of()).orThrow();
    podman("import", "--quiet", "--change", "CMD=/bin/sh", tar.toString(), IMAGE);
  }

  /**
   * Removes every container and the network namespace (with the bridge, the veths' host ends and the rules in it),
   * the CNI cache files of the network, and the directory; goes on past failures and throws the first at the end.
   */
  @Override
  public void close() throws IOException {
    List<IOException> failures = new ArrayList<>();
    attempt(failures, () -> podman("rm", "--all", "--force", "--time", "0"));
    attempt(failures, this::unmountUnderDir);
    attempt(failures, host::close);
    attempt(failures, this::deleteCacheFiles);
    attempt(failures, () -> deleteTree(runRoot));
    attempt(failures, () -> deleteTree(dir));
    if (!failures.isEmpty()) {
      IOException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  private void unmountUnderDir() throws IOException {
    // A container whose removal failed may keep its shm mount under storage/; the tree cannot be deleted then.
    List<String> mounts;
    try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
      mounts = lines.map(l -> l.split(" ")[4]).filter(m -> m.startsWith(dir + "/") || m.startsWith(runRoot + "/"))
          .sorted(Comparator.reverseOrder()).toList();
    }
    for (String m : mounts) {
      exec(List.of("umount", "-l", m), Map.of());
    }
  }

  private void deleteCacheFiles() throws IOException {
    if (!Files.isDirectory(CNI_CACHE)) {
      return;
    }
    try (Stream<Path> s = Files.list(CNI_CACHE)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(network.name() + "-")).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One cleanup step of {@link #close()}. */
  private interface Step {
    void run() throws IOException;
  }

  private static void attempt(List<IOException> failures, Step step) {
    try {
      step.run();
    } catch (IOException e) {
      failures.add(e);
    } catch (UncheckedIOException e) {
      failures.add(e.getCause());
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = PodmanHarness.class.getResourceAsStream("/podman/" + name)) {
      if (in == null) {
        throw new IOException("test resource /podman/" + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** How a command ended: its exit code (-1 when it was killed at the time limit) and what it printed. */
  public record Outcome(int exit, String out, String err) {
    /** This outcome, or an exception with stderr when the exit code is not 0. */
    public Outcome orThrow() throws IOException {
      if (exit != 0) {
        throw new IOException("exited " + exit + ": " + err);
      }
      return this;
    }
  }

  /**
   * Runs {@code cmd} (an argument vector, no shell) with {@code extraEnv}, killing it after the time limit. Output
   * goes through files, not pipes: a daemon the command leaves behind (conmon) must not keep a reader waiting.
   */
  static Outcome exec(List<String> cmd, Map<String, String> extraEnv) throws IOException {
    Path out = Files.createTempFile("jt-podman-", ".out");
    Path err = Files.createTempFile("jt-podman-", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().putAll(extraEnv);
      Process p = pb.start();
      boolean done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly().waitFor();
      }
      return new Outcome(done ? p.exitValue() : -1, Files.readString(out), Files.readString(err));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", cmd) + " interrupted", e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
