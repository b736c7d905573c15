import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers/cli.js';

/**
 * plumb as a library (issue 12, item 4 — the part that was a bug): `import … from 'plumb-judge'`
 * resolves to the build through package.json `exports`, works at run time, and its types check
 * under TypeScript's nodenext resolution — from a project that installed plumb, not from src/.
 */
function consumer(): string {
  const dir = tempDir('plumb-lib-');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'plumb-judge'));
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
});
