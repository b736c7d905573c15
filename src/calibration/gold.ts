import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../core/errors.js';
import { readCsvRows } from '../io/csv.js';
import { readJsonl } from '../io/jsonl.js';

/**
 * How an item came into the gold, as `plumb gold sample` records it on the rating sheet (CSV
 * columns of these names; a `design` object on JSONL rows). Units are items, or whole prompts
 * (clusters) when `clustered_by` is set:
 * - `stratified_by`: the field the sample was stratified on (empty: not stratified), and `stratum`
 *   the item's value of it;
 * - `stratum_size`: how many units (items, or prompts) of that stratum the scores held;
 * - `inclusion_probability`: the unit's chance of being drawn (units drawn / stratum_size);
 * - `clustered_by`: the field whole prompts were drawn by, and `cluster` the item's value of it;
 * - `design`: `active` for an active draw (`gold sample --active`: Poisson sampling with πᵢ from
 *   the judge's uncertainty, `inclusion_probability` the item's own πᵢ and `stratum_size` the
 *   number of scored items N the draw was made from), `sequential` for a row of a sequential
 *   session (`rate --active`); empty for the designs above.
 */
export interface ItemDesign {
  design?: string;
  stratified_by?: string;
  stratum?: string;
  stratum_size?: number;
  inclusion_probability?: number;
  clustered_by?: string;
  cluster?: string;
}

/** The design columns of a rating sheet, in the order the CSV sheet has them (after the criteria). */
export const DESIGN_COLUMNS = [
  'stratified_by',
  'stratum_size',
  'inclusion_probability',
  'clustered_by',
  'cluster',
  'design',
] as const;

/** One human rating line: several per id when several people rated the item. */
export interface GoldRating {
  id: string;
  rater: string;
  scores: Record<string, number>;
  /** How the item was drawn, when the gold is a rating sheet that says. */
  design?: ItemDesign;
  /** Where the rating came from, for errors about its values. */
  file?: string;
  line?: number;
}

/** Columns of a rating sheet that carry item text or its design, not ratings. */
export const SHEET_TEXT_COLUMNS = [
  ...DESIGN_COLUMNS,
  'id',
  'rater',
  'prompt',
  'response',
  'reference',
  'role',
  'personalization',
  'stratum',
  'notes',
  'question',
  'first_answer',
  'challenge',
];

function toScore(file: string, line: number, key: string, v: unknown): number | undefined {
  if (v === null || v === undefined || v === '') return undefined; // not rated
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n))
    throw new InputError(file, line, `score "${key}" is not a number: ${JSON.stringify(v)}`);
  return n;
}

/** The design fields of a sheet row (CSV cells or a JSONL `design` object), when it has any. */
function designOf(file: string, line: number, raw: Record<string, unknown>): ItemDesign | undefined {
  const d: ItemDesign = {};
  const text = (k: keyof ItemDesign) => {
    const v = raw[k];
    if (v !== undefined && v !== null && String(v).trim() !== '')
      (d as Record<string, unknown>)[k] = String(v);
  };
  const number = (k: 'stratum_size' | 'inclusion_probability', ok: (n: number) => boolean, what: string) => {
    const v = raw[k];
    if (v === undefined || v === null || String(v).trim() === '') return;
    const n = Number(v);
    if (!Number.isFinite(n) || !ok(n))
      throw new InputError(file, line, `"${k}" is ${JSON.stringify(v)}: ${what}`);
    d[k] = n;
  };
  text('stratified_by');
  text('stratum');
  text('clustered_by');
  text('cluster');
  text('design');
  number('stratum_size', (n) => Number.isInteger(n) && n >= 1, 'expected a whole number ≥ 1');
  number('inclusion_probability', (n) => n > 0 && n <= 1, 'expected a probability in (0, 1]');
  return Object.keys(d).length ? d : undefined;
}

