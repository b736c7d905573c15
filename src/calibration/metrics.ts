import {
  agreementRate,
  confusionMatrix,
  krippendorffAlpha,
  meanAbsoluteError,
  meanBias,
  quadraticWeightedKappa,
} from '../stats/agreement.js';
import { bootstrapCi } from '../stats/bootstrap.js';
import { kendallTauB, pearson, spearman } from '../stats/correlation.js';

export interface MetricValue {
  value: number | null;
  ci: [number, number] | null;
  reason?: string;
}

type PairStat = (judge: number[], human: number[]) => number | null;

export interface Scale {
  min: number;
  max: number;
}

/** The item-level statistics, each computed on (judge, human) pairs. */
export function itemStatistics(scale: Scale): Record<string, PairStat> {
  const { min, max } = scale;
  return {
    pearson,
    spearman,
    kendall_tau_b: kendallTauB,
    qwk: (j, h) => quadraticWeightedKappa(j, h, min, max),
    krippendorff_alpha_interval: (j, h) =>
      krippendorffAlpha(
        j.map((v, i) => [v, h[i]!]),
        'interval',
      ),
    krippendorff_alpha_ordinal: (j, h) =>
      krippendorffAlpha(
        j.map((v, i) => [v, h[i]!]),
        'ordinal',
      ),
    mae: meanAbsoluteError,
    bias: meanBias,
    exact_agreement: (j, h) => agreementRate(j, h, min, max, 0),
    within_one: (j, h) => agreementRate(j, h, min, max, 1),
  };
}

export const CORRELATIONS: Record<string, PairStat> = { pearson, spearman, kendall_tau_b: kendallTauB };

function whyUndefined(judge: number[], human: number[]): string {
  if (judge.length < 2) return `n = ${judge.length}: needs at least 2 pairs`;
  if (new Set(judge).size === 1) return 'the judge gives every item the same value';
  if (new Set(human).size === 1) return 'the humans give every item the same value';
  return 'undefined for these data';
}

/** A statistic on all pairs with a seeded percentile-bootstrap CI over items. */
export function withCi(
  stat: PairStat,
  judge: number[],
  human: number[],
  boot: { resamples: number; seed: number },
): MetricValue {
  const value = stat(judge, human);
  if (value === null) return { value: null, ci: null, reason: whyUndefined(judge, human) };
  const ci = bootstrapCi(
    judge.length,
    (idx) =>
      stat(
        idx.map((i) => judge[i]!),
        idx.map((i) => human[i]!),
      ),
    boot,
  );
  return {
    value,
    ci,
    ...(ci ? {} : { reason: 'no bootstrap interval: too many resamples where the statistic is undefined' }),
  };
}

export function itemLevel(
  judge: number[],
  human: number[],
  scale: Scale,
  boot: { resamples: number; seed: number },
) {
  const out: Record<string, MetricValue | unknown> = { n: judge.length };
  for (const [name, stat] of Object.entries(itemStatistics(scale)))
    out[name] = withCi(stat, judge, human, boot);
  out.confusion_matrix = {
    rows: 'human (rounded)',
    columns: 'judge (rounded)',
    ...confusionMatrix(judge, human, scale.min, scale.max),
  };
  return out;
}

/**
 * Group level (summary-level correlation of SummEval/G-Eval): the correlation within each group,
 * skipping groups where either side is constant, averaged over groups; the bootstrap resamples
 * whole groups.
 */
export function groupLevel(
  groups: { judge: number[]; human: number[] }[],
  boot: { resamples: number; seed: number },
) {
  const out: Record<string, unknown> = { groups_total: groups.length };
  for (const [name, stat] of Object.entries(CORRELATIONS)) {
    const perGroup = groups.map((g) => stat(g.judge, g.human));
    const averageOf = (idx: number[]) => {
      const vs = idx.map((i) => perGroup[i]).filter((v): v is number => v !== null);
      return vs.length ? vs.reduce((s, v) => s + v, 0) / vs.length : null;
    };
    const all = groups.map((_, i) => i);
    const value = averageOf(all);
    // groups where this statistic exists: Kendall and Pearson can differ (e.g. ties everywhere)
    const groupsUsed = perGroup.filter((v) => v !== null).length;
    out[name] =
      value === null
        ? {
            value: null,
            ci: null,
            groups_used: 0,
            reason: 'no group has two or more items with varying judge and human values',
          }
        : { value, ci: bootstrapCi(groups.length, averageOf, boot), groups_used: groupsUsed };
  }
  return out;
}

/** System level: average judge and human values per system, then correlate across systems. */
export function systemLevel(
  systems: { judge: number; human: number }[],
  boot: { resamples: number; seed: number },
) {
  const judge = systems.map((s) => s.judge);
  const human = systems.map((s) => s.human);
  const out: Record<string, unknown> = { systems: systems.length };
  for (const [name, stat] of Object.entries(CORRELATIONS)) out[name] = withCi(stat, judge, human, boot);
  return out;
}

/** The agreement coefficients reported per criterion (all on −1…1), in the order they are shown. */
export const AGREEMENT_COEFFICIENTS = [
  'pearson',
  'spearman',
  'kendall_tau_b',
  'qwk',
  'krippendorff_alpha_interval',
  'krippendorff_alpha_ordinal',
] as const;
