import { UsageError } from '../core/errors.js';

/**
 * Fields of a data row as the mixed-model engine reads them (src/stats/mixed/frame.ts): a literal
 * key first (`"a.b"`), else a dotted path into nested objects (`metadata.role`, `scores.accuracy`).
 * A value is missing when it is undefined, null, '' or a number that is not finite; a row missing
 * any field the formula uses is dropped and counted by the engine.
 */
export function fieldValue(row: Record<string, unknown>, name: string): unknown {
  if (name in row) return row[name];
  let cur: unknown = row;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !(part in (cur as object)))
      return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The engine's rule for a missing value (undefined, null, '', NaN, ±Infinity). */
export function isMissingValue(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v));
}

/**
 * Every field a formula can name, in order of first appearance: top-level keys and the dotted
 * paths to scalar values inside nested objects (arrays are not entered). `limit` caps the rows
 * looked at, so a million-row file is listed from its head.
 */
export function fieldPaths(rows: readonly Record<string, unknown>[], limit = 2000): string[] {
  const seen = new Set<string>();
  const walk = (v: unknown, prefix: string) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0 && prefix) seen.add(prefix);
      for (const [k, x] of entries) walk(x, prefix ? `${prefix}.${k}` : k);
    } else if (prefix && !Array.isArray(v)) seen.add(prefix);
  };
  for (const row of rows.slice(0, limit)) walk(row, '');
  return [...seen];
}

/** Up to `max` names, then how many more. */
export function listNames(names: readonly string[], max = 40): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, … (${names.length - max} more)` : shown;
}

/** Fields whose last path segment (or whole name) matches `name`: `role` → `metadata.role`. */
function suggestions(name: string, fields: readonly string[]): string[] {
  const last = name.split('.').pop()!.toLowerCase();
  return fields.filter((f) => {
    const l = f.toLowerCase();
    return l !== name.toLowerCase() && (l === last || l.endsWith(`.${last}`));
  });
}

/**
 * Refuses a formula that names a field no row has, naming it and the fields there are (with a
 * guess when a nested field has that name: `role` → `metadata.role`).
 */
export function assertFieldsExist(
  rows: readonly Record<string, unknown>[],
  variables: readonly string[],
  label: string,
): void {
  for (const name of variables) {
    if (rows.some((r) => fieldValue(r, name) !== undefined)) continue;
    const fields = fieldPaths(rows);
    const near = suggestions(name, fields);
    throw new UsageError(
      `unknown field '${name}': no row of ${label} has it${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(' or ')}?)` : ''}; ` +
        `fields: ${listNames(fields)} (dotted paths reach nested fields, e.g. metadata.role)`,
    );
  }
}

/** A row filter: `turn>=1`, `metadata.role=advisor`, `verdict!=tie`. */
export interface Where {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=';
  value: string;
  /** As written, for messages. */
  text: string;
}

/** Parses `FIELD OP VALUE` (OP one of = != < <= > >=; the comparisons need a number). */
export function parseWhere(text: string): Where {
  const m = /^\s*([^=!<>\s][^=!<>]*?)\s*(!=|<=|>=|=|<|>)\s*(.*?)\s*$/.exec(text);
  if (!m || m[3] === '')
    throw new UsageError(
      `--where takes FIELD OP VALUE with OP one of = != < <= > >= (e.g. turn>=1, metadata.role=advisor), got '${text}'`,
    );
  const op = m[2] as Where['op'];
  if (op !== '=' && op !== '!=' && !Number.isFinite(Number(m[3])))
    throw new UsageError(`--where ${text}: ${op} compares numbers, and '${m[3]}' is not one`);
  return { field: m[1]!, op, value: m[3]!, text: text.trim() };
}

/**
 * Whether a row passes a filter. `=` and `!=` compare the value as text (`1`, `true`, `advisor`);
 * the others compare numbers. A row missing the field passes only `!=`.
 */
export function rowMatches(row: Record<string, unknown>, w: Where): boolean {
  const v = fieldValue(row, w.field);
  if (isMissingValue(v)) return w.op === '!=';
  if (w.op === '=' || w.op === '!=') {
    const same = String(v) === w.value || (typeof v === 'boolean' && w.value.toLowerCase() === String(v));
    return w.op === '=' ? same : !same;
  }
  if (typeof v !== 'number') return false;
  const x = Number(w.value);
  return w.op === '<' ? v < x : w.op === '<=' ? v <= x : w.op === '>' ? v > x : v >= x;
}
