import { describe, expect, it } from 'vitest';
import { parseFleetQuery, summarizeFleet } from './fleet-summary.js';
import { renderHomepage } from './homepage.js';
import { renderTargetPage, SEL_PAGE_SIZE } from './target-page.js';
import type { TargetView } from './target-view.js';

const EVIL = `<img src=x onerror="alert(1)">'&`;
const NOW = Date.UTC(2026, 0, 1, 12);

/** Markup a BMC or a request managed to inject: any tag or attribute from EVIL unescaped. */
function expectNoInjection(page: string): void {
  expect(page).not.toContain('<img');
  expect(page).not.toContain('onerror="');
  expect(page.split('<script>')).toHaveLength(2); // the page's own only
}

function view(events = 1): TargetView {
  return {
    target: '127.0.0.1:623',
    labels: { [EVIL]: EVIL },
    lastScrape: { at: new Date(NOW - 5000).toISOString(), state: 'partial', up: true, partial: true, durationSeconds: 1.5, commands: 12, errors: [EVIL] },
    bmcInfo: { firmware: EVIL, guid: EVIL, ipmiVersion: EVIL, manufacturerId: 1, productId: 2, deviceId: 3, deviceRevision: 4 },
    session: { ipmiVersion: '2.0', cipherSuite: 17, authType: null, privilege: 'user', openedAt: new Date(NOW - 60_000).toISOString() },
    sensorsReadAt: new Date(NOW - 5000).toISOString(),
    sensors: [{ name: EVIL, type: EVIL, entity: EVIL, number: 1, value: 92, unit: EVIL, state: 'critical', asserted: null, thresholds: { ucr: 90 } }],
    powerSupplies: [{ psu: '1', sensor: EVIL, state: 'discrete', present: true, failed: false, predictiveFailure: false, inputLost: true, watts: 200 }],
    fans: [{ fan: EVIL, value: 5000, unit: 'RPM', state: 'ok' }],
    dcmiPower: { currentWatts: 400, minimumWatts: 300, maximumWatts: 500, averageWatts: 390, periodSeconds: 60 },
    sel: {
      supported: true,
      newEvents: 1,
      events: Array.from({ length: events }, (_, i) => ({
        recordId: events - i,
        time: null,
        category: EVIL,
        severity: 'critical',
        description: `${EVIL} #${events - i}`,
        fresh: i === 0,
      })),
    },
  };
}

describe('console pages escape what BMCs and requests supply', () => {
  it("one BMC's page: sensor, PSU, fan names, firmware, errors, labels and SEL text", () => {
    const page = renderTargetPage(view(), 1, NOW);
    expectNoInjection(page);
    expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;');
    expect(page).toContain('class="state s-critical">critical</span>');
  });

  it('the summary: a hostile search, error text and labels', () => {
    const status = {
      lastScrapeAt: new Date(NOW),
      up: false,
      durationSeconds: 1,
      lastError: EVIL,
      partial: false,
      commands: 0,
      errors: [EVIL],
      worstSensorLevel: -1,
    };
    const q = parseFleetQuery(new URLSearchParams({ q: EVIL.slice(0, 5), error: EVIL }));
    const facts = { labels: () => ({ rack: EVIL }), newSelEvents: () => 0 };
    const page = renderHomepage('1.0.0', q, summarizeFleet([{ key: '127.0.0.1:623', status }], { ...q, search: '' }, facts), facts, NOW);
    expectNoInjection(page);
    expect(page).toContain('value="&lt;img"');
  });

  it('pages the SEL newest first, SEL_PAGE_SIZE a page', () => {
    const n = SEL_PAGE_SIZE * 2 + 3;
    const p1 = renderTargetPage(view(n), 1, NOW);
    expect(p1).toContain('SEL page 1 of 3');
    expect(p1).toContain(`#${n}</td>`);
    expect(p1).not.toContain(`#${n - SEL_PAGE_SIZE}</td>`);
    const p3 = renderTargetPage(view(n), 3, NOW);
    expect(p3).toContain('SEL page 3 of 3');
    expect(p3).toContain('#1</td>');
    expect(renderTargetPage(view(n), 99, NOW)).toContain('SEL page 3 of 3');
  });
});
