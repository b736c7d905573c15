import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { conditionKey, conditionOf } from '../core/conditions.js';
import { InputError, UsageError } from '../core/errors.js';
import { OUTPUT_KINDS, outputKind } from '../core/outputs.js';
import { readCsvRows, readText } from '../io/csv.js';
import { type JsonlLine, readJsonl } from '../io/jsonl.js';
import { readLabels } from '../probe/analyze.js';

/**
 * Rows for `plumb mixed` from a data file: any JSONL or CSV table, or one of plumb's own outputs,
 * recognised from its lines and turned into the rows a model of it needs:
 *
 * - `scores`: score lines (`plumb score --out`) — one row per line, as written; criteria are
 *   `scores.<name>`, the overall score `overall`, indices `indices.<name>`, metadata
 *   `metadata.<field>`; added: `condition` (`role/personalization` from the metadata).
 * - `pairwise`: pairwise lines (`plumb pairwise --out`) — by default one row per pair, with
 *   `preferred_a` = 1 when A was preferred, 0 when B was, and missing for a tie (an inconsistent
 *   pair, whose two orders disagreed, is a tie) or an unscored pair — so a model of `preferred_a`
 *   leaves ties out, and they are counted. `pairwiseUnit: 'order'` gives one row per order judged
 *   instead (`order` AB/BA, `preferred_a` of that order's verdict, `first_won` = the response shown
 *   first won, `pair` = the pair's id). Both add `tie`, `condition`, `question`
 *   (metadata.question_id) and `group` (metadata.group).
 * - `transcripts`: a probe run's transcripts.jsonl (or the probe folder) — one row per turn, with
 *   `question` (question_id), `condition` (`role/personalization`), `turn`, and from the turn's
 *   stance (or goal-alignment) verdict `abandoned` (1 when the verdict is 0: abandoned /
 *   accommodating) and `aligned` (1 when it is 2: maintained / aligned); both missing where the
 *   turn was not judged (the first answer under the stance rubric, a failed reply); `correct`
 *   from the correctness verdict where there is one.
 * - `labels`: per-turn labels as `plumb probe analyze --labels` reads them (`{conversation, turn,
 *   stance, …}`, JSONL or CSV) — one row per label, `stance` as 0/1/2, with `abandoned`,
 *   `aligned`, `question` (question_id, question, else the conversation) and `condition`.
 * - `table`: anything else — JSONL objects as they are; CSV cells typed as R's `read.csv` types
 *   them (a column of numbers is numeric, of TRUE/FALSE logical, else text; '' and NA missing).
 *
 * Added fields never replace a field the line already has.
 */
export type DataShape = 'table' | 'scores' | 'pairwise' | 'transcripts' | 'labels';

export const DATA_SHAPES = ['auto', 'table', 'scores', 'pairwise', 'transcripts', 'labels'] as const;

export interface ReadDataOptions {
  /** How to read the file; `auto` (default) recognises plumb's outputs from their lines. */
  as?: DataShape | 'auto';
  /** Pairwise lines: one row per pair (default) or per order judged. */
  pairwiseUnit?: 'pair' | 'order';
}

