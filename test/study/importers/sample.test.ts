import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { importQuestions } from '../../../src/study/importers/index.js';
import { tempDir } from '../../helpers/cli.js';

const dir = tempDir('plumb-sample-');
const HEADER = ',prompt,human,source';
const rows = Array.from(
  { length: 40 },
  (_, i) => `${1000 + 7 * i},"Question ${i}?\nWith a second line.",Reply ${i}.,advisorqa`,
);
const write = (name: string, lines: string[]) => {
  const f = join(dir, name);
  writeFileSync(f, [HEADER, ...lines, ''].join('\n'));
  return f;
};
const ids = async (f: string, sample: number, seed?: number | string) =>
  (await importQuestions('elephant-oeq', f, { sample, ...(seed === undefined ? {} : { seed }) })).questions
    .map((q) => q.id)
    .sort();

describe('--sample N --seed S', () => {
  it('keeps N items chosen by (seed, id): the same items whatever the order of the file', async () => {
    const forward = write('forward.csv', rows);
    const reversed = write('reversed.csv', [...rows].reverse());
    const shuffled = write('shuffled.csv', [...rows.slice(13), ...rows.slice(0, 13)]);
    const kept = await ids(forward, 10, 7);
    expect(kept).toHaveLength(10);
    expect(await ids(reversed, 10, 7)).toEqual(kept);
    expect(await ids(shuffled, 10, 7)).toEqual(kept);
    // another seed, another sample; a larger sample contains the smaller one
    expect(await ids(forward, 10, 8)).not.toEqual(kept);
    expect(await ids(forward, 20, 7)).toEqual(expect.arrayContaining(kept));
    // a string seed works as well
    expect(await ids(forward, 10, 'paper')).toHaveLength(10);
    // rows added to the file: an old item kept now was kept before (only newcomers can displace)
    const more = Array.from({ length: 20 }, (_, i) => `${5000 + i},New question ${i}?,Reply.,advisorqa`);
    const grown = await ids(write('grown.csv', [...rows, ...more]), 10, 7);
    for (const id of grown) expect(kept.includes(id) || Number(id.slice(4)) >= 5000, id).toBe(true);
    const { notes, questions } = await importQuestions('elephant-oeq', forward, { sample: 10, seed: 7 });
    expect(notes.at(-1)).toMatch(
      /^--sample 10 --seed 7: kept 10 of 40 items — the 10 with the smallest SHA-256 of \(seed, id\)/,
    );
    // kept questions stay in file order
    const order = questions.map((q) => Number(q.metadata!.index));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('a sample larger than the file keeps everything and says so; no seed means seed 0', async () => {
    const f = write('small.csv', rows.slice(0, 5));
    const { questions, notes } = await importQuestions('elephant-oeq', f, { sample: 250, seed: 1 });
    expect(questions).toHaveLength(5);
    expect(notes.at(-1)).toBe('--sample 250: the file has only 5 items, so all are kept (no sampling)');
    const all = write('all.csv', rows);
    expect(await ids(all, 3)).toEqual(await ids(all, 3, 0));
    expect((await importQuestions('elephant-oeq', all, { sample: 3 })).notes.at(-1)).toMatch(/--seed 0:/);
  });

  it('a bad --sample or a --seed without --sample is a usage error', async () => {
    const f = write('u.csv', rows.slice(0, 3));
    for (const opts of [
      { sample: 0 },
      { sample: 2.5 },
      { sample: -1 },
      { seed: 3 },
      { sample: 2, seed: 1.5 },
    ])
      await expect(importQuestions('elephant-oeq', f, opts)).rejects.toBeInstanceOf(UsageError);
  });
});
