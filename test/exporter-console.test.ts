// The fleet console in a real browser: Debian's chromium, headless, driven by
// playwright-core (it never downloads a browser). A simulated fleet with
// good, partial and down BMCs plus configured targets never scraped; the
// summary's counts, error groups, search, filter and paging; one BMC's page
// before and after a sensor crosses its critical threshold and a SEL event
// is injected through the simulator's control API; and a BMC whose sensor
// names (so also its SEL descriptions) carry HTML; and the basics with
// JavaScript turned off (Apply, Scrape now as a form POST). Screenshots go to
// test/artifacts/ (gitignored) for a person to look at.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILES, startControlServer, type BmcDefinition, type ControlServer } from '@bmc-exporter/bmc-sim';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startCli, tempDir, type CliProcess, type TempDir } from './exporter/cli.js';
import { startTestFleet, type TestFleet } from './exporter/fleet.js';

const CHROMIUM = '/usr/bin/chromium';
const USER = { name: 'console-user', password: 'Cs-pw-5d81c2b4' };
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
/** Configured in the secrets file but never scraped: nothing is ever sent to them. */
const NEVER = Array.from({ length: 110 }, (_, i) => `127.6.15.${i + 1}:623`);
/** SDR ID strings are at most 16 bytes; these break out of text, of an attribute, and open a script. */
const HOSTILE = { cpu: '<i id=xss1>', fan: '"><i id=xss2>', psu: '<script>' } as const;

let fleet: TestFleet;
let hostile: TestFleet;
let control: ControlServer;
let dir: TempDir;
let exporter: CliProcess;
let browser: BrowserContext;
let page: Page;

function hostileDefinition(): BmcDefinition {
  const base = PROFILES['server-2s']!;
  const rename: Record<string, string> = { 'CPU1 Temp': HOSTILE.cpu, FAN1: HOSTILE.fan, 'PSU1 Status': HOSTILE.psu };
  return { ...base, sensors: base.sensors.map((s) => ({ ...s, name: rename[s.name] ?? s.name })) };
}