export interface MixedData {
  /** The file as named (for a probe folder, its transcripts.jsonl). */
  file: string;
  shape: DataShape;
  /** One sentence: what a row is. */
  describe: string;
  rows: Record<string, unknown>[];
  /** The line each row comes from (1-based; a CSV row's first line). */
  lines: number[];
  /** What was left out or added on the way, one sentence each (ties excluded, unjudged turns). */
  notes: string[];
  /** Rows read from the file, when a filter (`--where`) has left some of them out of `rows`. */
  read?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** What shape a plumb line is, from its fields. */
export function shapeOf(v: Record<string, unknown>): DataShape {
  if (isObject(v.judgements) && 'verdict' in v) return 'pairwise';
  if ('scores' in v && 'overall' in v && isObject(v.rubric)) return 'scores';
  if ('conversation' in v && 'turn' in v) {
    if ('reply' in v || isObject(v.stance)) return 'transcripts';
    if ('stance' in v) return 'labels';
  }
  return 'table';
}

/**
 * Adds derived fields to a row without replacing any field it has. An undefined value adds nothing
 * (a field no line has is then an unknown field, named as such); null adds a missing value.
 */
function derive(line: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = { ...line };
  for (const [k, v] of Object.entries(extra)) if (!(k in row) && v !== undefined) row[k] = v;
  return row;
}

const metaOf = (v: Record<string, unknown>): Record<string, unknown> =>
  isObject(v.metadata) ? v.metadata : {};

/** `role/personalization`, when the metadata names either. */
function conditionField(m: Record<string, unknown>): string | undefined {
  if (m.role === undefined && m.personalization === undefined) return undefined;
  return conditionKey(conditionOf(m));
}

const scalar = (v: unknown): string | number | undefined =>
  typeof v === 'string' || typeof v === 'number' ? v : undefined;

/** Score lines: one row per line, with `condition`. */
export function scoreRows(lines: readonly JsonlLine[]): Pick<MixedData, 'rows' | 'lines' | 'notes'> {
  const unscored = lines.filter((l) => !isObject(l.value.scores)).length;
  return {
    rows: lines.map((l) => derive(l.value, { condition: conditionField(metaOf(l.value)) })),
    lines: lines.map((l) => l.line),
    notes: unscored
      ? [`${unscored} of ${lines.length} lines are unscored (no scores): their scores.* fields are missing`]
      : [],
  };
}

const preferred = (v: unknown): 0 | 1 | null => (v === 'A' ? 1 : v === 'B' ? 0 : null);
const tieOf = (v: unknown): 0 | 1 | null => (v === 'tie' ? 1 : v === 'A' || v === 'B' ? 0 : null);

/** Pairwise lines: one row per pair (`preferred_a`, ties missing) or per order judged. */
export function pairwiseRows(
  lines: readonly JsonlLine[],
  unit: 'pair' | 'order' = 'pair',
): Pick<MixedData, 'rows' | 'lines' | 'notes'> {
  const rows: Record<string, unknown>[] = [];
  const at: number[] = [];
  let ties = 0;
  let inconsistent = 0;
  let unscored = 0;
  let orders = 0;
  let orderTies = 0;
  let orderUnscored = 0;
  for (const l of lines) {
    const v = l.value;
    const m = metaOf(v);
    const common = {
      condition: conditionField(m),
      question: scalar(m.question_id),
      group: scalar(m.group),
    };
    if (v.verdict === 'tie') {
      ties += 1;
      if (v.consistent === false) inconsistent += 1;
    } else if (v.verdict !== 'A' && v.verdict !== 'B') unscored += 1;
    if (unit === 'pair') {
      rows.push(derive(v, { preferred_a: preferred(v.verdict), tie: tieOf(v.verdict), ...common }));
      at.push(l.line);
      continue;
    }
    const judgements = isObject(v.judgements) ? v.judgements : {};
    for (const [order, j] of Object.entries(judgements)) {
      const verdict = isObject(j) ? j.verdict : undefined;
      if (verdict !== 'A' && verdict !== 'B' && verdict !== 'tie') {
        orderUnscored += 1;
        continue;
      }
      orders += 1;
      if (verdict === 'tie') orderTies += 1;
      const shown = isObject(j) ? j.shown : undefined;
      rows.push(
        derive(v, {
          order,
          order_verdict: verdict,
          preferred_a: preferred(verdict),
          tie: tieOf(verdict),
          first_won: preferred(shown),
          pair: v.id,
          ...common,
        }),
      );
      at.push(l.line);
    }
  }
  const notes =
    unit === 'pair'
      ? [
          `${lines.length} pairs: ${lines.length - ties - unscored} decisive, ${ties} tie${ties === 1 ? '' : 's'}` +
            `${inconsistent ? ` (${inconsistent} of them orders that disagreed)` : ''}` +
            `${unscored ? `, ${unscored} unscored` : ''}; preferred_a is missing for ties and unscored pairs, so a model of it leaves them out`,
        ]
      : [
          `${orders} judged orders of ${lines.length} pairs: ${orders - orderTies} decisive, ${orderTies} tie${orderTies === 1 ? '' : 's'}` +
            `${orderUnscored ? `; ${orderUnscored} unscored orders left out` : ''}; preferred_a is missing for ties`,
        ];
  return { rows, lines: at, notes };
}

const abandonedOf = (s: number | null) => (s === null ? null : s === 0 ? 1 : 0);
const alignedOf = (s: number | null) => (s === null ? null : s === 2 ? 1 : 0);

/** Probe transcript lines: one row per turn, with `abandoned`, `aligned`, `question`, `condition`. */
export function transcriptRows(lines: readonly JsonlLine[]): Pick<MixedData, 'rows' | 'lines' | 'notes'> {
  let unjudged = 0;
  let unjudgedFirst = 0;
  const rows = lines.map((l) => {
    const v = l.value;
    const st = isObject(v.stance) ? v.stance.value : undefined;
    const stance = typeof st === 'number' && [0, 1, 2].includes(st) ? st : null;
    if (stance === null) {
      unjudged += 1;
      if (v.turn === 0) unjudgedFirst += 1;
    }
    const correct = isObject(v.correctness) ? v.correctness.correct : undefined;
    return derive(v, {
      question: scalar(v.question_id),
      condition: conditionField(v),
      abandoned: abandonedOf(stance),
      aligned: alignedOf(stance),
      ...(correct === true || correct === false ? { correct: correct ? 1 : 0 } : {}),
    });
  });
  const notes = unjudged
    ? [
        `${unjudged} of ${lines.length} turns have no stance verdict (abandoned and aligned are missing there)` +
          (unjudgedFirst
            ? `: ${unjudgedFirst} first answers (turn 0), which the stance rubric does not judge` +
              (unjudged > unjudgedFirst
                ? `, and ${unjudged - unjudgedFirst} turns without a reply or verdict`
                : '')
            : ''),
      ]
    : [];
  return { rows, lines: lines.map((l) => l.line), notes };
}

/** R's read.csv: a column of numbers is numeric, of TRUE/FALSE logical, else text; '' and NA are missing. */
export function typeCsvColumns(
  records: readonly { line: number; row: Record<string, string> }[],
): JsonlLine[] {
  const names = records.length ? Object.keys(records[0]!.row) : [];
  const missing = (s: string) => s === '' || s === 'NA';
  const logical = new Set(['TRUE', 'FALSE', 'true', 'false', 'True', 'False', 'T', 'F']);
  const kinds = new Map(
    names.map((n) => {
      const vals = records.map((r) => r.row[n]!.trim()).filter((s) => !missing(s));
      if (vals.length && vals.every((s) => logical.has(s))) return [n, 'logical'];
      if (vals.length && vals.every((s) => Number.isFinite(Number(s)))) return [n, 'numeric'];
      return [n, 'text'];
    }),
  );
  return records.map(({ line, row }) => ({
    line,
    value: Object.fromEntries(
      names.map((n) => {
        const raw = row[n]!;
        const s = raw.trim();
        if (missing(s)) return [n, null];
        const kind = kinds.get(n);
        if (kind === 'numeric') return [n, Number(s)];
        if (kind === 'logical') return [n, s.startsWith('T') || s.startsWith('t')];
        return [n, raw];
      }),
    ),
  }));
}

/** Probe labels: one row per label line, typed as read, with stance 0/1/2 and the derived fields. */
async function labelRows(
  file: string,
  records: readonly JsonlLine[],
): Promise<Pick<MixedData, 'rows' | 'lines' | 'notes'>> {
  const labels = await readLabels(file);
  const byLine = new Map(records.map((r) => [r.line, r.value]));
  let unlabelled = 0;
  const rows = labels.map((l) => {
    if (l.stance === null) unlabelled += 1;
    const raw = byLine.get(l.line) ?? l.fields;
    const question = raw.question_id ?? raw.question ?? l.conversation;
    return derive(
      { ...raw, conversation: l.conversation, turn: l.turn, stance: l.stance },
      {
        question,
        condition: conditionField(raw),
        abandoned: abandonedOf(l.stance),
        aligned: alignedOf(l.stance),
      },
    );
  });
  return {
    rows,
    lines: labels.map((l) => l.line),
    notes: unlabelled
      ? [
          `${unlabelled} of ${labels.length} label lines have no stance (abandoned and aligned are missing there)`,
        ]
      : [],
  };
}

const DESCRIBE: Record<DataShape, string> = {
  table: 'one row per line',
  scores: 'plumb score lines: one row per scored item (criteria as scores.<name>)',
  pairwise: 'plumb pairwise lines: one row per pair (preferred_a: 1 = A preferred, 0 = B; ties missing)',
  transcripts:
    'probe transcripts: one row per turn (abandoned / aligned from the stance verdict; question, condition = role/personalization)',
  labels: 'probe labels: one row per labelled turn (stance 0/1/2, abandoned, aligned)',
};

/** A JSON document that is not JSONL: one of plumb's summaries (refused, saying what to give), or an array of rows. */
async function wholeJson(file: string, cause: InputError): Promise<JsonlLine[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readText(file));
  } catch {
    throw cause;
  }
  const kind = outputKind(doc);
  if (kind) {
    const hint =
      kind === 'probe' || kind === 'probe-run'
        ? 'give the run folder or its transcripts.jsonl'
        : kind === 'score'
          ? 'give the scores JSONL it summarises (plumb score --out)'
          : kind === 'pairwise'
            ? 'give the pairwise JSONL it summarises (plumb pairwise --out)'
            : 'give a JSONL or CSV file of rows';
    throw new InputError(file, undefined, `is ${OUTPUT_KINDS[kind]}, not rows to model: ${hint}`);
  }
  if (Array.isArray(doc) && doc.length > 0 && doc.every(isObject))
    return doc.map((value, i) => ({ line: i + 1, value: value as Record<string, unknown> }));
  throw cause;
}

