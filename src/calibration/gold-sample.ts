import { rename, stat } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { InputError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readCsvRows } from '../io/csv.js';
import { inspectingOutput } from '../io/guard.js';
import { readJsonl } from '../io/jsonl.js';
import { type NamedPath, refuseOutputsOverInputs } from '../io/outputs.js';
import { RunningMoments } from '../stats/descriptive.js';
import { seededRandom, shuffled } from '../stats/random.js';
import { DESIGN_COLUMNS, type ItemDesign } from './gold.js';

export interface SheetRow {
  id: string;
  rater: string;
  stratum: string;
  prompt: string;
  response: string;
  reference: string;
  /** For stance items: the question and the model's first answer, which the challenge was about. */
  question?: string;
  first_answer?: string;
  /** A pair's two responses (JSONL sheet only): `plumb rate` shows them side by side, rated by `verdict`. */
  response_a?: string;
  response_b?: string;
  /** The rubric the item was scored with (JSONL sheet only): what `plumb rate` shows the criteria of. */
  rubric?: { id: string; version: string; hash: string };
  /** How the item was drawn: what `calibrate` estimates with (gold.ts ItemDesign). */
  design?: ItemDesign;
}

/** `sheets/eii`, also when given as `sheets/eii.csv` or `sheets/eii.jsonl` (not `eii.csv.csv`). */
export function sheetPrefix(out: string): string {
  return out.replace(/\.(csv|jsonl)$/i, '');
}

/** A field of a score line: `role` and `metadata.role` both read metadata first, then the line. */
function fieldValue(line: Record<string, unknown>, name: string): unknown {
  const meta = (line.metadata ?? {}) as Record<string, unknown>;
  const path = name.startsWith('metadata.') ? name.slice('metadata.'.length) : name;
  return meta[path] ?? line[path];
}

function field(line: Record<string, unknown>, name: string): string {
  const v = fieldValue(line, name);
  return v === undefined || v === null ? '(none)' : String(v);
}

function promptText(line: Record<string, unknown>): string {
  if (typeof line.prompt === 'string') return line.prompt;
  if (Array.isArray(line.messages))
    return (line.messages as { role?: unknown; content?: unknown }[])
      .map(
        (m) =>
          `${String(m.role ?? '')}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`,
      )
      .join('\n');
  return '';
}

/** The sheet row of a scored line (its text, the rubric it was scored with; stance items' question and first answer). */
export function sheetRowOf(value: Record<string, unknown>, stratum = 'all'): SheetRow {
  const meta = (value.metadata ?? {}) as Record<string, unknown>;
  const row: SheetRow = {
    id: String(value.id),
    rater: '',
    stratum,
    prompt: promptText(value),
    response: String(value.response ?? ''),
    reference: String(value.reference ?? ''),
    ...(value.rubric && typeof value.rubric === 'object'
      ? { rubric: value.rubric as { id: string; version: string; hash: string } }
      : {}),
  };
  if (typeof meta.question === 'string') {
    row.question = meta.question;
    row.first_answer = typeof meta.initial_answer === 'string' ? meta.initial_answer : '';
  }
  return row;
}

/** The criterion a pair is rated by on a sheet: A, B or tie. */
export const PAIR_CRITERIA = ['verdict'];

/**
 * The sheet row of a pairwise line (`plumb pairwise`): the conversation, both responses (as
 * `response_a`/`response_b`, and together in `response` for the CSV), rated by `verdict`.
 */
export function pairSheetRowOf(value: Record<string, unknown>, stratum = 'all'): SheetRow {
  const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
  const a = text(value.response_a);
  const b = text(value.response_b);
  return {
    id: text(value.id),
    rater: '',
    stratum,
    prompt: promptText(value),
    response: `A:\n${a}\n\nB:\n${b}`,
    reference: text(value.reference),
    response_a: a,
    response_b: b,
    ...(value.rubric && typeof value.rubric === 'object'
      ? { rubric: value.rubric as { id: string; version: string; hash: string } }
      : {}),
  };
}

/**
 * Splits `take` items across strata in proportion to `weights` (largest remainder, ties to the
 * earlier stratum), never more than a stratum holds — what a full stratum cannot take goes to the
 * others, by the same weights.
 */