/**
 * Reads gold ratings from JSONL (`{"id", "rater"?, "scores": {...}}`), from a filled rating
 * sheet (the CSV or JSONL `plumb gold sample` writes), or from the ratings `plumb rate` appends
 * (`{"rater", "id", "criterion", "value"}` a line). Blank cells are "not rated", not zero.
 */
export async function readGold(file: string): Promise<GoldRating[]> {
  if (extname(file).toLowerCase() === '.csv') return readGoldCsv(file);
  const out: GoldRating[] = [];
  // `plumb rate` appends one rating a line, {rater, id, criterion, value, time}: the latest of a
  // rater's ratings of a criterion counts (a rater may change their mind)
  const single = new Map<string, GoldRating>();
  for await (const { line, value } of readJsonl(file)) {
    if (value.id === undefined || value.id === null || value.id === '')
      throw new InputError(file, line, 'missing "id"');
    if (typeof value.criterion === 'string' && !('scores' in value)) {
      if (typeof value.rater !== 'string' || !value.rater)
        throw new InputError(file, line, 'missing "rater"');
      const key = `${value.rater}\u0000${value.id}`;
      if (!single.has(key)) {
        const rating: GoldRating = { id: String(value.id), rater: value.rater, scores: {}, file, line };
        single.set(key, rating);
        out.push(rating);
      }
      const n = value.value === null ? undefined : toScore(file, line, value.criterion, value.value);
      const scores = single.get(key)!.scores;
      if (n === undefined) delete scores[value.criterion];
      else scores[value.criterion] = n;
      continue;
    }
    const scores = value.scores;
    if (!scores || typeof scores !== 'object' || Array.isArray(scores))
      throw new InputError(file, line, 'missing "scores" object');
    const parsed: Record<string, number> = {};
    for (const [k, v] of Object.entries(scores)) {
      const n = toScore(file, line, k, v);
      if (n !== undefined) parsed[k] = n;
    }
    if (value.rater !== undefined && value.rater !== null && typeof value.rater !== 'string')
      throw new InputError(file, line, '"rater" must be a string');
    const design =
      value.design && typeof value.design === 'object' && !Array.isArray(value.design)
        ? designOf(file, line, value.design as Record<string, unknown>)
        : undefined;
    out.push({
      id: String(value.id),
      rater: (value.rater as string | undefined) ?? '',
      scores: parsed,
      ...(design ? { design } : {}),
      file,
      line,
    });
  }
  if (out.length === 0) throw new InputError(file, undefined, 'no gold ratings in the file');
  return out;
}

async function readGoldCsv(file: string): Promise<GoldRating[]> {
  const rows = await readCsvRows(file);
  if (rows.length === 0) throw new InputError(file, undefined, 'no rows below the header');
  return rows.map(({ line, row }) => {
    if (!row.id) throw new InputError(file, line, 'missing "id"');
    const scores: Record<string, number> = {};
    for (const [k, v] of Object.entries(row)) {
      if (SHEET_TEXT_COLUMNS.includes(k)) continue;
      const n = toScore(file, line, k, v);
      if (n !== undefined) scores[k] = n;
    }
    const design = designOf(file, line, { ...row });
    return { id: row.id, rater: row.rater ?? '', scores, ...(design ? { design } : {}), file, line };
  });
}

/**
 * The sheet a gold file's ratings belong to and how its items were drawn: for a filled sheet (CSV
 * or JSONL) its own rows; for the ratings `plumb rate` appends (`<prefix>.ratings.jsonl`), the
 * sheet beside them (`<prefix>.jsonl`, else `<prefix>.csv`), whose rows also say which items were
 * drawn but not rated. Null when the gold is plain ratings with no sheet to say how they were drawn.
 */
export interface SheetDesign {
  /** The file the design was read from. */
  file: string;
  /** Every drawn item (rated or not) with its design (empty when the sheet records none). */
  items: Map<string, ItemDesign>;
}

