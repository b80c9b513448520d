import { describe, expect, it } from 'vitest';
import { scrapeDeadlineMs } from './deadline.js';

describe('scrapeDeadlineMs', () => {
  it.each([
    ['no header', undefined, 8000],
    ['empty header', '', 8000],
    ['garbage', 'soon', 8000],
    ['negative', '-3', 8000],
    ['Prometheus longer than ours', '10.000000', 8000],
    ['Prometheus shorter: minus the offset', '2.000000', 1500],
    ['shorter than the offset: taken as is', '0.3', 300],
  ])('%s', (_n, header, want) => {
    expect(scrapeDeadlineMs(header, 8000, 500)).toBe(want);
  });
});