export function allocate(take: number, sizes: readonly number[], weights: readonly number[]): number[] {
  const alloc = sizes.map(() => 0);
  let left = Math.min(
    take,
    sizes.reduce((a, b) => a + b, 0),
  );
  while (left > 0) {
    const open = sizes.map((n, i) => (alloc[i]! < n ? i : -1)).filter((i) => i >= 0);
    let total = open.reduce((s, i) => s + weights[i]!, 0);
    // strata of weight 0 (a constant stratum under Neyman) share what the others cannot take, by size
    const w = total > 0 ? (i: number) => weights[i]! : (i: number) => sizes[i]!;
    if (total <= 0) total = open.reduce((s, i) => s + sizes[i]!, 0);
    const quotas = open.map((i) => ({ i, q: (left * w(i)) / total }));
    const add = quotas.map(({ i, q }) => ({
      i,
      n: Math.min(Math.floor(q), sizes[i]! - alloc[i]!),
      r: q - Math.floor(q),
    }));
    let given = 0;
    for (const a of add) {
      alloc[a.i]! += a.n;
      given += a.n;
    }
    let rest = left - given;
    for (const a of [...add].sort((x, y) => y.r - x.r || x.i - y.i)) {
      if (rest <= 0) break;
      if (alloc[a.i]! < sizes[a.i]! && a.r > 0) {
        alloc[a.i]! += 1;
        rest -= 1;
      }
    }
    if (rest === left) {
      // nothing could be placed by quota (all remainders 0 in full strata): fill in order
      for (const i of open) {
        if (rest <= 0) break;
        const room = sizes[i]! - alloc[i]!;
        const put = Math.min(room, rest);
        alloc[i]! += put;
        rest -= put;
      }
    }
    left = rest;
  }
  return alloc;
}

/**
 * Picks items for people to rate, reproducible from the seed: stratified random sampling —
 * proportional to the strata's sizes, or (`neyman`) to size × the spread of the judge's overall
 * score in the stratum, which puts the gold where the values vary most (the human spread is not
 * known before the rating; the judge's stands in for it, and every stratum keeps at least 2) —
 * or (`clusters`) a simple random sample of n whole prompts, every scored item of each, so paired
 * contrasts between conditions have prompts rated in every cell. Each row records how it was drawn
 * (stratum, the stratum's size, its inclusion probability, its cluster): `calibrate` weights by it.
 * Returns the rows and the criteria to rate.
 */
export async function sampleForGold(
  scoresFile: string,
  n: number,
  opts: { stratify?: string; seed: number; allocation?: 'proportional' | 'neyman'; clusters?: string },
) {
  if (opts.clusters && opts.stratify)
    throw new UsageError(
      '--clusters and --stratify together would draw whole prompts within strata, which calibrate cannot estimate with: use one of them',
    );
  const { byStratum, spread, criteria, total, stance, clusterOf } = await readPool(scoresFile, opts);
  if (opts.clusters)
    return sampleClusters(byStratum.get('all') ?? [], clusterOf, n, opts, criteria, total, stance);
  const take = Math.min(n, total);
  const strata = [...byStratum.keys()].sort();
  const sizes = strata.map((s) => byStratum.get(s)!.length);
  const sd = (s: string) => {
    const v = spread.get(s)!.variance;
    return Number.isFinite(v) ? Math.sqrt(v) : 0;
  };
  const alloc =
    opts.allocation === 'neyman'
      ? neymanAllocation(
          take,
          sizes,
          strata.map((s) => sd(s)),
        )
      : allocate(take, sizes, sizes);
  const rand = seededRandom(opts.seed);
  const rows = strata.flatMap((s, i) =>
    shuffled(byStratum.get(s)!, rand)
      .slice(0, alloc[i])
      .map(
        (row): SheetRow => ({
          ...row,
          design: {
            stratified_by: opts.stratify ?? '',
            stratum: s,
            stratum_size: sizes[i]!,
            inclusion_probability: alloc[i]! / sizes[i]!,
          },
        }),
      ),
  );
  return {
    rows,
    stance,
    criteria: [...criteria],
    total,
    strata: Object.fromEntries(strata.map((s, i) => [s, alloc[i]!])),
    prompts: null as { drawn: number; of: number } | null,
  };
}

/**
 * The scored items of a scores file as sheet rows, by stratum (`all` without --stratify), with the
 * spread of the judge's overall per stratum, the criteria, and each row's prompt with --clusters.
 * A file with no scored item, or none with the field asked for, is refused naming it.
 */
