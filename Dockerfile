# bmc-exporter image: `docker build -t bmc-exporter .`
#
#   docker run --rm -p 9622:9622 bmc-exporter
#       demo mode: simulated BMCs inside the container, real metrics at
#       http://localhost:9622/ within seconds
#   docker run -d --network host -v "$PWD/secrets.yml:/etc/bmc-exporter/secrets.yml:ro" bmc-exporter
#       your BMCs: the secrets file of gebn/bmc_exporter, unchanged
#
# The working directory is /etc/bmc-exporter and the exporter reads
# ./secrets.yml when no --secrets.static is given, so mounting the file there
# is all it takes; without it the exporter starts in demo mode. Arguments after
# the image name are exporter flags (`docker run bmc-exporter --help`).
#
# BASE lets a build pick another Node 22 image (a mirror, or the locally built
# stand-in the tests use on machines without a registry).
ARG BASE=node:22-slim

# ---- build: all dependencies, TypeScript compiled --------------------------
FROM ${BASE} AS build
WORKDIR /app
# Manifests first so the dependency layer is reused while only sources change.
# One line per workspace package: npm ci refuses a lock file whose workspaces
# it cannot see.
COPY package.json package-lock.json ./
COPY packages/ipmi/package.json packages/ipmi/
COPY packages/bmc-sim/package.json packages/bmc-sim/
COPY packages/redfish/package.json packages/redfish/
# --ignore-scripts: the root "prepare" script would compile before the sources
# are here; no dependency needs an install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages/ipmi/tsconfig.json packages/ipmi/
COPY packages/ipmi/src packages/ipmi/src
COPY packages/bmc-sim/tsconfig.json packages/bmc-sim/
COPY packages/bmc-sim/src packages/bmc-sim/src
# The Redfish library is a project reference of the build; the exporter does not load it yet.
COPY packages/redfish/tsconfig.json packages/redfish/
COPY packages/redfish/src packages/redfish/src
COPY src src
RUN npx tsc -b \
 && find dist packages/*/dist \( -name '*.map' -o -name '*.d.ts' -o -name '*.test.js' \) -delete

# ---- prod-deps: production dependencies only --------------------------------
FROM ${BASE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/ipmi/package.json packages/ipmi/
COPY packages/bmc-sim/package.json packages/bmc-sim/
COPY packages/redfish/package.json packages/redfish/
# Workspace packages stay symlinks (node_modules/@bmc-exporter/* -> packages/*),
# so the runtime stage only has to put their dist/ next to their package.json.
# npm leaves empty scope directories of omitted dev packages behind.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -mindepth 1 -type d -empty -delete \
 && npm cache clean --force

# ---- runtime ----------------------------------------------------------------
FROM ${BASE}
ARG BMC_EXPORTER_COMMIT=unknown
ENV NODE_ENV=production \
    BMC_EXPORTER_COMMIT=${BMC_EXPORTER_COMMIT}
WORKDIR /app
COPY --from=prod-deps /app/package.json ./
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=prod-deps /app/packages/ipmi/package.json packages/ipmi/
COPY --from=prod-deps /app/packages/bmc-sim/package.json packages/bmc-sim/
COPY --from=prod-deps /app/packages/redfish/package.json packages/redfish/
COPY --from=build /app/packages/ipmi/dist packages/ipmi/dist
COPY --from=build /app/packages/bmc-sim/dist packages/bmc-sim/dist
COPY --from=build /app/packages/redfish/dist packages/redfish/dist
COPY --from=build /app/dist/src dist/src
COPY secrets.example.yml /etc/bmc-exporter/secrets.example.yml
# Everything above is root-owned and read-only to the exporter.
USER node
WORKDIR /etc/bmc-exporter
EXPOSE 9622
# node itself: slim images have no curl or wget. With another
# --web.listen-address, set BMC_EXPORTER_HEALTHCHECK_URL to match
# (`-e BMC_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:9700/-/healthy`); with a
# --web.config.file that asks for TLS or basic auth, replace the HEALTHCHECK.
ENV BMC_EXPORTER_HEALTHCHECK_URL=http://127.0.0.1:9622/-/healthy
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.BMC_EXPORTER_HEALTHCHECK_URL).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The node flag caps V8's heap growth from the start (src/heap-growth.ts); to
# choose another value, `--entrypoint node` with your own flag before the path.
ENTRYPOINT ["node", "--heap-growing-percent=30", "/app/dist/src/cli.js"]
# Empty, not the base image's ["node"], which would reach the exporter as an
# unknown command. No flags: ./secrets.yml if mounted, else demo mode.
CMD []
