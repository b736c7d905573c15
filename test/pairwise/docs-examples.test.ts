import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { examplesOf, runExamples } from '../helpers/examples.js';

/**
 * Every `npx plumb …` example in a ```sh block of docs/pairwise-dimensions.md runs offline, in
 * order, from a folder with the clone's fixtures and rubrics — as a reader would paste them — and
 * the pairwise runs it shows write forced-choice verdicts.
 */
const DOC = join(ROOT, 'docs', 'pairwise-dimensions.md');

describe('docs/pairwise-dimensions.md', () => {
  it('every npx plumb example runs offline and none is skipped', async () => {
    const lines = examplesOf(readFileSync(DOC, 'utf8'));
    expect(lines.length).toBeGreaterThanOrEqual(10);
    const { ran, skipped } = await runExamples(lines);
    expect(skipped).toEqual([]);
    for (const r of ran) expect(r.code, `${r.line}\n${r.stderr}`).toBe(0);
  });
});
