import { join, relative } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonl } from '../io/jsonl.js';
import { type AgainstHalfGroup, type AgainstHalfPair, againstHalf } from '../pairwise/against-half.js';
import { type TurnRow, turnByCondition } from '../stats/mixed/analyses.js';
import type { Step } from './plan.js';
import type { Study } from './schema.js';

/**
 * The paper's tables, from the steps' outputs alone: the test against 50 % per data set ×
 * dimension × model (× role) for each treatment, the same for each control vs the generic reply,
 * and the multi-turn `abandoned ~ turn * condition + (1 | question)` GLMM per arm. Every row
 * names the file its figures come from.
 */

export interface PairwiseRow extends AgainstHalfGroup {
  /** The pair lines the row was computed from, relative to the study's out folder. */
  source: string;
}

export interface MultiturnTerm {
  arm: string;
  model: string | null;
  term: string;
  estimate: number;
  se: number;
  z: number;
  p: number;
  n: number;
  questions: number;
  reference: string;
  singular: boolean;
  source: string;
}

export interface StudyAnalysis {
  kind: 'study-analysis';
  study: { name: string; file: string; hash: string };
  pairwise: PairwiseRow[];
  controls: PairwiseRow[];
  multiturn: MultiturnTerm[];
  /** Arms whose model could not be fitted, one sentence each. */
  notes: string[];
}

/** The pair lines of one pairwise step, as the test against 50 % reads them. */
export async function readPairs(file: string): Promise<AgainstHalfPair[]> {
  const out: AgainstHalfPair[] = [];
  for await (const { value } of readJsonl(file)) {
    const v = value as {
      id: string;
      verdict: AgainstHalfPair['verdict'];
      error?: { kind?: string };
      metadata?: Record<string, unknown>;
      rubric?: { id?: string };
    };
    out.push({
      id: v.id,
      verdict: v.verdict,
      errorKind: v.error?.kind ?? null,
      metadata: v.metadata ?? {},
      rubric: v.rubric?.id ?? 'unknown',
    });
  }
  return out;
}

/**
 * The multi-turn rows of an arm: y = 1 when the turn's verdict is abandoned / not aligned (stance
 * value 0), 0 otherwise; challenged turns only (turn ≥ 1); unjudged turns left out.
 */
export async function turnRows(transcripts: string): Promise<(TurnRow & { model: string | null })[]> {
  const rows: (TurnRow & { model: string | null })[] = [];
  for await (const { value } of readJsonl(transcripts)) {
    const l = value as {
      turn: number;
      personalization: string;
      question_id: string;
      model?: string;
      stance?: { value?: number | null };
    };
    if (l.turn < 1) continue;
    const v = l.stance?.value;
    rows.push({
      y: typeof v === 'number' ? (v === 0 ? 1 : 0) : null,
      turn: l.turn,
      condition: l.personalization,
      group: l.question_id,
      model: l.model ?? null,
    });
  }
  return rows;
}

export async function analyse(study: Study, steps: Step[], out: string): Promise<StudyAnalysis> {
  const pairwise: PairwiseRow[] = [];
  const controls: PairwiseRow[] = [];
  for (const s of steps) {
    if (s.kind !== 'pairwise') continue;
    const groups = againstHalf(await readPairs(s.out));
    const rows = groups.map((g) => ({ ...g, source: relative(out, s.out) }));
    (s.control ? controls : pairwise).push(...rows);
  }
  const multiturn: MultiturnTerm[] = [];
  const notes: string[] = [];
  for (const s of steps) {
    if (s.kind !== 'probe') continue;
    const file = join(s.out, 'transcripts.jsonl');
    const all = await turnRows(file);
    const models = [...new Set(all.map((r) => r.model))];
    for (const model of models) {
      const rows = all.filter((r) => r.model === model);
      const ref = s.arm.conditions[0];
      try {
        const fit = turnByCondition(rows, ref);
        const base = {
          arm: s.arm.name,
          model,
          n: fit.n,
          questions: fit.groups,
          reference: fit.reference,
          singular: fit.singular,
          source: relative(out, file),
        };
        const terms: [string, { estimate: number; se: number; z: number; p: number }][] = [
          ['(Intercept)', fit.intercept],
          ['turn', fit.turn],
          ...Object.entries(fit.conditions).map(([l, c]) => [`condition${l}`, c] as [string, typeof c]),
          ...Object.entries(fit.interactions).map(
            ([l, c]) => [`turn:condition${l}`, c] as [string, typeof c],
          ),
        ];
        for (const [term, c] of terms)
          multiturn.push({ ...base, term, estimate: c.estimate, se: c.se, z: c.z, p: c.p });
      } catch (err) {
        notes.push(
          `${s.arm.name}${model ? ` / ${model}` : ''}: no turn × condition model (${(err as Error).message})`,
        );
      }
    }
  }
  return {
    kind: 'study-analysis',
    study: { name: study.name, file: study.path, hash: study.hash },
    pairwise,
    controls,
    multiturn,
    notes,
  };
}

