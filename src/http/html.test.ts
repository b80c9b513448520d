import { describe, expect, it } from 'vitest';
import { escapeHtml, html, query, rawHtml } from './html.js';

describe('html', () => {
  it('escapes every interpolated string, in content and in attributes', () => {
    const evil = `<script>alert("x")</script>' onload='x`;
    const out = html`<p title="${evil}">${evil}</p>`.text;
    expect(out).toBe(`<p title="${escapeHtml(evil)}">${escapeHtml(evil)}</p>`);
    expect(out).not.toMatch(/<script>|"x"|' onload/);
  });

  it('keeps Html made by html, joins lists, drops null, undefined and false, prints numbers', () => {
    const items = ['<a>', '<b>'].map((s) => html`<li>${s}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).toBe('<ul><li>&lt;a&gt;</li><li>&lt;b&gt;</li></ul>0');
    expect(html`${rawHtml('<br>')}`.text).toBe('<br>');
  });

  it('builds query strings that leave out empty parameters', () => {
    expect(query('target', { target: '127.0.0.1:623', format: '', x: undefined, page: 2 })).toBe('target?target=127.0.0.1%3A623&page=2');
    expect(query('', {})).toBe('');
  });
});