export async function readSheetDesign(
  goldFile: string,
  gold: readonly GoldRating[],
): Promise<SheetDesign | null> {
  if (RATINGS.test(goldFile)) return readSheetDesignOf(goldFile);
  return designOfRows(goldFile, gold);
}

const RATINGS = /\.ratings\.jsonl$/i;

/**
 * The design of the sheet a gold file belongs to, read from the design fields alone (not the
 * ratings): also for a sheet of pairs, whose verdicts (A, B, tie) are no scores. For the ratings
 * `plumb rate` appends, the sheet beside them; null when there is no sheet or it records no design.
 */
export async function readSheetDesignOf(goldFile: string): Promise<SheetDesign | null> {
  const ratings = RATINGS.exec(goldFile);
  if (!ratings) return designOfRows(goldFile, await readDesignRows(goldFile));
  const prefix = goldFile.slice(0, ratings.index);
  for (const sheet of [`${prefix}.jsonl`, `${prefix}.csv`]) {
    if (!(await stat(sheet).catch(() => null))) continue;
    return designOfRows(sheet, await readDesignRows(sheet));
  }
  return null;
}

/** Each row's id and design (CSV cells or a JSONL `design` object), bad design values named by line. */
async function readDesignRows(file: string): Promise<Pick<GoldRating, 'id' | 'design'>[]> {
  const out: Pick<GoldRating, 'id' | 'design'>[] = [];
  const add = (line: number, id: unknown, raw: unknown) => {
    if (id === undefined || id === null || id === '') return;
    const design =
      raw && typeof raw === 'object' && !Array.isArray(raw)
        ? designOf(file, line, raw as Record<string, unknown>)
        : undefined;
    out.push({ id: String(id), ...(design ? { design } : {}) });
  };
  if (extname(file).toLowerCase() === '.csv')
    for (const { line, row } of await readCsvRows(file)) add(line, row.id, { ...row });
  else for await (const { line, value } of readJsonl(file)) add(line, value.id, value.design);
  return out;
}

function designOfRows(file: string, rows: readonly Pick<GoldRating, 'id' | 'design'>[]): SheetDesign | null {
  if (!rows.some((r) => r.design)) return null;
  const items = new Map<string, ItemDesign>();
  for (const r of rows) if (!items.has(r.id)) items.set(r.id, r.design ?? {});
  return { file, items };
}

/**
 * Checks that ratings can be compared with the scores at all, and says which of the ways they
 * cannot it is (each is exit 2): nothing rated yet (an unfilled sheet), values outside the scale
 * (named at file:line), criteria the scores do not have. Returns the criteria the gold rates.
 */
export function checkGold(
  gold: readonly GoldRating[],
  goldFile: string,
  scale: { min: number; max: number },
  scoredCriteria: string[],
): string[] {
  const rated = gold.filter((g) => Object.keys(g.scores).length > 0);
  if (rated.length === 0)
    throw new InputError(
      goldFile,
      undefined,
      `no ratings filled in yet (${gold.length} rows, every score cell empty): rate some items, then calibrate`,
    );
  for (const g of rated) {
    for (const [criterion, v] of Object.entries(g.scores)) {
      if (v < scale.min || v > scale.max)
        throw new InputError(
          g.file ?? goldFile,
          g.line,
          `"${criterion}" is ${v}, outside the scale ${scale.min}–${scale.max} of the scores`,
        );
    }
  }
  const goldCriteria = [...new Set(rated.flatMap((g) => Object.keys(g.scores)))].sort();
  const known = new Set([...scoredCriteria, 'overall']);
  if (!goldCriteria.some((c) => known.has(c)))
    throw new InputError(
      goldFile,
      undefined,
      `the gold rates ${goldCriteria.join(', ')}, which the scores do not have (they have: ${scoredCriteria.join(', ')}, overall)`,
    );
  return goldCriteria;
}
