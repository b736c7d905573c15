import { canonicalJson } from '../core/canonical.js';
import type { AnyRubric } from './load.js';

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

/**
 * Field-by-field differences between two rubrics; named lists (criteria, extra fields, a pairwise
 * rubric's considerations) are matched by name, not position.
 */
export function diffRubrics(a: AnyRubric, b: AnyRubric): RubricDiff {
  const changes: RubricChange[] = [];
  walk(contentOf(a), contentOf(b), '', changes);
  const head = (r: AnyRubric) => ({ id: r.id, version: r.version, hash: r.hash, path: r.path });
  return { a: head(a), b: head(b), hash_changed: a.hash !== b.hash, changes };
}

function contentOf(r: AnyRubric): Record<string, unknown> {
  const { hash: _h, path: _p, ...rest } = r;
  const content: Record<string, unknown> = { ...rest };
  for (const list of ['criteria', 'extra_fields', 'considerations']) {
    const v = content[list];
    if (Array.isArray(v)) content[list] = Object.fromEntries(v.map((e: { name: string }) => [e.name, e]));
  }
  return content;
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