async function controlApi(method: string, path: string, body: unknown): Promise<unknown> {
  const r = await fetch(`http://${control.address}:${control.port}${path}`, {
    method,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const out = (await r.json()) as unknown;
  if (!r.ok) throw new Error(`control API ${method} ${path}: ${r.status} ${JSON.stringify(out)}`);
  return out;
}

async function scrape(target: string): Promise<string> {
  const r = await fetch(`${exporter.url}/bmc?target=${encodeURIComponent(target)}`);
  return r.text();
}

async function shot(name: string): Promise<void> {
  const path = join(ARTIFACTS, `console-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  accessSync(path, constants.R_OK);
}

/** WCAG contrast ratio of each state badge's text on its background (computed by the browser). */
async function badgeContrasts(): Promise<Array<{ text: string; ratio: number }>> {
  const colours = await page.locator('.state').evaluateAll((els) =>
    els.map((el) => {
      const cs = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string; backgroundColor: string } }).getComputedStyle(el);
      return { text: el.textContent ?? '', fg: cs.color, bg: cs.backgroundColor };
    }),
  );
  const luminance = (rgb: string) => {
    const [r, g, b] = rgb
      .match(/\d+(\.\d+)?/g)!
      .slice(0, 3)
      .map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  return colours.map(({ text, fg, bg }) => {
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return { text, ratio: (hi! + 0.05) / (lo! + 0.05) };
  });
}

/** Click "Scrape now" and wait for the page the POST redirects to (same URL: so wait for a new document). */
async function scrapeNow(): Promise<void> {
  await page.evaluate(() => Object.assign(globalThis, { beforeScrapeNow: true }));
  await page.getByRole('button', { name: 'Scrape now' }).click();
  const loaded = () => !('beforeScrapeNow' in globalThis) && (globalThis as unknown as { document: { readyState: string } }).document.readyState === 'complete';
  await page.waitForFunction(loaded, undefined, { timeout: 20_000 });
  expect(new URL(page.url()).pathname).toBe('/target');
}

/** The targets table: cell texts per row, keyed by target address. */
async function rows(): Promise<Map<string, string[]>> {
  const cells = await page
    .locator('#targets tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
  return new Map(cells.filter((c) => c.length === 8).map((c) => [c[0]!.split('\n')[0]!, c]));
}

beforeAll(async () => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(`${CHROMIUM} not found: install the Debian package "chromium" (or run node scripts/ensure-test-deps.mjs as root)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  fleet = await startTestFleet({
    count: 5,
    profile: 'server-2s',
    baseAddress: '127.6.14.1',
    seed: 14,
    users: [{ ...USER, maxPrivilege: 'user' }],
    // 2: the SDR answers too slowly for the deadline (a partial scrape); 3 and 4: down, for two reasons.
    bmcFaults: { '2': { slowSdrMs: 10_000 }, '3': { wrongPassword: true }, '4': { noAnswer: true } },
  });
  hostile = await startTestFleet({ count: 1, bmc: hostileDefinition(), baseAddress: '127.6.14.30', seed: 15, users: [{ ...USER, maxPrivilege: 'user' }] });
  control = await startControlServer(fleet.fleet, { address: '127.0.0.1', port: 0 });
  dir = await tempDir('bmc-exporter-console-');
  const creds = { username: USER.name, password: USER.password };
  const secrets = Object.fromEntries([...fleet.targets, ...hostile.targets, ...NEVER].map((t) => [t, { ...creds }]));
  exporter = await startCli([
    '--web.listen-address',
    '127.0.0.1:0',
    '--scrape.timeout',
    '4s',
    '--secrets.static',
    await dir.write('secrets.yml', stringify(secrets)),
  ]);
  for (const t of [...fleet.targets, ...hostile.targets]) await scrape(t);
  browser = await chromium.launchPersistentContext(join(dir.path, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
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
  page.on('dialog', (d) => {
    throw new Error(`a page opened a dialog: ${d.message()}`);
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await exporter?.stop();
  await control?.close();
  await hostile?.close();
  await fleet?.close();
  await dir?.remove();
});

describe('the fleet console in headless Chromium', () => {
  it('summary: counts up, partial, down and never scraped; the common errors grouped; no credential', async () => {
    await page.goto(`${exporter.url}/`);
    expect(await page.title()).toBe('BMC Exporter');
    const counts = await page.locator('#counts a').evaluateAll((as) => as.map((a) => a.getAttribute('aria-label')));
    expect(counts).toEqual(['3 up', '1 partial', '2 down', '110 never scraped', '116 targets in all']);
    const errors = await page
      .locator('#errors tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(errors.length).toBe(3);
    for (const [, n] of errors) expect(n).toBe('1');
    const t = await rows();
    const [good, , partial, wrongPw, silent] = fleet.targets;
    expect(t.get(good!)?.[1]).toBe('up');
    expect(t.get(partial!)?.[1]).toBe('partial');
    expect(t.get(wrongPw!)?.[1]).toBe('down');
    expect(t.get(silent!)?.[1]).toBe('down');
    expect(t.get(wrongPw!)?.[7]).not.toBe('');
    expect(Number(t.get(good!)?.[4])).toBeGreaterThan(0);
    const html = await page.content();
    for (const secret of [USER.name, USER.password]) expect(html).not.toContain(secret);
    await shot('summary');

    // An error group is a link to the targets with that error.
    await page.locator('#errors a').first().click();
    expect(new URL(page.url()).searchParams.get('error')).not.toBeNull();
    expect((await rows()).size).toBe(1);
  });

  it('summary: search, the down filter (applied on change by the script), and paging by keyboard', async () => {
    await page.goto(`${exporter.url}/`);
    // Found by their labels, as a screen reader announces them.
    for (const label of ['Last scrape', 'has a critical sensor', 'has new SEL events', 'Sort by'])
      expect(await page.getByLabel(label, { exact: true }).count(), label).toBe(1);
    const search = page.getByLabel('Search address or label');
    await search.fill(hostile.targets[0]!);
    await Promise.all([page.waitForURL(/q=/), search.press('Enter')]);
    expect([...(await rows()).keys()]).toEqual(hostile.targets);

    await page.goto(`${exporter.url}/`);
    await Promise.all([page.waitForURL(/state=down/), page.locator('#state').selectOption('down')]);
    expect([...(await rows()).keys()].sort()).toEqual([fleet.targets[3], fleet.targets[4]].sort());

    await page.goto(`${exporter.url}/?sort=target`);
    expect(await page.locator('#page-info').first().textContent()).toBe('Page 1 of 3 (116 of 116 targets)');
    expect((await rows()).size).toBe(50);
    await page.getByRole('link', { name: 'Next' }).first().focus();
    await Promise.all([page.waitForURL(/page=2/), page.keyboard.press('Enter')]);
    expect(await page.locator('#page-info').first().textContent()).toBe('Page 2 of 3 (116 of 116 targets)');
    const second = await rows();
    expect(second.size).toBe(50);
    expect([...second.keys()].every((k) => k.startsWith('127.6.15.'))).toBe(true);
    await page.getByRole('link', { name: 'Last' }).first().click();
    expect((await rows()).size).toBe(16);
    await shot('summary-page3');
  });

  it("one BMC's page: a sensor crossing its critical threshold and an injected SEL event appear after Scrape now", async () => {
    const target = fleet.targets[0]!;
    const host = target.split(':')[0]!;
    await page.goto(`${exporter.url}/`);
    await page.getByRole('link', { name: target, exact: true }).click();
    expect(new URL(page.url()).pathname).toBe('/target');
    const sensorState = async (name: string) =>
      page
        .locator('#sensors tbody tr')
        .filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${name}$`) }) })
        .locator('td:nth-child(5)')
        .textContent();
    expect(await sensorState('CPU1 Temp')).toBe('ok');
    expect(await page.locator('#session').locator('xpath=following-sibling::dl[1]').innerText()).toMatch(/Cipher suite\s+\d+/);
    expect(await page.locator('#bmc-info').locator('xpath=following-sibling::dl[1]').innerText()).toMatch(/Firmware\s+\S+/);
    expect(await page.locator('#psus tbody tr').count()).toBe(2);
    expect(await page.locator('#fans tbody tr').count()).toBe(6);

    await controlApi('POST', `/bmcs/${host}/sensors/${encodeURIComponent('CPU1 Temp')}`, { value: 92 });
    // Threshold event, offset 9: upper critical going high; reading 92, threshold 90.
    await controlApi('POST', `/bmcs/${host}/sel`, { sensorType: 'temperature', sensorNumber: 1, eventType: 0x01, data: [0x59, 92, 90] });
    await scrapeNow();
    expect(await sensorState('CPU1 Temp')).toBe('critical');
    // Coloured as well as written, every state legible (WCAG AA: 4.5:1).
    for (const b of await badgeContrasts()) expect(b.ratio, `"${b.text}"`).toBeGreaterThanOrEqual(4.5);
    const first = await page.locator('#sel tbody tr').first().locator('td').allTextContents();
    expect(first[1]).toMatch(/new$/);
    expect(first[3]).toBe('critical');
    expect(first[4]).toContain('(CPU1 Temp)');
    expect(first[4]).toMatch(/Upper Critical going high/i);

    // The same through JSON: what the page showed, with no credential in it.
    const json = await (await fetch(`${exporter.url}/target?target=${encodeURIComponent(target)}&format=json`)).text();
    for (const secret of [USER.name, USER.password]) expect(json).not.toContain(secret);
    const view = JSON.parse(json) as { sensors: Array<{ name: string; state: string; value: number }>; sel: { newEvents: number } };
    expect(view.sensors.find((s) => s.name === 'CPU1 Temp')).toMatchObject({ state: 'critical', value: 92 });
    expect(view.sel.newEvents).toBe(1);
    await shot('target');

    // Back on the summary, the critical-sensor and new-SEL filters find it.
    await page.goto(`${exporter.url}/?critical=1&newsel=1`);
    expect([...(await rows()).keys()]).toEqual([target]);
  });

  it('without JavaScript: filters apply with the Apply button, Scrape now is a plain form POST', async () => {
    const noJs = await chromium.launchPersistentContext(join(dir.path, 'chromium-profile-nojs'), {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
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
    try {
      const p = noJs.pages()[0] ?? (await noJs.newPage());
      await p.goto(`${exporter.url}/`);
      await p.getByLabel('Last scrape', { exact: true }).selectOption('partial');
      await Promise.all([p.waitForURL(/state=partial/), p.getByRole('button', { name: 'Apply' }).click()]);
      const shown = await p.locator('#targets tbody tr td:first-child a').allTextContents();
      expect(shown).toEqual([fleet.targets[2]]);
      const target = fleet.targets[1]!;
      await p.goto(`${exporter.url}/target?target=${encodeURIComponent(target)}`);
      const before = await p.locator('#last-scrape + dl time').getAttribute('datetime');
      await Promise.all([
        p.waitForResponse((r) => r.request().method() === 'POST' && r.status() === 303),
        p.getByRole('button', { name: 'Scrape now' }).click(),
      ]);
      await p.waitForLoadState('load');
      await expect.poll(() => p.locator('#last-scrape + dl time').getAttribute('datetime')).not.toBe(before);
      expect(new URL(p.url()).pathname).toBe('/target');
    } finally {
      await noJs.close();
    }
  });

  it('a BMC whose sensor names and SEL text carry HTML: shown as text, never run or parsed', async () => {
    const target = hostile.targets[0]!;
    await scrape(target); // once more: the SEL has been read to its end, so the next event counts as new
    const host = target.split(':')[0]!;
    const hostileControl = await startControlServer(hostile.fleet, { address: '127.0.0.1', port: 0 });
    try {
      const r = await fetch(`http://${hostileControl.address}:${hostileControl.port}/bmcs/${host}/sel`, {
        method: 'POST',
        body: JSON.stringify({ sensorType: 'temperature', sensorNumber: 1, eventType: 0x01, data: [0x59, 92, 90] }),
      });
      expect(r.status).toBe(201);
    } finally {
      await hostileControl.close();
    }
    await page.goto(`${exporter.url}/target?target=${encodeURIComponent(target)}`);
    await scrapeNow();
    expect(await page.locator('#xss1, #xss2').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1); // the page's own
    const names = await page.locator('#sensors tbody td:first-child').allTextContents();
    expect(names).toEqual(expect.arrayContaining([HOSTILE.cpu, HOSTILE.fan, HOSTILE.psu]));
    expect(await page.locator('#sel tbody tr').first().locator('td').nth(4).textContent()).toContain(`(${HOSTILE.cpu})`);
    expect(await page.locator('#psus tbody td:nth-child(2)').first().textContent()).toBe(HOSTILE.psu);
    await shot('xss');
  });
});
