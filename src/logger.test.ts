import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ClientLogger } from '@bmc-exporter/ipmi';
import { createLogger, formatLogfmt } from './logger.js';
import type { LogFormat } from './logger.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const SECRET = 'hunter2-XyZ';
const USER = 'ipmi-admin-42';

describe.each<LogFormat>(['logfmt', 'json'])('createLogger (%s)', (format) => {
  it('never writes a credential at debug level, wherever the field sits', () => {
    const out = capture();
    const log = createLogger({ level: 'debug', format, destination: out.stream });
    log.debug({ password: SECRET }, 'top level');
    log.debug({ target: '127.0.2.1:623', config: { username: USER, password: SECRET, privilege: 'operator' } }, 'one deep');
    log.info({ req: { headers: { authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` } } }, 'two deep');
    log.warn({ creds: { user: USER, pass: SECRET, passwd: SECRET, kg: SECRET } }, 'other spellings');
    log.error({ headers: { Authorization: `Bearer ${SECRET}`, cookie: SECRET } }, 'headers');
    log.child({ password: SECRET }).debug('child bindings');
    const text = out.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(USER);
    expect(text).not.toContain(Buffer.from(`u:${SECRET}`).toString('base64'));
    expect(text.split('\n').filter(Boolean)).toHaveLength(6);
    expect(text).toContain('[REDACTED]');
    // What is not a credential still shows.
    expect(text).toContain('127.0.2.1:623');
    expect(text).toContain('operator');
  });

  it('filters by level', () => {
    const out = capture();
    const log = createLogger({ level: 'warn', format, destination: out.stream });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(out.text().split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('is a ClientLogger for packages/ipmi', () => {
    const out = capture();
    const client: ClientLogger = createLogger({ level: 'debug', format, destination: out.stream });
    client.debug({ peer: '127.0.0.1:623' }, 'packet sent');
    client.warn({ reason: 'no-match' }, 'packet dropped');
    expect(out.text()).toContain('packet dropped');
  });
});

describe('output shapes', () => {
  it('json: one object per line with time, level label and msg', () => {
    const out = capture();
    createLogger({ level: 'info', format: 'json', destination: out.stream }).info({ target: 'x' }, 'hello');
    const rec = JSON.parse(out.text()) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 'info', msg: 'hello', target: 'x' });
    expect(typeof rec['time']).toBe('string');
  });

  it('logfmt: ts, level, msg first; quoting; nested keys dotted', () => {
    const out = capture();
    createLogger({ level: 'info', format: 'logfmt', destination: out.stream }).info(
      { target: '[2001:db8::1]:623', detail: { code: 'TIMEOUT', message: 'no answer "at all"' }, n: 3 },
      'scrape failed',
    );
    const line = out.text();
    expect(line).toMatch(
      /^ts=\d{4}-\d\d-\d\dT[\d:.]+Z level=info msg="scrape failed" target=\[2001:db8::1\]:623 detail\.code=TIMEOUT detail\.message="no answer \\"at all\\"" n=3\n$/,
    );
  });

  it('formatLogfmt escapes newlines and empty values', () => {
    expect(formatLogfmt({ msg: 'a\nb', empty: '', list: [1, 2], nil: null })).toBe('msg="a\\nb" empty="" list=[1,2] nil=null');
  });
});
