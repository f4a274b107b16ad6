#!/bin/sh
# An OCI runtime for the Podman tests: runc, minus the bundle's process.rlimits (container init in some VMs may not
# raise RLIMIT_NOFILE and runc then refuses to start anything), with its state under the test's own directory.
# Usage: runtime-without-rlimits.sh ARGS... (as Podman calls runc); RUNC_ROOT is substituted by PodmanHarness.
bundle=
prev=
for a in "$@"; do
  case "$prev" in --bundle|-b) bundle=$a ;; esac
  case "$a" in --bundle=*) bundle=${a#--bundle=} ;; esac
  prev=$a
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  jq 'del(.process.rlimits)' "$bundle/config.json" > "$bundle/config.json.jt" && mv "$bundle/config.json.jt" "$bundle/config.json" || exit 1
fi
exec /usr/bin/runc --root "@RUNC_ROOT@" "$@"
