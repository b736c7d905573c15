import { krippendorffAlpha, quadraticWeightedKappa } from '../stats/agreement.js';
import { benjaminiYekutieli } from '../stats/multiple-testing.js';
import { oneSampleT } from '../stats/ttest.js';

/** One item: the judge's value and each human rater's. */
export interface MultiRatedItem {
  id: string;
  judge: number;
  ratings: Map<string, number>;
}

export interface AltTestOptions {
  /** The cost-benefit margin ε: how much worse than a human the judge may be (paper: 0.1–0.2). */
  epsilon: number;
  /** FDR level for the Benjamini–Yekutieli correction across annotators. */
  q: number;
  /** Annotators with fewer usable items are left out (paper default 30). */
  minItems: number;
  /** `numeric` compares by negative RMSE to the other annotators; `categorical` by accuracy. */
  labels: 'numeric' | 'categorical';
}

export interface AnnotatorResult {
  annotator: string;
  n: number;
  /** Share of items where the judge is at least as close to the others as this annotator. */
  judge_win_rate: number;
  human_win_rate: number;
  t: number | null;
  p: number;
  p_adjusted: number;
  rejected: boolean;
}

export interface AltTestResult {
  epsilon: number;
  q: number;
  annotators: AnnotatorResult[];
  excluded: { annotator: string; n: number }[];
  winning_rate: number | null;
  advantage_probability: number | null;
  /** True when the winning rate is at least 0.5: the judge may replace the annotators. */
  passed: boolean | null;
  verdict: string;
}

/**
 * The alternative-annotator test (Calderon, Reichart & Dror, ACL 2025). For each annotator j in
 * turn, on items j rated along with at least one other annotator, compare how well the judge and
 * j agree with the remaining annotators (negative RMSE, or accuracy); a tie is a win for both.
 * Test H0: P(j wins) − P(judge wins) ≥ ε with a one-sided one-sample t-test on the per-item
 * differences, correct across annotators with Benjamini–Yekutieli at q, and report the share of
 * annotators the judge "beats" (winning rate) and its mean win rate (advantage probability).
 */
export function altTest(items: readonly MultiRatedItem[], opts: AltTestOptions): AltTestResult {
  const annotators = [...new Set(items.flatMap((it) => [...it.ratings.keys()]))].sort();
  const alignment = (candidate: number, others: number[]) =>
    opts.labels === 'numeric'
      ? -Math.sqrt(others.reduce((s, o) => s + (candidate - o) ** 2, 0) / others.length)
      : others.filter((o) => o === candidate).length / others.length;

  const tested: Omit<AnnotatorResult, 'p_adjusted' | 'rejected'>[] = [];
  const excluded: { annotator: string; n: number }[] = [];
  for (const a of annotators) {
    const diffs: number[] = [];
    let judgeWins = 0;
    let humanWins = 0;
    for (const it of items) {
      const mine = it.ratings.get(a);
      if (mine === undefined || it.ratings.size < 2) continue;
      const others = [...it.ratings].filter(([r]) => r !== a).map(([, v]) => v);
      const sj = alignment(it.judge, others);
      const sh = alignment(mine, others);
      const wj = sj >= sh ? 1 : 0;
      const wh = sh >= sj ? 1 : 0;
      judgeWins += wj;
      humanWins += wh;
      diffs.push(wh - wj);
    }
    if (diffs.length < opts.minItems) {
      excluded.push({ annotator: a, n: diffs.length });
      continue;
    }
    const t = oneSampleT(diffs, opts.epsilon, 'less');
    tested.push({
      annotator: a,
      n: diffs.length,
      judge_win_rate: judgeWins / diffs.length,
      human_win_rate: humanWins / diffs.length,
      t: t.t,
      p: t.p,
    });
  }
  const adjusted = benjaminiYekutieli(tested.map((t) => t.p));
  const results: AnnotatorResult[] = tested.map((t, i) => ({
    ...t,
    p_adjusted: adjusted[i]!,
    rejected: adjusted[i]! <= opts.q,
  }));
  const winning = results.length ? results.filter((r) => r.rejected).length / results.length : null;
  const advantage = results.length
    ? results.reduce((s, r) => s + r.judge_win_rate, 0) / results.length
    : null;
  const passed = winning === null ? null : winning >= 0.5;
  const verdict =
    passed === null
      ? `not enough data: no annotator has ${opts.minItems} items shared with another annotator`
      : passed
        ? `the judge may replace the annotators (winning rate ${winning!.toFixed(2)} ≥ 0.5 at ε=${opts.epsilon})`
        : `keep the human annotators (winning rate ${winning!.toFixed(2)} < 0.5 at ε=${opts.epsilon})`;
  return {
    epsilon: opts.epsilon,
    q: opts.q,
    annotators: results,
    excluded,
    winning_rate: winning,
    advantage_probability: advantage,
    passed,
    verdict,
  };
}

/** Inter-human agreement, the ceiling a judge is measured against. */
export interface HumanCeiling {
  items_with_2plus_raters: number;
  raters: string[];
  krippendorff_alpha_interval: number | null;
  mean_pairwise_qwk: number | null;
}

/** Krippendorff's α and the mean pairwise κ over the items two or more people rated. */
export function humanCeiling(items: readonly MultiRatedItem[], min: number, max: number): HumanCeiling {
  const multi = items.filter((it) => it.ratings.size >= 2);
  const alpha = krippendorffAlpha(
    multi.map((it) => [...it.ratings.values()]),
    'interval',
  );
  const { raters, mean } = meanOverRaterPairs(multi, (a, b) => quadraticWeightedKappa(a, b, min, max));
  return {
    items_with_2plus_raters: multi.length,
    raters,
    krippendorff_alpha_interval: alpha,
    mean_pairwise_qwk: mean,
  };
}

/**
 * A statistic of two raters' values on the items both rated, for every pair of raters, averaged
 * (pairs where it is undefined left out): the mean pairwise κ of a human ceiling.
 */
export function meanOverRaterPairs<T>(
  items: readonly { ratings: Map<string, T> }[],
  statistic: (a: T[], b: T[]) => number | null,
): { raters: string[]; mean: number | null } {
  const raters = [...new Set(items.flatMap((it) => [...it.ratings.keys()]))].sort();
  const values: number[] = [];
  for (let i = 0; i < raters.length; i++)
    for (let j = i + 1; j < raters.length; j++) {
      const a: T[] = [];
      const b: T[] = [];
      for (const it of items) {
        const x = it.ratings.get(raters[i]!);
        const y = it.ratings.get(raters[j]!);
        if (x !== undefined && y !== undefined) {
          a.push(x);
          b.push(y);
        }
      }
      const v = statistic(a, b);
      if (v !== null) values.push(v);
    }
  return { raters, mean: values.length ? values.reduce((s, v) => s + v, 0) / values.length : null };
}
