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
  { binary: 'bmc-info', debianPackage: 'freeipmi-tools' }, // second reference client (test/sim-ipmitool: suites 11/12 ipmitool lacks)
  { binary: 'prometheus', debianPackage: 'prometheus' }, // scrapes the exporter end to end (test/exporter-prometheus)
  { binary: 'promtool', debianPackage: 'prometheus' }, // checks the README's scrape_config and the mixin's rules (test/mixin)
  { binary: 'prometheus-ipmi-exporter', debianPackage: 'prometheus-ipmi-exporter' }, // the exporter /ipmi is a drop-in for (test/ipmi-compat-side-by-side)
  { binary: 'ipmimonitoring', debianPackage: 'freeipmi-tools' }, // what prometheus-ipmi-exporter runs; ipmi-sel is the reference for sel-events (test/ipmi-compat-sel-events)
  { binary: 'chromium', debianPackage: 'chromium' }, // drives the homepage headless (test/exporter-homepage)
  { binary: 'openssl', debianPackage: 'openssl' }, // self-signed cert for the TLS test (test/exporter-security)
  { binary: 'dockerd', debianPackage: 'docker.io', unlessDockerAnswers: true }, // runs the image (test/docker-image); not needed when an engine already answers `docker info`
  { binary: 'debootstrap', debianPackage: 'debootstrap' }, // builds the local node:22-slim stand-in (test/docker/build-base-images.sh)
  { binary: 'systemd-analyze', debianPackage: 'systemd' }, // verifies and rates deploy/systemd/bmc-exporter.service (test/systemd-unit)
  { binary: 'kubectl', debianPackage: 'kubernetes-client' }, // `kubectl kustomize` renders deploy/kubernetes (test/kubernetes); Debian 12's 1.20 renders it as a current kubectl does
  { binary: 'kill', debianPackage: 'procps' }, // the unit's ExecReload=/bin/kill, which systemd-analyze verify checks exists
  { binary: 'redfishtool', debianPackage: 'redfishtool' }, // DMTF's Redfish client reads the simulator (test/redfish-peers)
  { binary: 'python3-sushy', pythonModule: 'sushy', debianPackage: 'python3-sushy' }, // OpenStack's Redfish library, for Debian's /usr/bin/python3 (test/redfish-peers)
];

// sbin too: dockerd and debootstrap live there, and a non-login root shell may not have it on PATH.
const SEARCH = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];

function onPath(binary) {
  for (const dir of SEARCH) {
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

// An engine that answers (Docker Desktop, DOCKER_HOST, docker-ce) is as good as dockerd on PATH.
let dockerAnswersCache;
function dockerAnswers() {
  dockerAnswersCache ??= spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return dockerAnswersCache;
}

// A Python module counts when Debian's interpreter (the one its python3-* package installs for) can import it.
const importable = (module) => spawnSync('/usr/bin/python3', ['-c', `import ${module}`], { stdio: 'ignore', timeout: 30_000 }).status === 0;

const present = (d) => (d.pythonModule !== undefined ? importable(d.pythonModule) : onPath(d.binary) || (d.unlessDockerAnswers === true && dockerAnswers()));
const missing = DEPS.filter((d) => !present(d));
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
const still = DEPS.filter((d) => !present(d));
if (still.length > 0) {
  console.error(`ensure-test-deps: still missing after install: ${still.map((d) => d.binary).join(', ')}`);
  process.exit(1);
}
console.log('ensure-test-deps: ok');
