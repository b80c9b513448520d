// Reads the committed dashboard JSON of deploy/mixin the way Grafana would:
// its template variables and every panel's PromQL, with variables
// substituted as Grafana does before it sends a query.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIXIN = fileURLToPath(new URL('../../deploy/mixin/', import.meta.url));
export const DASHBOARD_FILES = ['bmc-fleet.json', 'bmc.json', 'bmc-exporter.json'] as const;

export interface PanelQuery {
  expr: string;
  instant: boolean;
}

export interface DashboardPanel {
  id: number;
  title: string;
  type: string;
  queries: PanelQuery[];
}

export interface DashboardVariable {
  name: string;
  type: string;
  query: string;
  multi: boolean;
  includeAll: boolean;
  allValue?: string;
}

export interface Dashboard {
  file: string;
  /** Every panel id, rows included. */
  ids: number[];
  uid: string;
  title: string;
  variables: DashboardVariable[];
  panels: DashboardPanel[];
  json: unknown;
}

type Json = Record<string, unknown>;

export function readDashboard(file: string): Dashboard {
  const json = JSON.parse(readFileSync(join(MIXIN, 'dashboards', file), 'utf8')) as Json;
  const panels: DashboardPanel[] = [];
  const ids: number[] = [];
  const walk = (list: unknown) => {
    for (const p of (list as Json[] | undefined) ?? []) {
      ids.push(p['id'] as number);
      if (p['type'] === 'row') {
        walk(p['panels']);
        continue;
      }
      const targets = (p['targets'] as Json[] | undefined) ?? [];
      panels.push({
        id: p['id'] as number,
        title: p['title'] as string,
        type: p['type'] as string,
        queries: targets.map((t) => ({ expr: t['expr'] as string, instant: t['instant'] === true && t['range'] !== true })),
      });
    }
  };
  walk(json['panels']);
  const templating = (json['templating'] as { list?: Json[] } | undefined)?.list ?? [];
  const variables = templating.map((v) => ({
    name: v['name'] as string,
    type: v['type'] as string,
    query: typeof v['query'] === 'string' ? v['query'] : ((v['query'] as Json | undefined)?.['query'] as string),
    multi: v['multi'] === true,
    includeAll: v['includeAll'] === true,
    ...(typeof v['allValue'] === 'string' ? { allValue: v['allValue'] } : {}),
  }));
  return { file, ids, uid: json['uid'] as string, title: json['title'] as string, variables, panels, json };
}

/** Grafana's label_values(metric{...}, label): the metric selector and the label. */
export function parseLabelValues(q: string): { match: string; label: string } {
  const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(q.trim());
  if (!m) throw new Error(`not a label_values() query: ${q}`);
  return { match: m[1]!.trim(), label: m[2]! };
}

/**
 * Escape a value for a regex matcher inside a PromQL string as Grafana's
 * Prometheus datasource does for multi-value variables: two backslashes in
 * the query text, one in the regex.
 */
function regexEscape(v: string): string {
  return v.replace(/[\\^$*+?.()|[\]{}]/g, '\\\\$&');
}

/**
 * A variable's text in a query: one value as is in `="$v"`; several (or a
 * multi variable) as Grafana joins them for `=~"$v"`: (a|b), regex-escaped.
 */
export function formatValue(v: DashboardVariable, values: readonly string[]): string {
  if (!v.multi) return values[0]!;
  return values.length === 1 ? regexEscape(values[0]!) : `(${values.map(regexEscape).join('|')})`;
}

/** Substitute $name / ${name} (longest names first) and Grafana's built-in intervals. */
export function substitute(expr: string, vars: Record<string, string>, rateInterval: string): string {
  let out = expr.replaceAll('$__rate_interval', rateInterval).replaceAll('$__interval', rateInterval).replaceAll('$__range', rateInterval);
  for (const name of Object.keys(vars).sort((a, b) => b.length - a.length)) {
    out = out.replaceAll(`\${${name}}`, vars[name]!).replaceAll(`$${name}`, vars[name]!);
  }
  if (/\$[a-zA-Z_{]/.test(out)) throw new Error(`unsubstituted variable in ${out}`);
  return out;
}
