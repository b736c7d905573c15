import { barChart, interactionPlot, intervalPlot, renderSvg, type VegaLiteSpec } from './charts.js';

/** One figure: its SVG and a caption saying what n and which interval. */
export interface Figure {
  id: string;
  svg: string;
  caption: string;
}

export interface Section {
  title: string;
  source: string;
  /** Rubric / judge / version stamps, for the footer. */
  stamps: string[];
  figures: Figure[];
  notes: string[];
}

type Estimate = { value: number | null; ci: [number, number] | null; n?: number };
type Json = Record<string, unknown>;

const fig = async (id: string, spec: VegaLiteSpec, caption: string): Promise<Figure> => ({
  id,
  svg: await renderSvg(spec),
  caption,
});

/** What kind of plumb output a parsed file is, or null. */
export function kindOf(doc: Json): 'score' | 'calibration' | 'audit' | 'pairwise' | null {
  if (doc.kind === 'score') return 'score';
  if (doc.kind === 'audit') return 'audit';
  if (doc.kind === 'pairwise') return 'pairwise';
  if (doc.join && doc.level && doc.scale) return 'calibration';
  return null;
}

/** A score summary: AAI / EII by role × personalization, criterion means, unscored items, cost. */
export async function scoreSection(s: Json, source: string): Promise<Section> {
  const rubric = s.rubric as { id: string; version: string; hash: string };
  const judge = s.judge as { provider: string; model: string };
  const n = s.n as { total: number; scored: number; unscored_by_kind: Record<string, number> };
  const figures: Figure[] = [];
  const clustered = s.clustered
    ? `, cluster-robust over ${(s.clustered as { clusters: number }).clusters} prompt groups`
    : '';
  for (const [name, idx] of Object.entries(
    (s.indices ?? {}) as Record<
      string,
      { conditions: (Estimate & { role: string; personalization: string })[] }
    >,
  )) {
    const rows = idx.conditions
      .filter((c) => c.value !== null)
      .map((c) => ({
        x: c.personalization,
        series: c.role,
        value: c.value!,
        lo: c.ci?.[0] ?? null,
        hi: c.ci?.[1] ?? null,
      }));
    if (!rows.length) continue;
    const ns = idx.conditions.map((c) => c.n ?? 0);
    figures.push(
      await fig(
        `${name}-interaction`,
        interactionPlot({
          title: `${name.toUpperCase()} by personalization, one line per role`,
          rows,
          xTitle: 'personalization',
          yTitle: `${name.toUpperCase()} (index, 0–1)`,
          seriesTitle: 'role',
        }),
        `Mean ${name.toUpperCase()} per condition with 95% t-intervals${clustered}; n = ${
          Math.min(...ns) === Math.max(...ns) ? Math.min(...ns) : `${Math.min(...ns)}–${Math.max(...ns)}`
        } items per condition, ${n.scored} scored in all.`,
      ),
    );
  }
  const criteria = Object.entries((s.criteria ?? {}) as Record<string, Estimate>).filter(
    ([, e]) => e.value !== null,
  );
  if (criteria.length)
    figures.push(
      await fig(
        'criteria',
        intervalPlot({
          title: `Criterion means, ${rubric.id}@${rubric.version}`,
          rows: criteria.map(([k, e]) => ({
            label: k,
            value: e.value!,
            lo: e.ci?.[0] ?? null,
            hi: e.ci?.[1] ?? null,
          })),
          xTitle: 'mean score (rubric scale points)',
          yTitle: 'criterion',
        }),
        `Mean judge score per criterion with 95% intervals${clustered}; n = ${n.scored} scored items.`,
      ),
    );
  const unscored = Object.entries(n.unscored_by_kind ?? {});
  if (unscored.length)
    figures.push(
      await fig(
        'unscored',
        barChart({
          title: 'Unscored items by reason',
          rows: unscored.map(([label, count]) => ({ label, count })),
          xTitle: 'items',
          yTitle: 'reason',
        }),
        `${n.total - n.scored} of ${n.total} items unscored; none was given a default score.`,
      ),
    );
  const usage = s.usage as { input_tokens: number; output_tokens: number; cost_usd: number | null };
  return {
    title: `Scores: ${rubric.id}@${rubric.version}, judge ${judge.provider}:${judge.model}`,
    source,
    stamps: [
      `rubric ${rubric.id}@${rubric.version} (sha256 ${rubric.hash.slice(0, 12)}…)`,
      `judge ${judge.provider}:${judge.model}`,
    ],
    figures,
    notes: [
      `${n.scored} of ${n.total} items scored; ${s.requests} requests; ${usage.input_tokens}+${usage.output_tokens} tokens; cost ${usage.cost_usd === null ? 'unknown' : `$${usage.cost_usd.toFixed(4)}`}.`,
    ],
  };
}

