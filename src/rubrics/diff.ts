import { canonicalJson } from '../util/canonical.js';
import type { Rubric } from './schema.js';

export interface RubricChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

export interface RubricDiff {
  a: { id: string; version: string; hash: string; path: string };
  b: { id: string; version: string; hash: string; path: string };
  hash_changed: boolean;
  changes: RubricChange[];
}

/** Field-by-field differences between two rubrics; criteria are matched by name, not position. */
export function diffRubrics(a: Rubric, b: Rubric): RubricDiff {
  const changes: RubricChange[] = [];
  walk(contentOf(a), contentOf(b), '', changes);
  const head = (r: Rubric) => ({ id: r.id, version: r.version, hash: r.hash, path: r.path });
  return { a: head(a), b: head(b), hash_changed: a.hash !== b.hash, changes };
}

function contentOf(r: Rubric): Record<string, unknown> {
  const { hash: _h, path: _p, criteria, extra_fields, ...rest } = r;
  return {
    ...rest,
    criteria: Object.fromEntries(criteria.map((c) => [c.name, c])),
    extra_fields: Object.fromEntries(extra_fields.map((f) => [f.name, f])),
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function walk(a: unknown, b: unknown, path: string, out: RubricChange[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) out.push({ path: p, kind: 'added', after: b[k] });
      else if (!(k in b)) out.push({ path: p, kind: 'removed', before: a[k] });
      else walk(a[k], b[k], p, out);
    }
    return;
  }
  if (canonicalJson(a) !== canonicalJson(b)) out.push({ path, kind: 'changed', before: a, after: b });
}
