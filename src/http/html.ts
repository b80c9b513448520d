/**
 * HTML built by escaping, not by remembering to: every value put into an
 * `html` template is escaped unless it is itself Html made by `html`. Sensor
 * names, firmware strings, SEL text and errors come from BMCs on the network
 * and are hostile; a page can only leak markup from one by wrapping it in
 * `rawHtml`, which nothing BMC-supplied goes through.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escape text for element content and quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Markup that is already safe: made by `html` or by `rawHtml` on a constant. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Values an `html` template accepts: text (escaped), numbers, Html (kept), lists of those (joined), null/undefined/false (nothing). */
export type HtmlValue = string | number | Html | null | undefined | false | readonly HtmlValue[];

function piece(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(piece).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** For constants of this module's own pages (CSS, scripts): never for anything a BMC or a request supplied. */
export function rawHtml(constant: string): Html {
  return new Html(constant);
}

/** A query string from parameters, leaving out empty ones; for hrefs (escaped again by `html` as an attribute). */
export function query(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