/** A calibration (`calibrate --json`): agreement with CIs beside the human ceiling; PPI++ vs classical vs naive. */
export async function calibrationSection(c: Json, source: string): Promise<Section> {
  const level = c.level as string;
  const metrics = (c[level] ?? {}) as Record<string, Record<string, Estimate & { n?: number }>>;
  const focus = metrics.overall ? 'overall' : Object.keys(metrics)[0]!;
  const m = metrics[focus] ?? {};
  const names = [
    'pearson',
    'spearman',
    'kendall_tau_b',
    'qwk',
    'krippendorff_alpha_interval',
    'krippendorff_alpha_ordinal',
  ];
  const rows = names
    .filter((k) => m[k] && m[k]!.value !== null)
    .map((k) => ({ label: k, value: m[k]!.value!, lo: m[k]!.ci?.[0] ?? null, hi: m[k]!.ci?.[1] ?? null }));
  const ceiling = c.human_ceiling as {
    krippendorff_alpha_interval: number | null;
    items_with_2plus_raters: number;
  } | null;
  const join = c.join as { matched: number };
  const figures: Figure[] = [];
  if (rows.length)
    figures.push(
      await fig(
        'agreement',
        intervalPlot({
          title: `Judge–human agreement on ${focus} (${level} level)`,
          rows,
          xTitle: 'coefficient (−1 to 1)',
          yTitle: 'metric',
          ...(ceiling?.krippendorff_alpha_interval != null
            ? { rule: { value: ceiling.krippendorff_alpha_interval, label: 'human ceiling' } }
            : {}),
        }),
        `Agreement of judge and human scores with 95% percentile bootstrap CIs; n = ${join.matched} items with gold.${
          ceiling?.krippendorff_alpha_interval != null
            ? ` Dashed line: the human ceiling, Krippendorff's α (interval) among raters = ${ceiling.krippendorff_alpha_interval.toFixed(3)} over ${ceiling.items_with_2plus_raters} items with 2+ raters.`
            : ''
        }`,
      ),
    );
  type Corrected = { estimate: number; ci: [number, number] };
  const ppi = c.ppi as
    | (Json & {
        estimate: number | null;
        ci: [number, number];
        classical: Corrected;
        naive: Corrected;
        n_labelled: number;
        n_unlabelled: number;
      })
    | null;
  if (ppi && ppi.estimate !== null)
    figures.push(
      await fig(
        'ppi',
        intervalPlot({
          title: `Mean ${String(ppi.criterion)}: PPI++, gold only and judge only`,
          rows: [
            { label: 'PPI++', value: ppi.estimate, lo: ppi.ci[0], hi: ppi.ci[1] },
            {
              label: 'gold only',
              value: ppi.classical.estimate,
              lo: ppi.classical.ci[0],
              hi: ppi.classical.ci[1],
            },
            {
              label: 'judge only (uncorrected)',
              value: ppi.naive.estimate,
              lo: ppi.naive.ci[0],
              hi: ppi.naive.ci[1],
            },
          ],
          xTitle: 'mean (human scale points)',
          yTitle: 'estimator',
        }),
        `${100 * (1 - Number(ppi.alpha ?? 0.05))}% intervals; ${ppi.n_labelled} items with gold, ${ppi.n_unlabelled} judged only.`,
      ),
    );
  return {
    title: `Calibration against human gold (${join.matched} items)`,
    source,
    stamps: [],
    figures,
    notes: [],
  };
}
