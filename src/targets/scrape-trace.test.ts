import { describe, expect, it } from 'vitest';
import { MAX_TRACE_LINES, ScrapeTrace } from './scrape-trace.js';

describe('ScrapeTrace', () => {
  it('stamps each line with the time since it began and names completion codes', () => {
    let now = 1000;
    const trace = new ScrapeTrace(() => now);
    now = 1012.5;
    trace.retry('Get SDR');
    trace.packetDropped('stale-sequence');
    trace.command('Get SDR', 0.3, 'ok', 0);
    now = 2000;
    trace.command('Get Sensor Reading', 0.002, 'completion-code', 0xcb);
    trace.command('Get Device ID', 1.5, 'timeout');
    trace.sessionStep('RAKP 1', 0.001, 'ok');
    expect(trace.render().split('\n')).toEqual([
      '+  0.013s retry Get SDR: no answer in time, sent again',
      '+  0.013s dropped packet: stale-sequence',
      '+  0.013s command Get SDR: 0.300s cc=0x00 (Command completed normally) retries=1 dropped=1',
      '+  1.000s command Get Sensor Reading: 0.002s cc=0xcb (Requested sensor, data, or record not present)',
      '+  1.000s command Get Device ID: 1.500s no answer',
      '+  1.000s session set-up RAKP 1: 0.001s ok',
      'totals: 3 commands, 1 retries, 1 dropped packets',
      '',
    ]);
  });

  it('keeps at most MAX_TRACE_LINES lines and counts the rest (a BMC flooding packets)', () => {
    const trace = new ScrapeTrace(() => 0);
    for (let i = 0; i < MAX_TRACE_LINES + 250; i++) trace.packetDropped('no-match');
    expect(trace.lines).toHaveLength(MAX_TRACE_LINES);
    expect(trace.omitted).toBe(250);
    expect(trace.render()).toContain(`(250 more events not shown)\ntotals: 0 commands, 0 retries, ${MAX_TRACE_LINES + 250} dropped packets\n`);
  });
});
