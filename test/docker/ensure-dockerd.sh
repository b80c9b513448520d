#!/usr/bin/env bash
# Makes sure a Docker engine answers, starting one when none does.
# The engine runs with --bridge=none --iptables=false: the default bridge puts
# containers on 172.17.0.0/16 and traffic to private ranges is not allowed on
# these machines, so containers use host networking and talk over loopback
# (see docs/containers.md). Exit 0 when `docker info` works, 1 otherwise.
set -euo pipefail
# dockerd, debootstrap and chroot live in sbin, which a non-login shell may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

if docker info >/dev/null 2>&1; then
  exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-dockerd: no engine answers and dockerd is not installed (Debian package docker.io)" >&2
  exit 1
fi

log="${DOCKERD_LOG:-/tmp/bmc-exporter-dockerd.log}"
# setsid so the daemon outlives the test process that started it and no
# terminal signal reaches it; later runs find it with `docker info`.
setsid dockerd --bridge=none --iptables=false >"$log" 2>&1 </dev/null &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 0.5
done
echo "ensure-dockerd: dockerd did not answer within 30 s; last lines of $log:" >&2
tail -n 20 "$log" >&2 || true
exit 1
