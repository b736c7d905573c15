import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/**
 * The house plan, enforced: src/ is layered, each folder importing only from its own layer and
 * those below it (the order the README's Development section documents); no module imports
 * itself round a cycle, type-only imports included; and only cli/ talks to the terminal or sets
 * exit codes.
 */
const LAYERS = [
  'core',
  'io',
  'stats',
  'rubrics',
  'models',
  'judges',
  'study',
  'runs',
  'score',
  'pairwise',
  'generate',
  'calibration',
  'probe',
  'audit',
  'gate',
  'rate',
  'mixed',
  'render',
  'cli',
] as const;

const SRC = join(ROOT, 'src');

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const files = new Map(sources().map((f) => [f, readFileSync(f, 'utf8')]));
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function resolveImport(from: string, spec: string): string | undefined {
  const base = normalize(join(dirname(from), spec));
  return [base, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')].find((c) => files.has(c));
}

const graph = new Map(
  [...files].map(([file, text]) => [
    file,
    [...text.matchAll(IMPORT)]
      .map((m) => resolveImport(file, (m[1] ?? m[2])!))
      .filter((t): t is string => t !== undefined && t !== file),
  ]),
);

/** The layer of a file: its top folder under src/ (src/index.ts is the library's front, beside cli). */
function layerOf(file: string): number {
  const top = relative(SRC, file).split('/')[0]!;
  const name = top === 'index.ts' ? 'cli' : top;
  const rank = (LAYERS as readonly string[]).indexOf(name);
  if (rank < 0)
    throw new Error(`src/${top} is in no layer: add it to LAYERS and the README's Development section`);
  return rank;
}

describe('the house plan', () => {
  it('every import runs down the layer order (or stays in its folder)', () => {
    const upward: string[] = [];
    for (const [file, deps] of graph)
      for (const dep of deps)
        if (layerOf(dep) > layerOf(file))
          upward.push(
            `${relative(ROOT, file)} imports ${relative(ROOT, dep)} (${LAYERS[layerOf(dep)]} is above ${LAYERS[layerOf(file)]})`,
          );
    expect(upward).toEqual([]);
  });

  it('no import cycle, type-only imports included', () => {
    // Tarjan's strongly connected components: any of more than one file is a cycle
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    let next = 0;
    const visit = (v: string) => {
      index.set(v, next);
      low.set(v, next);
      next += 1;
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        for (let w = stack.pop()!; ; w = stack.pop()!) {
          onStack.delete(w);
          component.push(relative(ROOT, w));
          if (w === v) break;
        }
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });

  it('only cli/ writes to the terminal or sets the exit code', () => {
    const offenders = [...files]
      .filter(([file]) => !relative(SRC, file).startsWith('cli/'))
      .filter(([, text]) => /process\.(stdout|stderr|exit\b|exitCode)/.test(text))
      .map(([file]) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('the layer list names every folder of src/ and nothing else', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    expect(folders.filter((f) => !(LAYERS as readonly string[]).includes(f))).toEqual([]);
  });
});
