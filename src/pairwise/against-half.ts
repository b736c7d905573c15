import { type ShareRow, shareAgainstHalf } from '../stats/mixed/analyses.js';
import { UNDECIDED_KINDS, type UndecidedKind } from './combine.js';

/**
 * The test against 50 % of Kelley & Riedl (2026): of the pairs comparing a baseline reply with a
 * treatment reply (`--contrast personalization=none,profile`: the generic reply is A, the
 * personalized B), the share of decided pairs in which the judge chose the treatment side, per
 * group (model × dataset × role × rubric), with its Wilson interval, the exact binomial test
 * against 50 % and the binomial GLMM intercept `y ~ 1 + (1 | question)` (`shareAgainstHalf`).
 *
 * Pure: it reads what the pair lines carry (verdict, error.kind, metadata), so a table can be
 * recomputed from the lines alone.
 */

/** What one pair contributes: the verdict in the pair's labels, or why there is none. */
export interface AgainstHalfPair {
  id: string;
  verdict: 'A' | 'B' | 'tie' | null;
  /** `error.kind` of a pair without a verdict. */
  errorKind?: string | null;
  metadata: Record<string, unknown>;
  /** The rubric id (the paper's dimension). */
  rubric: string;
}

export interface AgainstHalfGroup {
  /** metadata.model, metadata.dataset, metadata.role (null when the pairs do not carry one). */
  model: string | null;
  dataset: string | null;
  role: string | null;
  rubric: string;
  /** The contrasted field and its two values: A is the baseline, B the treatment. */
  field: string;
  baseline: string;
  treatment: string;
  /** Every pair of the group. */
  pairs: number;
  /** Pairs with a verdict for one side: the denominator of the share. */
  decided: number;
  /** Judged but without a verdict (forced choice): excluded from the share, counted by reason. */
  undecided: Record<UndecidedKind, number>;
  /** Tie verdicts (a rubric that allows ties): excluded from the share, counted. */
  ties: number;
  /** Not judged (a provider error, an invalid reply, an empty response). */
  failed: number;
  /** Decided pairs whose verdict was the treatment side. */
  preferring_treatment: number;
  /** preferring_treatment / decided, with the Wilson 95 % interval. */
  share: number | null;
  wilson95: [number, number] | null;
  /** R's binom.test(preferring_treatment, decided, 0.5): two-sided exact p and Clopper–Pearson interval. */
  binom: { p: number; ci95: [number, number] } | null;
  /**
   * The GLMM intercept on the logit scale (H0: β₀ = 0, a typical question's share = 50 %), with a
   * random intercept per question (metadata.question_id); `model` says when the plain logistic
   * intercept stands in (every question once) and `singular` when the question variance is zero.
   */
  glmm: {
    model: 'glmm' | 'logistic';
    estimate: number;
    se: number;
    z: number;
    p: number;
    question_variance: number | null;
    singular: boolean;
  } | null;
  /**
   * Why `glmm` is null, in words a table can carry (no decided pair; every decided pair prefers one
   * side, so the intercept's log-odds are infinite); null when there is a fit.
   */
  glmm_note: string | null;
  /** Distinct questions among the decided pairs. */
  questions: number;
  /** Plain-language notes: a singular fit, a fallback, no model. */
  notes: string[];
}

const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : v == null ? null : String(v);

/** The side a contrast pair calls its treatment, or null for a pair that is not a contrast. */
function contrastOf(m: Record<string, unknown>): { field: string; a: string; b: string } | null {
  const c = m.contrast as { field?: unknown; a?: unknown; b?: unknown } | undefined;
  if (!c || typeof c !== 'object') return null;
  if (typeof c.field !== 'string' || typeof c.a !== 'string' || typeof c.b !== 'string') return null;
  return { field: c.field, a: c.a, b: c.b };
}

/** What a pair clusters with: its question (the paper's random intercept), else the pair itself. */
export function questionOf(p: AgainstHalfPair): string {
  return str(p.metadata.question_id) ?? str(p.metadata.a_id) ?? p.id;
}

const compare = (a: string | null, b: string | null) => (a ?? '').localeCompare(b ?? '');

/** What a group of pairs shares: the key of one row of the test against 50 %. */
export type AgainstHalfKey = Pick<
  AgainstHalfGroup,
  'model' | 'dataset' | 'role' | 'rubric' | 'field' | 'baseline' | 'treatment'