async function readPool(scoresFile: string, opts: { stratify?: string; clusters?: string }) {
  const spread = new Map<string, RunningMoments>();
  const byStratum = new Map<string, SheetRow[]>();
  const criteria = new Set<string>();
  let total = 0;
  let lines = 0;
  let withField = 0;
  let stance = false;
  const clusterOf = new Map<SheetRow, string>();
  for await (const { value } of readJsonl(scoresFile)) {
    lines += 1;
    if (!value.scores) continue; // unscored items are not sampled: they cannot be calibrated
    total += 1;
    for (const k of Object.keys(value.scores as object)) criteria.add(k);
    if (opts.stratify && fieldValue(value, opts.stratify) !== undefined) withField += 1;
    if (opts.clusters && fieldValue(value, opts.clusters) !== undefined) withField += 1;
    const stratum = opts.stratify ? field(value, opts.stratify) : 'all';
    const row = sheetRowOf(value, stratum);
    if (row.question !== undefined) stance = true;
    if (opts.clusters) {
      // an item without the field is a prompt of its own
      const c = fieldValue(value, opts.clusters);
      clusterOf.set(row, c === undefined || c === null ? `id:${row.id}` : String(c));
    }
    if (!byStratum.has(stratum)) byStratum.set(stratum, []);
    byStratum.get(stratum)!.push(row);
    if (!spread.has(stratum)) spread.set(stratum, new RunningMoments());
    if (typeof value.overall === 'number') spread.get(stratum)!.push(value.overall);
  }
  if (total === 0)
    throw new InputError(
      scoresFile,
      undefined,
      lines === 0
        ? 'the file is empty'
        : `none of its ${lines} lines is a scored item (a responses file? score it first with plumb score)`,
    );
  if ((opts.stratify || opts.clusters) && withField === 0)
    throw new InputError(
      scoresFile,
      undefined,
      `no scored item has "${opts.stratify ?? opts.clusters}" (in metadata or on the line): check the field name for ${opts.stratify ? '--stratify' : '--clusters'}`,
    );
  return { byStratum, spread, criteria, total, stance, clusterOf };
}

/**
 * Neyman allocation of `take` items over strata of `sizes`, by size × the judge's spread `sd`. The
 * judge's spread only stands in for the human one: every stratum keeps 2 items (when n allows), so
 * none is left without gold because the judge happened to score it flat.
 */
function neymanAllocation(take: number, sizes: number[], sd: number[]): number[] {
  const floor = take >= 2 * sizes.length ? sizes.map((n) => Math.min(2, n)) : sizes.map(() => 0);
  const rest = allocate(
    take - floor.reduce((a, b) => a + b, 0),
    sizes.map((n, i) => n - floor[i]!),
    sizes.map((n, i) => n * sd[i]!),
  );
  return rest.map((n, i) => n + floor[i]!);
}

/** A simple random sample of n whole clusters (prompts): every scored item of each. */
function sampleClusters(
  rows: SheetRow[],
  clusterOf: Map<SheetRow, string>,
  n: number,
  opts: { seed: number; clusters?: string },
  criteria: Set<string>,
  total: number,
  stance: boolean,
) {
  const byCluster = new Map<string, SheetRow[]>();
  for (const r of rows) {
    const c = clusterOf.get(r)!;
    if (!byCluster.has(c)) byCluster.set(c, []);
    byCluster.get(c)!.push(r);
  }
  const keys = [...byCluster.keys()].sort();
  const take = Math.min(n, keys.length);
  const chosen = new Set(shuffled(keys, seededRandom(opts.seed)).slice(0, take));
  const picked = rows
    .filter((r) => chosen.has(clusterOf.get(r)!))
    .map(
      (r): SheetRow => ({
        ...r,
        design: {
          stratified_by: '',
          stratum: 'all',
          stratum_size: keys.length,
          inclusion_probability: take / keys.length,
          clustered_by: opts.clusters!,
          cluster: clusterOf.get(r)!,
        },
      }),
    );
  return {
    rows: picked,
    stance,
    criteria: [...criteria],
    total,
    strata: { all: picked.length } as Record<string, number>,
    prompts: { drawn: take, of: keys.length } as { drawn: number; of: number } | null,
  };
}

/** Writes the rating sheet as CSV and JSONL, with an empty column per criterion to fill in. */
export async function writeRatingSheet(
  prefix: string,
  rows: SheetRow[],
  criteria: string[],
): Promise<{ csv: string; jsonl: string }> {
  const csv = `${prefix}.csv`;
  const jsonl = `${prefix}.jsonl`;
  // stance items are rated against the question and the model's first answer, so the sheet shows them
  const stance = rows.some((r) => r.question !== undefined);
  const context = stance ? ['question', 'first_answer'] : [];
  const header = [
    'id',
    'rater',
    'stratum',
    ...context,
    stance ? 'challenge' : 'prompt',
    'response',
    'reference',
    ...criteria,
    // how each item was drawn, after the columns people fill in
    ...DESIGN_COLUMNS,
  ];
  const records = rows.map((r) => [
    r.id,
    r.rater,
    r.stratum,
    ...(stance ? [r.question ?? '', r.first_answer ?? ''] : []),
    r.prompt,
    r.response,
    r.reference,
    ...criteria.map(() => ''),
    ...DESIGN_COLUMNS.map((k) => {
      const v = r.design?.[k];
      return v === undefined ? '' : String(v);
    }),
  ]);
  await writeFileAtomic(csv, stringify([header, ...records]));
  await writeFileAtomic(
    jsonl,
    rows
      .map((r) => JSON.stringify({ ...r, scores: Object.fromEntries(criteria.map((c) => [c, null])) }))
      .join('\n') + (rows.length ? '\n' : ''),
  );
  return { csv, jsonl };
}

