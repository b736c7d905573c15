import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readJsonlFile, runCli, tempDir } from '../helpers/cli.js';

/**
 * Every `npx plumb …` line in a ```sh block of docs/pairwise-dimensions.md runs offline, in order,
 * from a folder that has the clone's fixtures — as a reader would run them from a clone.
 */
const DOC = join(ROOT, 'docs', 'pairwise-dimensions.md');

/** The words of a shell command line (no quoting is used in the doc's commands). */
function commandsOf(markdown: string): string[][] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.startsWith('npx plumb '))
    .map((l) => {
      expect(l, 'a doc command uses no quoting, pipes or variables').not.toMatch(/["'`$|&;<>\\]/);
      return l.split(/\s+/).slice(2);
    });
}

describe('docs/pairwise-dimensions.md', () => {
  it('every npx plumb example runs offline, and the pairwise runs write forced-choice verdicts', async () => {
    const commands = commandsOf(readFileSync(DOC, 'utf8'));
    expect(commands.length).toBeGreaterThanOrEqual(9);
    const cwd = tempDir('plumb-docs-');
    symlinkSync(join(ROOT, 'fixtures'), join(cwd, 'fixtures'));
    for (const args of commands) {
      const r = await runCli(args, { cwd });
      expect(r.code, `npx plumb ${args.join(' ')}\n${r.stderr}`).toBe(0);
    }
    for (const id of [
      'emotional_validation',
      'hedging',
      'framing_acceptance',
      'openness',
      'responsibility',
    ]) {
      const lines = readJsonlFile(readFileSync(join(cwd, 'runs', 'gp', `${id}.pairwise.jsonl`), 'utf8'));
      expect(lines.length).toBe(12);
      for (const l of lines) expect(['A', 'B']).toContain(l.verdict);
    }
    const summary = JSON.parse(
      readFileSync(join(cwd, 'runs', 'gp', 'emotional_validation.summary.json'), 'utf8'),
    );
    expect(summary).toMatchObject({ kind: 'pairwise', rubric: { id: 'emotional_validation' } });
    expect(summary.overall.tie.value).toBe(0);
  });
});
