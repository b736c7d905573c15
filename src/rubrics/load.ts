import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { hashCanonical } from '../core/canonical.js';
import { RubricError } from '../core/errors.js';
import { warn } from '../core/warnings.js';
import { noteInput } from '../io/guard.js';
import { type PairwiseRubric, PairwiseRubricFileSchema } from './pairwise.js';
import { type Rubric, RubricFileSchema } from './schema.js';

/** A rubric of either kind: pointwise (a scale per criterion) or pairwise (a verdict between two). */
export type AnyRubric = Rubric | PairwiseRubric;

export function isPairwise(r: AnyRubric): r is PairwiseRubric {
  return r.kind === 'pairwise';
}

/** The rubrics/ folder shipped with plumb (two levels above src/rubrics or dist/rubrics). */
export const BUILTIN_RUBRICS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'rubrics');

const RUBRIC_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** Parses and validates one rubric file; the hash covers the validated, canonical content only. */
export async function loadAnyRubricFile(path: string): Promise<AnyRubric> {
  let text: string;
  try {
    noteInput(path);
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
  const pairwise = (raw as { kind?: unknown } | null)?.kind === 'pairwise';
  const parsed = (pairwise ? PairwiseRubricFileSchema : RubricFileSchema).safeParse(raw);
  if (!parsed.success) {
    throw new RubricError(
      `${path}: invalid ${pairwise ? 'pairwise ' : ''}rubric\n${z.prettifyError(parsed.error)}`,
    );
  }
  return { ...parsed.data, hash: hashCanonical(parsed.data), path: resolve(path) } as AnyRubric;
}

/** Loads a pointwise rubric file; a pairwise one is an error that says where it belongs. */
export async function loadRubricFile(path: string): Promise<Rubric> {
  return expectKind(await loadAnyRubricFile(path), 'pointwise');
}

function expectKind(r: AnyRubric, kind: 'pointwise'): Rubric;
function expectKind(r: AnyRubric, kind: 'pairwise'): PairwiseRubric;
function expectKind(r: AnyRubric, kind: 'pointwise' | 'pairwise'): AnyRubric {
  if (isPairwise(r) === (kind === 'pairwise')) return r;
  throw new RubricError(
    kind === 'pointwise'
      ? `${r.id}@${r.version} is a pairwise rubric (it compares two responses): use it with plumb pairwise`
      : `${r.id}@${r.version} is a pointwise rubric (it scores one response): use it with plumb score, or give a pairwise rubric such as preference or pairwise`,
  );
}

/** Directories searched for rubrics by id: a `rubrics/` folder in the working directory, then plumb's own. */
export function defaultRubricDirs(): string[] {
  const local = resolve('rubrics');
  return local === BUILTIN_RUBRICS_DIR ? [BUILTIN_RUBRICS_DIR] : [local, BUILTIN_RUBRICS_DIR];
}

/** A rubric file that could not be loaded, or an id@version claimed twice with different content. */
export interface RubricProblem {
  path: string;
  message: string;
  /** For a conflict: the id@version both files claim. */
  key?: string;
}

const warned = new Set<string>();

/**
 * Loads every rubric under the given folders. A file that cannot be loaded does not stop commands
 * that do not need it: it is skipped with a one-line warning naming it, and reported if someone
 * asks for a rubric that is not found. Two files claiming the same id@version with different
 * content make that id@version unusable (a reference must name exactly one rubric).
 */
export async function loadRubricLibraryWithProblems(
  dirs = defaultRubricDirs(),
): Promise<{ rubrics: AnyRubric[]; problems: RubricProblem[] }> {
  const byKey = new Map<string, AnyRubric>();
  const problems: RubricProblem[] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = (await readdir(dir)).sort();
    } catch {
      continue; // an absent optional folder is not an error
    }
    for (const name of entries) {
      if (!RUBRIC_EXTENSIONS.has(extname(name))) continue;
      const path = join(dir, name);
      let rubric: AnyRubric;
      try {
        rubric = await loadAnyRubricFile(path);
      } catch (err) {
        const firstLine = (err as Error).message.split('\n').slice(0, 2).join(' ');
        problems.push({ path, message: firstLine.length > 300 ? `${firstLine.slice(0, 297)}…` : firstLine });
        continue;
      }
      const key = `${rubric.id}@${rubric.version}`;
      const seen = byKey.get(key);
      if (seen && seen.hash !== rubric.hash) {
        problems.push({
          path: rubric.path,
          key,
          message: `${rubric.path}: ${key} is also defined with different content in ${seen.path}; bump the version`,
        });
        continue;
      }
      if (!seen) byKey.set(key, rubric);
    }
  }
  return {
    rubrics: [...byKey.values()].sort(
      (a, b) => a.id.localeCompare(b.id) || semver.compare(a.version, b.version),
    ),
    problems,
  };
}

/** Every loadable rubric; files that cannot be loaded are skipped with a warning naming them. */
export async function loadRubricLibrary(dirs = defaultRubricDirs()): Promise<AnyRubric[]> {
  const { rubrics, problems } = await loadRubricLibraryWithProblems(dirs);
  warnAbout(problems);
  return rubrics;
}

/** One warning per problem per process, naming the file. */
function warnAbout(problems: RubricProblem[]): void {
  for (const p of problems) {
    if (warned.has(p.message)) continue;
    warned.add(p.message);
    warn(`skipping ${p.message.startsWith(p.path) ? p.message : `${p.path}: ${p.message}`}`);
  }
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || RUBRIC_EXTENSIONS.has(extname(ref));
}

/** Resolves `id` (newest version), `id@version`, or a path to a pointwise rubric. */
export async function resolveRubric(ref: string, dirs = defaultRubricDirs()): Promise<Rubric> {
  return expectKind(await resolveAnyRubric(ref, dirs), 'pointwise');
}

/** Resolves `id`, `id@version`, or a path to a pairwise rubric. */
export async function resolvePairwiseRubric(
  ref: string,
  dirs = defaultRubricDirs(),
): Promise<PairwiseRubric> {
  return expectKind(await resolveAnyRubric(ref, dirs), 'pairwise');
}

/** Resolves `id` (newest version), `id@version`, or a path to a rubric of either kind. */
export async function resolveAnyRubric(ref: string, dirs = defaultRubricDirs()): Promise<AnyRubric> {
  if (looksLikePath(ref)) {
    const exists = await stat(ref).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!exists) throw new RubricError(`${ref}: no such rubric file`);
    return loadAnyRubricFile(ref);
  }
  const [id, version] = ref.split('@');
  const { rubrics: library, problems } = await loadRubricLibraryWithProblems(dirs);
  const conflict = problems.find((p) => p.key && (p.key === ref || p.key.startsWith(`${id}@`)));
  if (conflict && (version === undefined ? true : conflict.key === ref))
    throw new RubricError(conflict.message);
  const candidates = library.filter((r) => r.id === id);
  if (candidates.length === 0) {
    const known = [...new Set(library.map((r) => r.id))].join(', ');
    const broken = problems.filter((p) => !p.key);
    throw new RubricError(
      `unknown rubric '${ref}' (known: ${known || 'none'}; searched ${dirs.join(', ')})` +
        (broken.length ? `; could not load: ${broken.map((p) => p.message).join('; ')}` : ''),
    );
  }
  warnAbout(problems);
  if (version === undefined) return candidates[candidates.length - 1]!;
  const exact = candidates.find((r) => r.version === version);
  if (!exact) {
    throw new RubricError(
      `unknown rubric version '${ref}' (have: ${candidates.map((r) => r.version).join(', ')})`,
    );
  }
  return exact;
}
