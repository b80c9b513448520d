// The homepage in a real browser: Debian's chromium, headless, driven by
// playwright-core (which never downloads a browser of its own). Type a
// target, click Scrape, see bmc_up 1; back on / the target table lists it
// with up, duration and no credential. A missing chromium fails the test.
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samples, startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';

const CHROMIUM = '/usr/bin/chromium';
const USER = { name: 'homepage-user', password: 'Hp-pw-9f3c1a7e' };

let fleet: TestFleet;
let dir: TempDir;
let exporter: CliProcess;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`${CHROMIUM} not found: install the Debian package "chromium" (or run node scripts/ensure-test-deps.mjs as root)`);
  }
  fleet = await startTestFleet({
    count: 3,
    profile: 'server-2s',
    baseAddress: '127.6.2.1',
    seed: 62,
    users: [{ ...USER, maxPrivilege: 'user' }],
    bmcFaults: { '2': { wrongPassword: true } },
  });
  dir = await tempDir('bmc-exporter-homepage-');
  exporter = await startCli(['--web.listen-address', '127.0.0.1:0', '--secrets.static', await dir.write('secrets.yml', fleet.fleet.secrets())]);
  // A fresh profile dir; no network beyond loopback, no first-run or background traffic.
  browser = await chromium.launchPersistentContext(join(dir.path, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = browser.pages()[0] ?? (await browser.newPage());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await exporter?.stop();
  await fleet?.close();
  await dir?.remove();
});

/** The homepage's target table as rows of cell texts (last scrape: its exact time), keyed by target. */
async function table(): Promise<Map<string, { lastScrape: string; state: string; duration: string; error: string }>> {
  const rows = await page
    .locator('#targets tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.querySelector('time')?.getAttribute('datetime') ?? (td.textContent ?? '').trim())),
    );
  return new Map(
    rows
      .filter((r) => r.length === 8)
      .map(([target, state, lastScrape, duration, , , , error]) => [target!, { lastScrape: lastScrape!, state: state!, duration: duration!, error: error! }]),
  );
}

describe('the homepage in headless Chromium', () => {
  it('type a target, click Scrape: the page shows bmc_up 1; back on /, the table lists it with up and duration', async () => {
    const [good, , bad] = fleet.targets;
    await page.goto(`${exporter.url}/`);
    expect(await page.title()).toBe('BMC Exporter');
    expect(await page.locator('#version').textContent()).toMatch(/^\d+\.\d+\.\d+/);
    // Configured, so listed before its first scrape.
    expect((await table()).get(good!)?.state).toBe('never scraped');

    await page.locator('#target').fill(good!);
    await Promise.all([page.waitForURL(/\/bmc\?target=/), page.getByRole('button', { name: 'Scrape' }).click()]);
    expect(new URL(page.url()).searchParams.get('target')).toBe(good);
    const metrics = await page.locator('body').innerText();
    expect(metrics).toMatch(/^bmc_up 1$/m);
    expect(samples(metrics).get('processor_temperature_celsius{cpu="1"}')).toBeGreaterThan(0);

    await page.goBack();
    expect(new URL(page.url()).pathname).toBe('/');
    // Cache-Control: no-store, so going back fetched the table afresh.
    const rows = await table();
    const row = rows.get(good!);
    expect(row, `table: ${JSON.stringify([...rows])}`).toBeDefined();
    expect(row!.state).toBe('up');
    expect(row!.duration).toMatch(/^\d+\.\d{3} s$/);
    expect(Date.now() - Date.parse(row!.lastScrape)).toBeLessThan(60_000);
    expect(row!.error).toBe('');

    // A BMC that refuses the password: the form shows bmc_up 0, the table the error, never a credential.
    await page.locator('#target').fill(bad!);
    await Promise.all([page.waitForURL(/\/bmc\?target=/), page.locator('#target').press('Enter')]);
    expect(await page.locator('body').innerText()).toMatch(/^bmc_up 0$/m);
    await page.goto(`${exporter.url}/`);
    const after = await table();
    expect(after.get(bad!)?.state).toBe('down');
    expect(after.get(bad!)?.error).not.toBe('');
    expect(after.get(good!)?.state).toBe('up');

    const html = await page.content();
    for (const secret of [USER.name, USER.password]) expect(html).not.toContain(secret);

    // For a person to look at; not committed.
    const shot = join(tmpdir(), 'bmc-exporter-homepage.png');
    await page.screenshot({ path: shot, fullPage: true });
    accessSync(shot, constants.R_OK);
  });
});
