import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { RubricError } from '../errors.js';
import { hashCanonical } from '../util/canonical.js';
import { type Rubric, RubricFileSchema } from './schema.js';

/** The rubrics/ folder shipped with plumb (two levels above src/rubrics or dist/rubrics). */
export const BUILTIN_RUBRICS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'rubrics');

const RUBRIC_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Parses and validates one rubric file; the hash covers the validated, canonical content only. */
export async function loadRubricFile(path: string): Promise<Rubric> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RubricError(`${path}: cannot read rubric (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let raw: unknown;
  try {
    raw = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const line = err instanceof YAMLParseError ? err.linePos?.[0]?.line : undefined;
    throw new RubricError(
      `${path}${line ? `:${line}` : ''}: cannot parse rubric (${(err as Error).message.split('\n')[0]})`,
    );
  }
  const parsed = RubricFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new RubricError(`${path}: invalid rubric\n${z.prettifyError(parsed.error)}`);
  }
  return { ...parsed.data, hash: hashCanonical(parsed.data), path: resolve(path) };
}

/** Directories searched for rubrics by id: a `rubrics/` folder in the working directory, then plumb's own. */
export function defaultRubricDirs(): string[] {
  const local = resolve('rubrics');
  return local === BUILTIN_RUBRICS_DIR ? [BUILTIN_RUBRICS_DIR] : [local, BUILTIN_RUBRICS_DIR];
}

/**
 * Loads every rubric under the given folders. Two files claiming the same id@version with
 * different content are an error: a reference must name exactly one rubric.
 */
export async function loadRubricLibrary(dirs = defaultRubricDirs()): Promise<Rubric[]> {
  const byKey = new Map<string, Rubric>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = (await readdir(dir)).sort();
    } catch {
      continue; // an absent optional folder is not an error
    }
    for (const name of entries) {
      if (!RUBRIC_EXTENSIONS.has(extname(name))) continue;
      const rubric = await loadRubricFile(join(dir, name));
      const key = `${rubric.id}@${rubric.version}`;
      const seen = byKey.get(key);
      if (seen && seen.hash !== rubric.hash) {
        throw new RubricError(
          `${rubric.path}: ${key} is also defined with different content in ${seen.path}; bump the version`,
        );
      }
      if (!seen) byKey.set(key, rubric);
    }
  }
  return [...byKey.values()].sort((a, b) => a.id.localeCompare(b.id) || semver.compare(a.version, b.version));
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || RUBRIC_EXTENSIONS.has(extname(ref));
}

/** Resolves `id` (newest version), `id@version`, or a path to a rubric file. */
export async function resolveRubric(ref: string, dirs = defaultRubricDirs()): Promise<Rubric> {
  if (looksLikePath(ref)) {
    const exists = await stat(ref).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) throw new RubricError(`${ref}: no such rubric file`);
    return loadRubricFile(ref);
  }
  const [id, version] = ref.split('@');
  const library = await loadRubricLibrary(dirs);
  const candidates = library.filter((r) => r.id === id);
  if (candidates.length === 0) {
    const known = [...new Set(library.map((r) => r.id))].join(', ');
    throw new RubricError(`unknown rubric '${ref}' (known: ${known || 'none'}; searched ${dirs.join(', ')})`);
  }
  if (version === undefined) return candidates[candidates.length - 1]!;
  const exact = candidates.find((r) => r.version === version);
  if (!exact) {
    throw new RubricError(
      `unknown rubric version '${ref}' (have: ${candidates.map((r) => r.version).join(', ')})`,
    );
  }
  return exact;
}