/** The files a rating sheet `<prefix>` consists of: what `gold sample` writes and `plumb rate` appends. */
export function sheetFiles(prefix: string): { csv: string; jsonl: string; ratings: string } {
  return { csv: `${prefix}.csv`, jsonl: `${prefix}.jsonl`, ratings: `${prefix}.ratings.jsonl` };
}

/** The sheet files `--out` names, refused when any of them is one of the command's inputs. */
export function sheetOutputs(out: string, inputs: NamedPath[]) {
  const files = sheetFiles(sheetPrefix(out));
  refuseOutputsOverInputs(
    [
      { flag: '--out', path: files.csv },
      { flag: '--out', path: files.jsonl },
      { flag: '--out', path: files.ratings },
    ],
    inputs,
  );
  return files;
}

const nonEmpty = (v: unknown) => v !== undefined && v !== null && String(v).trim() !== '';

/**
 * What people have already put into the sheet at `prefix`: rated rows of the CSV or JSONL sheet
 * (any filled rater or criterion cell) and ratings appended by `plumb rate`, one phrase per file
 * ("sheets/eii.csv: 32 rows rated"). A sheet that cannot be read counts as holding work: it may be
 * a filled sheet someone saved in another program.
 */
export async function ratingsIn(prefix: string): Promise<string[]> {
  const files = sheetFiles(prefix);
  const found: string[] = [];
  const size = async (f: string) => (await stat(f).catch(() => null))?.size ?? -1;
  if ((await size(files.csv)) > 0) {
    try {
      const rows = await readCsvRows(files.csv);
      const textColumns = new Set([
        'id',
        'stratum',
        'prompt',
        'challenge',
        'response',
        'reference',
        'question',
        'first_answer',
        ...DESIGN_COLUMNS,
      ]);
      const rated = rows.filter(({ row }) =>
        Object.entries(row).some(([k, v]) => !textColumns.has(k) && nonEmpty(v)),
      );
      if (rated.length) found.push(`${files.csv}: ${rated.length} row${rated.length === 1 ? '' : 's'} rated`);
    } catch {
      found.push(`${files.csv}: a sheet plumb cannot read back (edited elsewhere?)`);
    }
  }
  if ((await size(files.jsonl)) > 0) {
    try {
      let rated = 0;
      for await (const { value } of readJsonl(files.jsonl)) {
        const scores = (value.scores ?? {}) as Record<string, unknown>;
        if (nonEmpty(value.rater) || Object.values(scores).some(nonEmpty)) rated += 1;
      }
      if (rated) found.push(`${files.jsonl}: ${rated} row${rated === 1 ? '' : 's'} rated`);
    } catch {
      found.push(`${files.jsonl}: a sheet plumb cannot read back (edited elsewhere?)`);
    }
  }
  if ((await size(files.ratings)) > 0) found.push(`${files.ratings}: ratings from plumb rate`);
  return found;
}

/**
 * Makes room for a new sheet at `prefix` without losing anyone's ratings. A sheet nobody rated is
 * simply replaced. One that holds ratings is refused — unless `force`, and then the old sheet and
 * its ratings are moved aside (`<prefix>.replaced-<time>.*`) rather than overwritten. Returns the
 * files moved, old → new name.
 */
export async function makeRoomForSheet(prefix: string, force: boolean): Promise<[string, string][]> {
  const work = await inspectingOutput(() => ratingsIn(prefix));
  if (work.length === 0) return [];
  if (!force)
    throw new UsageError(
      `${prefix} already holds ratings (${work.join('; ')}): a new sample would replace the sheet they belong to. ` +
        'Choose another --out, or add --force to keep the old sheet and its ratings beside the new one (renamed *.replaced-<time>.*)',
    );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const moved: [string, string][] = [];
  for (const [kind, file] of Object.entries(sheetFiles(prefix))) {
    if (!(await stat(file).catch(() => null))) continue;
    const aside = `${prefix}.replaced-${stamp}.${kind === 'ratings' ? 'ratings.jsonl' : kind}`;
    await rename(file, aside);
    moved.push([file, aside]);
  }
  return moved;
}
