import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { examplesOf, runExamples } from '../helpers/examples.js';

/**
 * Every `npx plumb …` example in a ```sh block of docs/calibration.md runs offline, in order, from a
 * folder with the clone's fixtures and rubrics — as a reader would paste them — none is skipped, and
 * the figures the page quotes (its ```text excerpts) are the ones plumb prints.
 */
const DOC = join(ROOT, 'docs', 'calibration.md');

describe('docs/calibration.md', () => {
  it('every npx plumb example runs offline and prints what the page quotes', async () => {
    const doc = readFileSync(DOC, 'utf8');
    const lines = examplesOf(doc);
    expect(lines.length).toBeGreaterThanOrEqual(7);
    const { ran, skipped, cwd } = await runExamples(lines);
    expect(skipped).toEqual([]);
    for (const r of ran) expect(r.code, `${r.line}\n${r.stderr}`).toBe(0);
    const printed = ran.map((r) => r.stdout).join('\n');
    // the ```text excerpts are lines plumb printed (table rows compared up to their trailing columns)
    const excerpts = [...doc.matchAll(/```text\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));
    expect(excerpts.length).toBeGreaterThan(0);
    for (const line of excerpts) {
      const head = line.replace(/\s*…$/, '').replace(/\s+/g, ' ').trim();
      expect(printed.replace(/[ \t]+/g, ' '), head).toContain(head);
    }
    // the sheets record their design
    const neyman = readFileSync(join(cwd, 'sheets', 'eii-neyman.csv'), 'utf8').split('\n')[0];
    expect(neyman).toMatch(/stratified_by,stratum_size,inclusion_probability,clustered_by,cluster,design$/m);
  }, 180_000);
});
