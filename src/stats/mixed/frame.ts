import { UsageError } from '../../core/errors.js';
import type { ParsedFormula } from './formula.js';
import type { MixedFamily } from './types.js';

/**
 * The model frame: rows of plain objects → response y, fixed-effects matrix X (R's column names and
 * treatment coding), and one level index per row for every random term.
 *
 * Field types follow what R's `read.csv` + `model.matrix` would do with the same data:
 * - all values numbers → numeric predictor;
 * - all values booleans → R's logical, coded as a factor with levels FALSE < TRUE (term `xTRUE`);
 * - all values strings → factor with levels sorted by code point. R sorts in the session's locale,
 *   so the reference level agrees with R for ASCII names of one case (e.g. lowercase); `reference`
 *   overrides it (R's `relevel`).
 * Missing values — undefined, null, NaN, ±Infinity, '' — drop the row, and the drop is counted per field.
 */

export interface GroupFactor {
  /** lme4's name for the grouping factor, e.g. `g` or `b:a`. */
  name: string;
  /** Level labels (sorted), and each row's level index. */
  levels: string[];
  index: Int32Array;
}

export interface ModelFrame {
  n: number;
  y: Float64Array;
  /** Row-major n × p. */
  X: Float64Array;
  p: number;
  xNames: string[];
  groups: GroupFactor[];
  dropped: { count: number; reasons: Record<string, number> };
}

type Column =
  | { kind: 'numeric'; values: Float64Array }
  | { kind: 'factor'; levels: string[]; codes: Int32Array };

/** A field's value: a literal key first (`"a.b"`), else a dotted path into nested objects. */
function getField(row: Record<string, unknown>, name: string): unknown {
  if (name in row) return row[name];
  let cur: unknown = row;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as object))) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v));
}

/** Code-point order, locale independent (see the note at the top). */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function makeColumn(name: string, vals: unknown[], reference: string | undefined): Column {
  const types = new Set(vals.map((v) => typeof v));
  if (types.size > 1) {
    throw new UsageError(`field '${name}' mixes value types (${[...types].join(', ')}); give it one type`);
  }
  const t = [...types][0];
  if (t === 'number' && reference === undefined)
    return { kind: 'numeric', values: Float64Array.from(vals as number[]) };
  if (t !== 'number' && t !== 'string' && t !== 'boolean') {
    throw new UsageError(`field '${name}' holds ${t} values; use numbers, strings or booleans`);
  }
  const labels = vals.map((v) => (t === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v)));
  let levels = [...new Set(labels)].sort(t === 'number' ? (a, b) => Number(a) - Number(b) : byCodePoint);
  if (reference !== undefined) {
    if (!levels.includes(reference)) {
      throw new UsageError(
        `reference level '${reference}' of '${name}' does not occur (levels: ${levels.join(', ')})`,
      );
    }
    levels = [reference, ...levels.filter((l) => l !== reference)];
  }
  const pos = new Map(levels.map((l, i) => [l, i]));
  return { kind: 'factor', levels, codes: Int32Array.from(labels, (l) => pos.get(l)!) };
}

function makeResponse(name: string, vals: unknown[], family: MixedFamily): Float64Array {
  const types = new Set(vals.map((v) => typeof v));
  const t = types.size === 1 ? [...types][0] : 'mixed';
  if (family === 'gaussian') {
    if (t === 'number') return Float64Array.from(vals as number[]);
    if (t === 'boolean') return Float64Array.from(vals as boolean[], (v) => (v ? 1 : 0));
    throw new UsageError(`response '${name}' must be numeric for a gaussian model (found ${t} values)`);
  }
  if (t === 'boolean') return Float64Array.from(vals as boolean[], (v) => (v ? 1 : 0));
  if (t === 'number') {
    const bad = (vals as number[]).find((v) => v !== 0 && v !== 1);
    if (bad !== undefined) {
      throw new UsageError(
        `response '${name}' is not binary: binomial needs 0/1, true/false or two levels (found ${bad})`,
      );
    }
    return Float64Array.from(vals as number[]);
  }
  if (t === 'string') {
    const levels = [...new Set(vals as string[])].sort(byCodePoint);
    if (levels.length > 2) {
      throw new UsageError(
        `response '${name}' is not binary: it has ${levels.length} levels (${levels.slice(0, 5).join(', ')}${levels.length > 5 ? ', ...' : ''})`,
      );
    }
    // As R: the first level is failure (0), the other success (1).
    return Float64Array.from(vals as string[], (v) =>
      v === levels[0] && levels.length === 2 ? 0 : levels.length === 1 ? 0 : 1,
    );
  }
  throw new UsageError(
    `response '${name}' is not binary: binomial needs 0/1, true/false or two levels (found ${t} values)`,
  );
}

