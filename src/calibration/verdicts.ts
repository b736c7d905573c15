import { extname } from 'node:path';
import { InputError } from '../core/errors.js';
import { readCsvRows } from '../io/csv.js';
import { readJsonl } from '../io/jsonl.js';
import { VERDICTS, type Verdict } from '../rubrics/pairwise.js';
import { cohenKappa, krippendorffAlpha } from '../stats/agreement.js';
import { bootstrapCis } from '../stats/bootstrap.js';
import type { Interval } from '../stats/descriptive.js';
import { type AltTestResult, altTest, meanOverRaterPairs } from './alt-test.js';

/**
 * Calibration of a pairwise judge against people's verdicts (`plumb calibrate` on a pairwise
 * file): the judge's order-consistent verdict per pair beside each rater's `A` / `B` / `tie`.
 * Agreement is counted over every (pair, rater) label, as MT-Bench's human-agreement figures are
 * (the chance a random person and the judge agree on a random pair); Krippendorff's α treats the
 * judge as one more coder. The human ceiling is the same figures among the raters themselves.
 */

export interface VerdictItem {
  id: string;
  judge: Verdict;
  ratings: Map<string, Verdict>;
}

const code = (v: Verdict) => VERDICTS.indexOf(v);

function parseVerdict(file: string, line: number, v: unknown): Verdict {
  if (typeof v === 'string' && (VERDICTS as readonly string[]).includes(v)) return v as Verdict;
  throw new InputError(file, line, `verdict must be one of ${VERDICTS.join(', ')}, got ${JSON.stringify(v)}`);
}

/** Whether a scores file holds pairwise verdicts: its first line has `verdict` and no `scores`. */
export async function isVerdictFile(file: string): Promise<boolean> {
  for await (const { value } of readJsonl(file)) return 'verdict' in value && !('scores' in value);
  return false;
}

/** The judge's verdict per pair id (a pairwise output, or any file of `{id, verdict}`); null verdicts are unjudged. */
export async function readJudgeVerdicts(
  file: string,
): Promise<{ verdicts: Map<string, Verdict>; unjudged: number }> {
  const verdicts = new Map<string, Verdict>();
  let unjudged = 0;
  for await (const { line, value } of readJsonl(file)) {
    if (value.id === undefined || value.id === null || value.id === '')
      throw new InputError(file, line, 'missing "id"');
    if (value.verdict === null || value.verdict === undefined) {
      unjudged += 1;
      continue;
    }
    const id = String(value.id);
    if (verdicts.has(id)) throw new InputError(file, line, `duplicate id "${id}"`);
    verdicts.set(id, parseVerdict(file, line, value.verdict));
  }
  return { verdicts, unjudged };
}

/**
 * People's verdicts: JSONL `{id, rater, verdict}` a line, or a CSV with those columns. A rater's
 * later line for the same pair replaces the earlier one, and an empty verdict on it clears it
 * (`plumb rate` appends a line for every change, a cleared verdict included).
 */
export async function readGoldVerdicts(
  file: string,
): Promise<{ id: string; rater: string; verdict: Verdict }[]> {
  const latest = new Map<string, { id: string; rater: string; verdict: Verdict | null }>();
  const add = (line: number, id: unknown, rater: unknown, verdict: unknown) => {
    if (id === undefined || id === null || id === '') throw new InputError(file, line, 'missing "id"');
    if (rater !== undefined && rater !== null && typeof rater !== 'string')
      throw new InputError(file, line, '"rater" must be a string');
    const who = (rater as string | undefined) || 'gold';
    const rated = !(verdict === undefined || verdict === null || verdict === '');
    const key = `${String(id)}\u0000${who}`;
    // not rated, and nothing earlier to clear: nothing to record
    if (!rated && !latest.has(key)) return;
    latest.set(key, {
      id: String(id),
      rater: who,
      verdict: rated ? parseVerdict(file, line, verdict) : null,
    });
  };
  if (extname(file).toLowerCase() === '.csv') {
    for (const { line, row } of await readCsvRows(file)) add(line, row.id, row.rater, row.verdict);
  } else for await (const { line, value } of readJsonl(file)) add(line, value.id, value.rater, value.verdict);
  const out = [...latest.values()].filter(
    (g): g is { id: string; rater: string; verdict: Verdict } => g.verdict !== null,
  );
  if (out.length === 0)
    throw new InputError(
      file,
      undefined,
      'no verdicts in the file (a gold line is {"id", "rater", "verdict": "A"|"B"|"tie"})',
    );
  return out;
}

export interface VerdictAgreement {
  /** Pairs with a judge verdict and at least one rater's. */
  items: number;
  /** (pair, rater) labels compared. */
  ratings: number;
  accuracy: number | null;
  cohen_kappa: number | null;
  krippendorff_alpha_nominal: number | null;
  /** Rows: the rater's verdict; columns: the judge's. */
  confusion: { labels: Verdict[]; counts: number[][] };
}

