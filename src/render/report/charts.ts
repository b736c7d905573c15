import * as vega from 'vega';
import * as vl from 'vega-lite';

/**
 * Figures for the HTML report: Vega-Lite specifications compiled and rendered to SVG here, at
 * build time, with Vega's headless view — so the report carries finished vector graphics and
 * needs no script, library or network to show them. Every figure has a title and axis titles
 * with units; captions are written by the sections.
 */
export type VegaLiteSpec = Record<string, unknown>;

const CONFIG = {
  font: 'system-ui, sans-serif',
  title: { fontSize: 14, anchor: 'start' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: null },
};

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile({ ...spec, config: CONFIG } as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Points with 95 % interval bars: one row per estimate (`label`, `value`, `lo`, `hi`). */
export function intervalPlot(o: {
  title: string;
  rows: { label: string; value: number; lo: number | null; hi: number | null; group?: string }[];
  xTitle: string;
  yTitle: string;
  rule?: { value: number; label: string };
}): VegaLiteSpec {
  const data = o.rows.map((r) => ({ ...r, lo: r.lo ?? r.value, hi: r.hi ?? r.value }));
  const color = o.rows.some((r) => r.group)
    ? { color: { field: 'group', type: 'nominal', title: null } }
    : {};
  return {
    title: o.title,
    width: 420,
    height: Math.max(80, 26 * o.rows.length),
    data: { values: data },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y: { field: 'label', type: 'nominal', title: o.yTitle, sort: null, axis: { labelLimit: 240 } },
          x: { field: 'lo', type: 'quantitative', title: o.xTitle },
          x2: { field: 'hi' },
          ...color,
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y: { field: 'label', type: 'nominal', sort: null },
          x: { field: 'value', type: 'quantitative', title: o.xTitle },
          ...color,
        },
      },
      ...(o.rule
        ? [
            {
              data: { values: [o.rule] },
              mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
              encoding: { x: { field: 'value', type: 'quantitative' } },
            },
          ]
        : []),
    ],
  };
}

/** An interaction plot: x levels, one line per series, each point with its 95 % interval. */
export function interactionPlot(o: {
  title: string;
  rows: { x: string; series: string; value: number; lo: number | null; hi: number | null }[];
  xTitle: string;
  yTitle: string;
  seriesTitle: string;
}): VegaLiteSpec {
  const data = o.rows.map((r) => ({ ...r, lo: r.lo ?? r.value, hi: r.hi ?? r.value }));
  const x = { field: 'x', type: 'nominal', title: o.xTitle, sort: null, axis: { labelAngle: 0 } };
  const color = { field: 'series', type: 'nominal', title: o.seriesTitle };
  return {
    title: o.title,
    width: 360,
    height: 240,
    data: { values: data },
    layer: [
      {
        mark: { type: 'line' },
        encoding: { x, y: { field: 'value', type: 'quantitative', title: o.yTitle }, color },
      },
      {
        mark: { type: 'point', filled: true },
        encoding: { x, y: { field: 'value', type: 'quantitative' }, color },
      },
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', title: o.yTitle },
          y2: { field: 'hi' },
          color,
        },
      },
    ],
  };
}

/** Bars of counts by category. */
export function barChart(o: {
  title: string;
  rows: { label: string; count: number }[];
  xTitle: string;
  yTitle: string;
}): VegaLiteSpec {
  return {
    title: o.title,
    width: 360,
    height: Math.max(60, 24 * o.rows.length),
    data: { values: o.rows },
    mark: 'bar',
    encoding: {
      y: { field: 'label', type: 'nominal', title: o.yTitle, sort: null },
      x: { field: 'count', type: 'quantitative', title: o.xTitle },
    },
  };
}