async function readJsonlLines(file: string): Promise<JsonlLine[]> {
  const out: JsonlLine[] = [];
  try {
    for await (const l of readJsonl(file)) out.push(l);
  } catch (err) {
    if (err instanceof InputError && err.line === 1 && out.length === 0) return wholeJson(file, err);
    throw err;
  }
  return out;
}

/**
 * Reads `path` as rows for a mixed model: a JSONL or CSV file, or a probe folder (its
 * transcripts.jsonl). Throws InputError for an unreadable or empty file, a line that is not of
 * the shape the file's first line has, or one of plumb's summaries given in place of its lines.
 */
export async function readMixedData(path: string, options: ReadDataOptions = {}): Promise<MixedData> {
  let file = path;
  const st = await stat(path).catch(() => null);
  if (st?.isDirectory()) {
    const inside = join(path, 'transcripts.jsonl');
    if (!(await stat(inside).catch(() => null))?.isFile())
      throw new InputError(path, undefined, 'is a folder without a transcripts.jsonl: give a data file');
    file = inside;
  }
  const csv = extname(file).toLowerCase() === '.csv';
  const lines = csv ? typeCsvColumns(await readCsvRows(file)) : await readJsonlLines(file);
  if (lines.length === 0) throw new InputError(file, undefined, 'no rows in the file');
  const first = lines[0]!.value;
  const detected = outputKind(first);
  // a summary written on one line (JSON.stringify without indentation) is one JSONL line
  if (detected && !csv && lines.length === 1)
    throw new InputError(file, lines[0]!.line, `is ${OUTPUT_KINDS[detected]}, not rows to model`);
  const shape: DataShape =
    options.as && options.as !== 'auto'
      ? options.as
      : csv
        ? shapeOf(first) === 'labels'
          ? 'labels'
          : 'table'
        : shapeOf(first);
  if (csv && (shape === 'scores' || shape === 'pairwise' || shape === 'transcripts'))
    throw new UsageError(`--as ${shape} reads plumb's JSONL lines, and ${file} is a CSV file`);
  if (shape !== 'table' && shape !== 'labels') {
    const other = lines.find((l) => shapeOf(l.value) !== shape);
    if (other)
      throw new InputError(
        file,
        other.line,
        `not a ${shape} line (the file is read as ${shape}${options.as && options.as !== 'auto' ? ', as --as says' : ` from line ${lines[0]!.line}`}); use --as table to read every line as it is`,
      );
  }
  const built =
    shape === 'scores'
      ? scoreRows(lines)
      : shape === 'pairwise'
        ? pairwiseRows(lines, options.pairwiseUnit ?? 'pair')
        : shape === 'transcripts'
          ? transcriptRows(lines)
          : shape === 'labels'
            ? await labelRows(file, lines)
            : { rows: lines.map((l) => l.value), lines: lines.map((l) => l.line), notes: [] };
  const describe =
    shape === 'pairwise' && options.pairwiseUnit === 'order'
      ? 'plumb pairwise lines: one row per order judged (preferred_a of that order; ties missing)'
      : DESCRIBE[shape];
  return { file, shape, describe, ...built };
}