export function verdictAgreement(items: readonly VerdictItem[]): VerdictAgreement {
  const human: number[] = [];
  const judge: number[] = [];
  const counts = VERDICTS.map(() => VERDICTS.map(() => 0));
  for (const it of items)
    for (const v of it.ratings.values()) {
      human.push(code(v));
      judge.push(code(it.judge));
      counts[code(v)]![code(it.judge)]! += 1;
    }
  const agree = human.filter((h, i) => h === judge[i]).length;
  return {
    items: items.length,
    ratings: human.length,
    accuracy: human.length ? agree / human.length : null,
    cohen_kappa: cohenKappa(human, judge, 0, VERDICTS.length - 1, 'none'),
    krippendorff_alpha_nominal: krippendorffAlpha(
      items.map((it) => [code(it.judge), ...[...it.ratings.values()].map(code)]),
      'nominal',
    ),
    confusion: { labels: [...VERDICTS], counts },
  };
}

/** The same figures among the raters: agreement over every pair of raters on a pair, κ per pair of raters, α. */
export function verdictCeiling(items: readonly VerdictItem[]) {
  const multi = items.filter((it) => it.ratings.size >= 2);
  let pairs = 0;
  let agree = 0;
  for (const it of multi) {
    const vs = [...it.ratings.values()];
    for (let i = 0; i < vs.length; i++)
      for (let j = i + 1; j < vs.length; j++) {
        pairs += 1;
        if (vs[i] === vs[j]) agree += 1;
      }
  }
  const { raters, mean } = meanOverRaterPairs(multi, (a, b) =>
    cohenKappa(a.map(code), b.map(code), 0, VERDICTS.length - 1, 'none'),
  );
  return {
    items_with_2plus_raters: multi.length,
    raters,
    accuracy: pairs ? agree / pairs : null,
    mean_pairwise_cohen_kappa: mean,
    krippendorff_alpha_nominal: krippendorffAlpha(
      multi.map((it) => [...it.ratings.values()].map(code)),
      'nominal',
    ),
  };
}

export interface VerdictCalibration {
  kind: 'verdict-calibration';
  n: { judged: number; unjudged: number; gold_items: number; matched: number; raters: string[] };
  agreement: VerdictAgreement;
  /** Percentile bootstrap over pairs (a pair's raters stay together). */
  ci: {
    accuracy: Interval | null;
    cohen_kappa: Interval | null;
    krippendorff_alpha_nominal: Interval | null;
  };
  bootstrap: { resamples: number; seed: number; confidence: number };
  human_ceiling: ReturnType<typeof verdictCeiling>;
  alt_test: AltTestResult | null;
}

/** Joins judge and gold verdicts by id and computes every figure. */
export function calibrateVerdicts(
  judge: { verdicts: Map<string, Verdict>; unjudged: number },
  gold: { id: string; rater: string; verdict: Verdict }[],
  opts: {
    resamples: number;
    seed: number;
    confidence: number;
    altTest?: { epsilon: number; q: number; minItems: number } | null;
  },
): VerdictCalibration {
  const byId = new Map<string, Map<string, Verdict>>();
  for (const g of gold) {
    if (!byId.has(g.id)) byId.set(g.id, new Map());
    byId.get(g.id)!.set(g.rater, g.verdict);
  }
  const items: VerdictItem[] = [];
  for (const [id, ratings] of byId) {
    const j = judge.verdicts.get(id);
    if (j) items.push({ id, judge: j, ratings });
  }
  const agreement = verdictAgreement(items);
  const figures = (idx: number[]) => {
    const a = verdictAgreement(idx.map((i) => items[i]!));
    const v = [a.accuracy, a.cohen_kappa, a.krippendorff_alpha_nominal];
    return v.every((x) => x !== null) ? (v as number[]) : null;
  };
  const boot = { resamples: opts.resamples, seed: opts.seed, confidence: opts.confidence };
  const { intervals } = bootstrapCis(items.length, 3, figures, boot);
  return {
    kind: 'verdict-calibration',
    n: {
      judged: judge.verdicts.size,
      unjudged: judge.unjudged,
      gold_items: byId.size,
      matched: items.length,
      raters: [...new Set(gold.map((g) => g.rater))].sort(),
    },
    agreement,
    ci: { accuracy: intervals[0]!, cohen_kappa: intervals[1]!, krippendorff_alpha_nominal: intervals[2]! },
    bootstrap: boot,
    human_ceiling: verdictCeiling(items),
    alt_test: opts.altTest
      ? altTest(
          items.map((it) => ({
            id: it.id,
            judge: code(it.judge),
            ratings: new Map([...it.ratings].map(([r, v]) => [r, code(v)])),
          })),
          { ...opts.altTest, labels: 'categorical' },
        )
      : null,
  };
}
