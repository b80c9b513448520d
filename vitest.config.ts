import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const ipmiSrc = fileURLToPath(new URL('./packages/ipmi/src/index.ts', import.meta.url));
const ipmiWireSrc = fileURLToPath(new URL('./packages/ipmi/src/wire.ts', import.meta.url));
const ipmiAddressSrc = fileURLToPath(new URL('./packages/ipmi/src/address.ts', import.meta.url));
const simSrc = fileURLToPath(new URL('./packages/bmc-sim/src/index.ts', import.meta.url));
const redfishSrc = fileURLToPath(new URL('./packages/redfish/src/index.ts', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the library's sources, not a stale dist/.
    // The subpath first: an alias also matches what starts with its name and a slash.
    alias: {
      '@bmc-exporter/ipmi/wire': ipmiWireSrc,
      '@bmc-exporter/ipmi/address': ipmiAddressSrc,
      '@bmc-exporter/ipmi': ipmiSrc,
      '@bmc-exporter/bmc-sim': simSrc,
      '@bmc-exporter/redfish': redfishSrc,
    },
  },
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    // Builds dist/ first: the CLI, the simulator's workers and the secrets worker run from it.
    globalSetup: ['./test/build-dist.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['src/http/deadline-gc.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          // Forces garbage collections while scrapes wait: the deadline must not depend on them.
          name: 'gc',
          include: ['src/http/deadline-gc.test.ts'],
          pool: 'forks',
          execArgv: ['--expose-gc'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'peers',
          include: ['test/**/*.test.ts'],
          // Peer tests bind 127.0.0.x:623 and start real simulators: one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // testcontainers (test/docker-image.test.ts): Ryuk's image cannot be pulled here,
          // and there is no bridge network to find the engine on (docs/containers.md).
          env: { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' },
        },
      },
    ],
  },
});
