// Building blocks shared by the three dashboards: the datasource, job and
// instance variables, one Prometheus query, and small panel helpers typed by
// @grafana/grafana-foundation-sdk.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and variable queries the datasource the user picked. */
export const DS: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

/** `job`: every job that has `metric` (no job name is written into the dashboards). */
export function jobVariable(metric: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder('job')
    .label('Job')
    .datasource(DS)
    .query(`label_values(${metric}, job)`)
    .definition(`label_values(${metric}, job)`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.+');
}

/** `instance`: the instances of `metric` in the chosen jobs. */
export function instanceVariable(metric: string, multi: boolean): dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder('instance')
    .label('Instance')
    .datasource(DS)
    .query(`label_values(${metric}{job=~"$job"}, instance)`)
    .definition(`label_values(${metric}{job=~"$job"}, instance)`)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(multi);
  return multi ? v.includeAll(true).allValue('.+') : v;
}

export interface Query {
  expr: string;
  legend?: string;
  /** Instant query (stat and table panels), else a range. */
  instant?: boolean;
  table?: boolean;
}

export function query(q: Query, refId: string): prometheus.DataqueryBuilder {
  const b = new prometheus.DataqueryBuilder()
    .datasource(DS)
    .refId(refId)
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto');
  if (q.instant) b.instant();
  else b.range();
  if (q.table) b.format(prometheus.PromQueryFormat.Table);
  return b;
}

const refIds = 'ABCDEFGHIJ';

/** Panel ids in build order, so the JSON is stable from one render to the next. */
export class Ids {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

export function timeSeries(ids: Ids, title: string, description: string, unit: string, queries: Query[], w = 12, h = 8): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .id(ids.next())
    .title(title)
    .description(description)
    .datasource(DS)
    .unit(unit)
    .span(w)
    .height(h)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  queries.forEach((q, i) => p.withTarget(query(q, refIds[i]!)));
  return p;
}

export function statPanel(
  ids: Ids,
  title: string,
  description: string,
  unit: string,
  queries: Query[],
  steps: dashboard.Threshold[] = [{ value: null, color: 'green' }],
  w = 4,
  h = 4,
): stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .id(ids.next())
    .title(title)
    .description(description)
    .datasource(DS)
    .unit(unit)
    .span(w)
    .height(h)
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps));
  queries.forEach((q, i) => p.withTarget(query({ instant: true, ...q }, refIds[i]!)));
  return p;
}

/** 0/1 gauges shown as words: "No"/"Yes" with the colour of what 1 means. */
export function booleanMappings(zero: string, one: string, oneIsBad: boolean): dashboard.ValueMapping[] {
  return [
    {
      type: dashboard.MappingType.ValueToText,
      options: {
        '0': { text: zero, color: oneIsBad ? 'green' : 'red', index: 0 },
        '1': { text: one, color: oneIsBad ? 'red' : 'green', index: 1 },
      },
    },
  ];
}

/** An instant query shown as a table, one row per series, the value last. */
export function tablePanel(ids: Ids, title: string, description: string, q: Query, w = 12, h = 8, exclude: string[] = []): table.PanelBuilder {
  const p = new table.PanelBuilder()
    .id(ids.next())
    .title(title)
    .description(description)
    .datasource(DS)
    .span(w)
    .height(h)
    .withTarget(query({ ...q, instant: true, table: true }, 'A'))
    .withTransformation({
      id: 'organize',
      options: { excludeByName: Object.fromEntries(['Time', '__name__', ...exclude].map((k) => [k, true])) },
    });
  return p;
}

export function row(ids: Ids, title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title).id(ids.next());
}

export function newDashboard(title: string, uid: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['bmc-exporter', 'ipmi', 'hardware'])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(datasourceVariable())
    .link(
      new dashboard.DashboardLinkBuilder('bmc-exporter')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['bmc-exporter'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
}

export type Built = cog.Builder<dashboard.Dashboard>;
