#!/bin/sh
# Times `podman run --rm <image> true` (Podman, CNI backend, the PodmanHarness setup) with one CNI plugin directory
# or two against each other, runs alternating. As root, from anywhere in the repository:
#   sh runtime-demo/src/test/resources/podman/bench-podman-run.sh 20 /usr/lib/cni            # Go's plugins alone
#   sh runtime-demo/src/test/resources/podman/bench-podman-run.sh 20 jcni-shims /usr/lib/cni   # shims vs Go
# (`jcni-shims`: the bench installs jcni's shims and runs `jcni serve` in that Podman's host namespace; a directory
# must hold every type the network uses: bridge, host-local, portmap, firewall, tuning.)
set -eu
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
mvn -B -q -pl runtime-demo -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.6.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/podman-bench.cp
exec java -cp "runtime-demo/target/test-classes:runtime-demo/target/classes:$(cat runtime-demo/target/podman-bench.cp)" \
  io.jcni.demo.podman.PodmanRunBench "$@"
