import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

/**
 * plumb as a library (issue 12, item 4): the package as `npm pack` makes it — its files list, its
 * `exports`, its types — installed into a consumer project: `import … from 'plumb-judge'` works at
 * run time and type-checks under TypeScript's nodenext resolution. The tarball is unpacked into
 * the consumer's node_modules as npm would, and its dependencies are this checkout's: the tests
 * reach no registry.
 */
let packed: string | null = null;
function tarball(): string {
  if (packed) return packed;
  const dir = tempDir('plumb-pack-');
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  packed = join(dir, name);
  return packed;
}

function consumer(): string {
  const dir = tempDir('plumb-lib-');
  const pkg = join(dir, 'node_modules', 'plumb-judge');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', tarball(), '-C', pkg, '--strip-components=1']);
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  return dir;
}

describe("import from 'plumb-judge'", () => {
  it('runs: scoring, a statistic and a typed error from the package entry point', () => {
    const dir = consumer();
    writeFileSync(
      join(dir, 'use.mjs'),
      `import { resolveRubric, LexiconJudge, runScore, wilson, InputError } from 'plumb-judge';
const rubric = await resolveRubric('eii');
const r = await runScore({ rubric, judges: [new LexiconJudge()], input: ${JSON.stringify(join(ROOT, 'fixtures', 'responses.jsonl'))}, out: null });
let caught = null;
try { await runScore({ rubric, judges: [new LexiconJudge()], input: 'missing.jsonl', out: null }); } catch (e) { caught = e instanceof InputError; }
console.log(JSON.stringify({ n: r.summary.n, eii: r.summary.indices.eii.overall.value, wilson: wilson(7, 10), caught }));`,
    );
    const out = JSON.parse(execFileSync(process.execPath, ['use.mjs'], { cwd: dir, encoding: 'utf8' }));
    expect(out.n).toMatchObject({ total: 120, scored: 120 });
    expect(out.eii).toBeGreaterThan(0);
    expect(out.eii).toBeLessThan(1);
    // statsmodels 0.13.5: proportion_confint(7, 10, method='wilson') = (0.39677814746114537, 0.8922087325936989)
    expect(out.wilson.ci[0]).toBeCloseTo(0.39677814746114537, 14);
    expect(out.wilson.ci[1]).toBeCloseTo(0.8922087325936989, 14);
    expect(out.caught).toBe(true);
  });

  it('type-checks under nodenext, and a wrong argument type is a compile error', () => {
    const dir = consumer();
    writeFileSync(
      join(dir, 'use.ts'),
      `import { type Rubric, resolveRubric, runScore, LexiconJudge, type ScoreSummary } from 'plumb-judge';
const rubric: Rubric = await resolveRubric('eii');
const result = await runScore({ rubric, judges: [new LexiconJudge()], input: 'x.jsonl', out: null });
const s: ScoreSummary = result.summary;
// @ts-expect-error input is a path, not a number
await runScore({ rubric, judges: [], input: 1, out: null });
export const n: number = s.n.total;
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ['use.ts'],
      }),
    );
    const tsc = () =>
      spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
        cwd: dir,
        encoding: 'utf8',
      });
    const ok = tsc();
    expect(ok.stdout).toBe('');
    expect(ok.status).toBe(0);
    // the types are real: a misuse is caught
    writeFileSync(
      join(dir, 'use.ts'),
      `import { wilson } from 'plumb-judge';\nexport const x: string = wilson(1, 2).n;\n`,
    );
    const bad = tsc();
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/TS2322: Type 'number' is not assignable to type 'string'/);
  }, 60_000);

  it("docs/library.md's TypeScript examples compile against the package and the first one runs", () => {
    const guide = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
    const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(2);
    const dir = consumer();
    // the second example is a test file of the user's own suite: vitest must resolve for its types
    symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'));
    writeFileSync(join(dir, 'use.ts'), blocks[0]!);
    writeFileSync(join(dir, 'judge.test.ts'), blocks[1]!);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          outDir: 'out',
          skipLibCheck: true,
        },
        files: ['use.ts', 'judge.test.ts'],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    expect(tsc.stdout).toBe('');
    expect(tsc.status).toBe(0);
    const run = execFileSync(process.execPath, [join('out', 'use.js')], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
    // the EII summary, then the PPI++ estimate, its interval and λ
    expect(run).toMatch(/value: 0\.\d+/);
    expect(run.split('\n').at(-1)).toMatch(/^[\d.]+ \[ [\d.-]+, [\d.-]+ \] [\d.]+$/);
  }, 60_000);
});