>;

/**
 * The pairs by model × dataset × role × rubric × contrast, in the tables' order (dataset, rubric,
 * model, role, treatment). Pairs that are not baseline-vs-treatment contrasts are left out.
 */
export function groupPairs(
  pairs: Iterable<AgainstHalfPair>,
): { key: AgainstHalfKey; pairs: AgainstHalfPair[] }[] {
  const groups = new Map<string, { key: AgainstHalfKey; pairs: AgainstHalfPair[] }>();
  for (const p of pairs) {
    const c = contrastOf(p.metadata);
    if (!c) continue;
    const key: AgainstHalfKey = {
      model: str(p.metadata.model),
      dataset: str(p.metadata.dataset),
      role: str(p.metadata.role),
      rubric: p.rubric,
      field: c.field,
      baseline: c.a,
      treatment: c.b,
    };
    const k = JSON.stringify(key);
    if (!groups.has(k)) groups.set(k, { key, pairs: [] });
    groups.get(k)!.pairs.push(p);
  }
  return [...groups.values()].sort(
    ({ key: x }, { key: y }) =>
      compare(x.dataset, y.dataset) ||
      compare(x.rubric, y.rubric) ||
      compare(x.model, y.model) ||
      compare(x.role, y.role) ||
      compare(x.treatment, y.treatment),
  );
}

/** The decided pairs as the test's rows: y = 1 when the treatment side was chosen, clustered by question. */
export function decidedRows(pairs: readonly AgainstHalfPair[]): (ShareRow & { id: string })[] {
  return pairs.flatMap((p) =>
    p.verdict === 'A' || p.verdict === 'B'
      ? [{ y: p.verdict === 'B' ? (1 as const) : (0 as const), group: questionOf(p), id: p.id }]
      : [],
  );
}

/** One group per model × dataset × role × rubric × contrast, in that sort order. */
export function againstHalf(pairs: Iterable<AgainstHalfPair>): AgainstHalfGroup[] {
  return groupPairs(pairs).map(({ key, pairs }) => groupOf(key, pairs));
}

function groupOf(key: AgainstHalfKey, pairs: AgainstHalfPair[]): AgainstHalfGroup {
  const undecided = Object.fromEntries(UNDECIDED_KINDS.map((k) => [k, 0])) as Record<UndecidedKind, number>;
  let ties = 0;
  let failed = 0;
  for (const p of pairs) {
    if (p.verdict === 'A' || p.verdict === 'B') continue;
    if (p.verdict === 'tie') ties += 1;
    else if (p.errorKind && (UNDECIDED_KINDS as readonly string[]).includes(p.errorKind))
      undecided[p.errorKind as UndecidedKind] += 1;
    else failed += 1;
  }
  const s = shareAgainstHalf(decidedRows(pairs));
  const notes = [...s.warnings];
  const hasFit = s.intercept !== null && s.model !== null;
  return {
    ...key,
    pairs: pairs.length,
    decided: s.n,
    undecided,
    ties,
    failed,
    preferring_treatment: s.successes,
    share: s.share.estimate,
    wilson95: s.share.ci95,
    binom: s.exact,
    glmm:
      s.intercept && s.model
        ? {
            model: s.model,
            estimate: s.intercept.estimate,
            se: s.intercept.se,
            z: s.intercept.z,
            p: s.intercept.p,
            question_variance: s.groupVariance,
            singular: s.singular,
          }
        : null,
    glmm_note: hasFit ? null : glmmNote(key, s.n, s.successes),
    questions: s.groups,
    notes,
  };
}

/** Why a group has no intercept: nothing decided, or separation (every decided pair on one side). */
export function glmmNote(
  key: Pick<AgainstHalfGroup, 'baseline' | 'treatment'>,
  decided: number,
  preferringTreatment: number,
): string {
  if (decided === 0) return 'no decided pair: nothing to test, so no GLMM';
  const side =
    preferringTreatment === decided ? `the treatment (${key.treatment})` : `the baseline (${key.baseline})`;
  return `all ${decided} decided pairs prefer ${side}: the GLMM has no finite estimate (separation: the share's log-odds are infinite); the exact binomial test and the Wilson interval stand`;
}
