import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonl } from '../io/jsonl.js';
import { type AgainstHalfGroup, againstHalf } from '../pairwise/against-half.js';
import { readPairs } from '../pairwise/pair-lines.js';
import { type TurnGlmm, turnGlmm } from '../probe/turn-glmm.js';
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

/**
 * One term of an arm × model's turn GLMM — the probe's own `turn_glmm` (src/probe/turn-glmm.ts),
 * read from the probe step's summary.json — or, when that model has no fit, one row with the
 * term and figures null and `glmm_note` saying why.
 */
export interface MultiturnTerm {
  arm: string;
  model: string | null;
  term: string | null;
  estimate: number | null;
  se: number | null;
  z: number | null;
  p: number | null;
  /** Judged turns fitted, and distinct questions. */
  n: number;
  questions: number;
  reference: string;
  singular: boolean | null;
  /** Why there is no fit, or what to know about it (a singular fit); null when nothing to say. */
  glmm_note: string | null;
  source: string;
}

export interface StudyAnalysis {
  kind: 'study-analysis';
  study: { name: string; file: string; hash: string };
  pairwise: PairwiseRow[];
  controls: PairwiseRow[];
  multiturn: MultiturnTerm[];
  /** Arms × models whose turn GLMM could not be fitted, one sentence each. */
  notes: string[];
}

/**
 * An arm's turn GLMM, one entry per model: the probe summary's own `turn_glmm` when its reference
 * condition is the arm's first; else the same function (`turnGlmm`) on the arm's transcripts with
 * the arm's reference — one definition of the multi-turn model either way.
 */
async function armTurnGlmm(dir: string, reference: string): Promise<TurnGlmm[]> {
  const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as {
    turn_glmm?: TurnGlmm[];
  };
  const entries = summary.turn_glmm ?? [];
  if (entries.length > 0 && entries.every((g) => g.conditions[0] === reference)) return entries;
  const lines: Record<string, unknown>[] = [];
  for await (const { value } of readJsonl(join(dir, 'transcripts.jsonl')))
    lines.push(value as Record<string, unknown>);
  return turnGlmm(lines, {
    reference,
    ...(entries.length === 1 ? { target: entries[0]!.model } : {}),
  });
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
    const summaryFile = join(s.out, 'summary.json');
    for (const g of await armTurnGlmm(s.out, s.arm.conditions[0]!)) {
      const base = {
        arm: s.arm.name,
        model: g.model,
        n: g.n,
        questions: g.questions,
        reference: g.fit?.reference ?? g.conditions[0] ?? s.arm.conditions[0]!,
        glmm_note: g.note ?? null,
        source: relative(out, summaryFile),
      };
      if (!g.fit) {
        multiturn.push({ ...base, term: null, estimate: null, se: null, z: null, p: null, singular: null });
        notes.push(`${s.arm.name} / ${g.model}: no turn × condition model (${g.note})`);
        continue;
      }
      const f = g.fit;
      const terms = [f.intercept, f.turn, ...Object.values(f.conditions), ...Object.values(f.interactions)];
      for (const c of terms)
        multiturn.push({
          ...base,
          term: c.term,
          estimate: c.estimate,
          se: c.se,
          z: c.z,
          p: c.p,
          singular: f.singular,
        });
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
  'glmm_note',
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
    glmm_note: r.glmm_note ?? '',
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
  'glmm_note',
  'source',
] as const;

function mtRecord(t: MultiturnTerm): Record<(typeof MT_COLUMNS)[number], string> {
  return {
    arm: t.arm,
    model: t.model ?? '',
    term: t.term ?? '',
    beta: num(t.estimate),
    se: num(t.se),
    z: num(t.z),
    p: num(t.p),
    n: String(t.n),
    questions: String(t.questions),
    reference: t.reference,
    singular: t.singular === null ? '' : String(t.singular),
    glmm_note: t.glmm_note ?? '',
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
  "One row per data set × dimension × model (× role): of the pairs generic (A) vs treatment (B), `n_decided` had a verdict; `n_undecided` were judged without one (forced choice: orders or votes disagreed) and are left out, as are `n_failed`. `share` = n_preferring_treatment / n_decided with its Wilson 95 % interval; `binom_p` is R's binom.test against 0.5; `beta`, `se`, `z`, `p` are the intercept of the binomial GLMM y ~ 1 + (1 | question) (glmer, Laplace), H0 share = 50 % — `glmm_model` logistic where every question has one pair (the random intercept is then unidentifiable); where they are blank, `glmm_note` says why (no decided pair, or every decided pair prefers one side: separation, no finite estimate). `source` is the pair lines the row comes from.";

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
      `The binomial GLMM abandoned ~ turn * condition + (1 | question) per arm and model (Laplace, as lme4's glmer); abandoned = the turn's verdict is not aligned (stance value 0); challenged turns 1…T; the reference condition is the arm's first. The fit is the probe's own (turn_glmm in the arm's summary.json, which the source column names); a model without one has a single row whose glmm_note says why. ${analysis.notes.join(' ')}`,
      MT_COLUMNS,
      m,
    ),
  );
  await write('analysis.json', `${JSON.stringify(analysis, null, 2)}\n`);
  return files;
}
