// --config.file as users meet it through the CLI: a broken modules file
// stops the start with its line and message (exit 1), and the file is
// re-read on POST /-/reload and SIGHUP, a broken one keeping the modules that
// worked. No BMC is contacted: scrapes are answered 400 (no such module) or
// 403 (outside --ipmi.allowed-targets) before any packet.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('bmc-exporter-ipmi-config-');
});
afterAll(async () => {
  await dir?.remove();
});

function runToExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('--config.file at start-up', () => {
  it('a broken modules file: exit 1, the file, line and column, and what is wrong; the password is not echoed', async () => {
    const file = await dir.write('broken.yml', 'modules:\n  default:\n    user: admin\n    pass: "hunter2-secret"\n    collectors: [ipmi, chassis_status]\n');
    const r = await runToExit(['--config.file', file, '--web.listen-address', '127.0.0.1:0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:5:`);
    expect(r.stderr).toContain('invalid collector: chassis_status');
    expect(r.stderr).not.toContain('hunter2-secret');
  });

  it('FreeIPMI-only settings: one start-up warning naming them', async () => {
    const file = await dir.write(
      'freeipmi.yml',
      'modules:\n  default:\n    workaround_flags: [opensesspriv]\n    custom_args:\n      ipmi: ["--bridge-sensors"]\n',
    );
    const cli = await startCli(['--config.file', file, '--web.listen-address', '127.0.0.1:0']);
    try {
      const warnings = cli
        .stderr()
        .split('\n')
        .filter((l) => l.includes('have no effect here'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('default.workaround_flags (opensesspriv); default.custom_args');
    } finally {
      await cli.stop();
    }
  });
});

describe('reloading the modules file', () => {
  let cli: CliProcess;
  let file: string;
  beforeAll(async () => {
    file = await dir.write('reload.yml', 'modules:\n  default:\n    collectors: [ipmi]\n');
    // Every target refused: a scrape is answered from the module check (400) or the allow-list (403), never sent.
    cli = await startCli(['--config.file', file, '--web.listen-address', '127.0.0.1:0', '--ipmi.allowed-targets', '127.0.0.99/32']);
  });
  afterAll(async () => {
    await cli?.stop();
  });

  const status = async (module: string) => (await fetch(`${cli.url}/ipmi?target=127.0.0.1&module=${module}`)).status;
  const waitForAddedStatus = async (expected: number) => {
    for (let i = 0; i < 50 && (await status('added')) !== expected; i++) await new Promise((r) => setTimeout(r, 100));
    return status('added');
  };

  it('POST /-/reload picks up a new module; a broken file answers 500 and keeps the modules; SIGHUP re-reads too', async () => {
    expect(await status('added')).toBe(400);
    await writeFile(file, 'modules:\n  default: {}\n  added:\n    collectors: [chassis]\n');
    const ok = await fetch(`${cli.url}/-/reload`, { method: 'POST' });
    expect(ok.status).toBe(200);
    // The module exists now: past the module check, the allow-list answers.
    expect(await status('added')).toBe(403);

    await writeFile(file, 'modules:\n  default: {}\n  added:\n    colectors: [chassis]\n');
    const bad = await fetch(`${cli.url}/-/reload`, { method: 'POST' });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toContain(`${file}:4:`);
    expect(await status('added')).toBe(403);

    await writeFile(file, 'modules:\n  default: {}\n');
    process.kill(cli.pid, 'SIGHUP');
    expect(await waitForAddedStatus(400)).toBe(400);
  });
});