/** Build the frame; throws UsageError for unknown fields, no rows left, one-level grouping factors. */
export function buildFrame(
  rows: Record<string, unknown>[],
  f: ParsedFormula,
  family: MixedFamily,
  reference: Record<string, string> = {},
): ModelFrame {
  const fixedVars = [...new Set(f.fixed.flat())];
  const groupVars = [...new Set(f.random.flatMap((r) => r.factors))];
  const used = [...new Set([f.response, ...fixedVars, ...groupVars])];
  for (const name of used) {
    if (!rows.some((r) => getField(r, name) !== undefined)) {
      throw new UsageError(`unknown field '${name}': no row has it (formula ${f.response} ~ ...)`);
    }
  }
  for (const name of Object.keys(reference)) {
    if (!fixedVars.includes(name))
      throw new UsageError(`reference given for '${name}', which is not a fixed-effect predictor`);
  }
  const reasons: Record<string, number> = {};
  const keep: number[] = [];
  rows.forEach((row, i) => {
    let ok = true;
    for (const name of used) {
      if (isMissing(getField(row, name))) {
        reasons[name] = (reasons[name] ?? 0) + 1;
        ok = false;
      }
    }
    if (ok) keep.push(i);
  });
  const n = keep.length;
  if (n === 0)
    throw new UsageError(`no rows left: all ${rows.length} rows miss a value of ${used.join(', ')}`);
  const col = (name: string) => keep.map((i) => getField(rows[i]!, name));
  const y = makeResponse(f.response, col(f.response), family);
  const columns = new Map(fixedVars.map((v) => [v, makeColumn(v, col(v), reference[v])]));
  const { X, names } = designMatrix(n, f, columns);
  const groups = f.random.map((r) => groupFactor(r.name, r.factors.map(col)));
  return { n, y, X, p: names.length, xNames: names, groups, dropped: { count: rows.length - n, reasons } };
}

function groupFactor(name: string, parts: unknown[][]): GroupFactor {
  const n = parts[0]!.length;
  const labels = Array.from({ length: n }, (_, r) => parts.map((c) => String(c[r])).join(':'));
  const levels = [...new Set(labels)].sort(byCodePoint);
  if (levels.length < 2) {
    throw new UsageError(
      `grouping factor '${name}' has only one level (${levels[0]}): a random intercept needs ≥ 2 groups`,
    );
  }
  const pos = new Map(levels.map((l, i) => [l, i]));
  return { name, levels, index: Int32Array.from(labels, (l) => pos.get(l)!) };
}

/**
 * R's model.matrix with treatment contrasts. A factor in a term is coded by contrasts (reference level
 * dropped) when the term without it is already in the model — the intercept standing for the empty
 * term — and by one indicator per level otherwise; without an intercept the first factor met is coded
 * by indicators (R's TermCode). Columns of an interaction vary fastest in its first variable.
 */
function designMatrix(
  n: number,
  f: ParsedFormula,
  columns: Map<string, Column>,
): { X: Float64Array; names: string[] } {
  // The empty term counts as present even without an intercept; R then codes the first factor it
  // meets by indicators instead (so `0 + a + b` gives a1, a2, a3, b2, b3).
  const present = new Set<string>(['']);
  let firstFactorFull = !f.intercept;
  const blocks: { names: string[]; vals: Float64Array[] }[] = [];
  if (f.intercept) blocks.push({ names: ['(Intercept)'], vals: [new Float64Array(n).fill(1)] });
  for (const term of f.fixed) {
    let names = [''];
    let vals: Float64Array[] = [new Float64Array(n).fill(1)];
    for (const v of term) {
      const c = columns.get(v)!;
      let parts: { label: string; x: Float64Array }[];
      if (c.kind === 'numeric') parts = [{ label: v, x: c.values }];
      else {
        const rest = term.filter((x) => x !== v).join(':');
        let full = !present.has(rest);
        if (firstFactorFull) {
          full = true;
          firstFactorFull = false;
        }
        const lv = full ? c.levels.map((_, i) => i) : c.levels.map((_, i) => i).slice(1);
        parts = lv.map((li) => ({
          label: v + c.levels[li],
          x: Float64Array.from(c.codes, (k) => (k === li ? 1 : 0)),
        }));
      }
      // Earlier variables vary fastest: new columns = for each part, for each existing column.
      const nn: string[] = [];
      const nv: Float64Array[] = [];
      for (const part of parts) {
        names.forEach((nm, j) => {
          nn.push(nm === '' ? part.label : `${nm}:${part.label}`);
          nv.push(vals[j]!.map((a, r) => a * part.x[r]!));
        });
      }
      names = nn;
      vals = nv;
    }
    present.add(term.join(':'));
    blocks.push({ names, vals });
  }
  const names = blocks.flatMap((b) => b.names);
  const cols = blocks.flatMap((b) => b.vals);
  const p = names.length;
  const X = new Float64Array(n * p);
  cols.forEach((c, j) => {
    for (let r = 0; r < n; r++) X[r * p + j] = c[r]!;
  });
  return { X, names };
}