const PAIR_COLUMNS = [
  'dataset',
  'dimension',
  'model',
  'role',
  'baseline',
  'treatment',
  'n_pairs',
  'n_decided',
  'n_undecided',
  'n_failed',
  'n_preferring_treatment',
  'share',
  'wilson_lo',
  'wilson_hi',
  'binom_p',
  'glmm_model',
  'beta',
  'se',
  'z',
  'p',
  'singular',
  'source',
] as const;

const num = (x: number | null | undefined, d = 6) =>
  x === null || x === undefined ? '' : Number(x.toPrecision(d)).toString();

function pairRecord(r: PairwiseRow): Record<(typeof PAIR_COLUMNS)[number], string> {
  return {
    dataset: r.dataset ?? '',
    dimension: r.rubric,
    model: r.model ?? '',
    role: r.role ?? '',
    baseline: r.baseline,
    treatment: r.treatment,
    n_pairs: String(r.pairs),
    n_decided: String(r.decided),
    n_undecided: String(r.undecided.orders_disagree + r.undecided.split_vote),
    n_failed: String(r.failed),
    n_preferring_treatment: String(r.preferring_treatment),
    share: num(r.share),
    wilson_lo: num(r.wilson95?.[0]),
    wilson_hi: num(r.wilson95?.[1]),
    binom_p: num(r.binom?.p),
    glmm_model: r.glmm?.model ?? '',
    beta: num(r.glmm?.estimate),
    se: num(r.glmm?.se),
    z: num(r.glmm?.z),
    p: num(r.glmm?.p),
    singular: r.glmm ? String(r.glmm.singular) : '',
    source: r.source,
  };
}

const MT_COLUMNS = [
  'arm',
  'model',
  'term',
  'beta',
  'se',
  'z',
  'p',
  'n',
  'questions',
  'reference',
  'singular',
  'source',
] as const;

function mtRecord(t: MultiturnTerm): Record<(typeof MT_COLUMNS)[number], string> {
  return {
    arm: t.arm,
    model: t.model ?? '',
    term: t.term,
    beta: num(t.estimate),
    se: num(t.se),
    z: num(t.z),
    p: num(t.p),
    n: String(t.n),
    questions: String(t.questions),
    reference: t.reference,
    singular: String(t.singular),
    source: t.source,
  };
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function csv<K extends string>(columns: readonly K[], rows: Record<K, string>[]): string {
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
}

function markdown<K extends string>(
  title: string,
  note: string,
  columns: readonly K[],
  rows: Record<K, string>[],
): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return `# ${title}\n\n${note}\n\n| ${columns.join(' | ')} |\n| ${columns.map(() => '---').join(' | ')} |\n${rows
    .map((r) => `| ${columns.map((c) => esc(r[c])).join(' | ')} |`)
    .join('\n')}\n`;
}

const PAIR_NOTE =
  "One row per data set × dimension × model (× role): of the pairs generic (A) vs treatment (B), `n_decided` had a verdict; `n_undecided` were judged without one (forced choice: orders or votes disagreed) and are left out, as are `n_failed`. `share` = n_preferring_treatment / n_decided with its Wilson 95 % interval; `binom_p` is R's binom.test against 0.5; `beta`, `se`, `z`, `p` are the intercept of the binomial GLMM y ~ 1 + (1 | question) (glmer, Laplace), H0 share = 50 % — `glmm_model` logistic where every question has one pair (the random intercept is then unidentifiable). `source` is the pair lines the row comes from.";

/** Writes `<out>/analysis.json` and `<out>/tables/{pairwise,controls,multiturn}.{csv,md}`. */
export async function writeTables(analysis: StudyAnalysis, out: string): Promise<string[]> {
  const files: string[] = [];
  const write = async (name: string, text: string) => {
    const path = join(out, name);
    await writeFileAtomic(path, text);
    files.push(path);
  };
  const p = analysis.pairwise.map(pairRecord);
  const c = analysis.controls.map(pairRecord);
  const m = analysis.multiturn.map(mtRecord);
  await write('tables/pairwise.csv', csv(PAIR_COLUMNS, p));
  await write(
    'tables/pairwise.md',
    markdown(`${analysis.study.name}: share preferring the personalized reply`, PAIR_NOTE, PAIR_COLUMNS, p),
  );
  await write('tables/controls.csv', csv(PAIR_COLUMNS, c));
  await write(
    'tables/controls.md',
    markdown(`${analysis.study.name}: each control vs the generic reply`, PAIR_NOTE, PAIR_COLUMNS, c),
  );
  await write('tables/multiturn.csv', csv(MT_COLUMNS, m));
  await write(
    'tables/multiturn.md',
    markdown(
      `${analysis.study.name}: multi-turn abandonment`,
      `The binomial GLMM abandoned ~ turn * condition + (1 | question) per arm and model (Laplace, as lme4's glmer); abandoned = the turn's verdict is not aligned (stance value 0); challenged turns 1…T; the reference condition is the arm's first. ${analysis.notes.join(' ')}`,
      MT_COLUMNS,
      m,
    ),
  );
  await write('analysis.json', `${JSON.stringify(analysis, null, 2)}\n`);
  return files;
}
