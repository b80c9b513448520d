#!/usr/bin/env node
// Run by `npm test` before the suites: makes sure the real peers the tests
// talk to are installed. As root it installs missing Debian packages; as
// anyone else it says which to install and fails.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';

// One row per binary the test suites run.
const DEPS = [
  { binary: 'ipmi_sim', debianPackage: 'openipmi' }, // the simulated BMC
  { binary: 'sdrcomp', debianPackage: 'openipmi' }, // compiles the sim's SDRs
  { binary: 'ipmitool', debianPackage: 'ipmitool' }, // reference client
  { binary: 'prometheus', debianPackage: 'prometheus' }, // scrapes the exporter end to end (test/exporter-prometheus)
  { binary: 'promtool', debianPackage: 'prometheus' }, // checks the README's scrape_config
  { binary: 'chromium', debianPackage: 'chromium' }, // drives the homepage headless (test/exporter-homepage)
  { binary: 'openssl', debianPackage: 'openssl' }, // self-signed cert for the TLS test (test/exporter-security)
];

function onPath(binary) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`ensure-test-deps: ${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

const missing = DEPS.filter((d) => !onPath(d.binary));
if (missing.length === 0) {
  console.log(`ensure-test-deps: ok (${DEPS.map((d) => d.binary).join(', ')})`);
  process.exit(0);
}

const packages = [...new Set(missing.map((d) => d.debianPackage))];
const what = missing.map((d) => `${d.binary} (${d.debianPackage})`).join(', ');
if (process.getuid?.() !== 0) {
  console.error(`ensure-test-deps: missing ${what}.\nInstall with: sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`);
  process.exit(1);
}

console.log(`ensure-test-deps: installing ${packages.join(' ')} for ${what}`);
run('apt-get', ['update']);
run('apt-get', ['install', '-y', '--no-install-recommends', ...packages]);
const still = DEPS.filter((d) => !onPath(d.binary));
if (still.length > 0) {
  console.error(`ensure-test-deps: still missing after install: ${still.map((d) => d.binary).join(', ')}`);
  process.exit(1);
}
console.log('ensure-test-deps: ok');
