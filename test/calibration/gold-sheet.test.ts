import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { makeRoomForSheet, ratingsIn } from '../../src/calibration/gold-sample.js';
import { runCli, scoreFixture, tempDir } from '../helpers/cli.js';

/** A sheet people have worked on is never replaced by a new sample (#23, item 1). */
describe('gold sample never destroys ratings', () => {
  it('finds filled CSV cells, filled JSONL rows and plumb rate ratings; an untouched sheet holds none', async () => {
    const dir = tempDir();
    const prefix = join(dir, 'eii');
    expect(await ratingsIn(prefix)).toEqual([]);
    writeFileSync(
      `${prefix}.csv`,
      'id,rater,stratum,prompt,response,reference,correctness\na,,all,p,r,,\nb,,all,p,r,,\n',
    );
    writeFileSync(`${prefix}.jsonl`, '{"id":"a","rater":"","scores":{"correctness":null}}\n');
    expect(await ratingsIn(prefix)).toEqual([]);
    writeFileSync(
      `${prefix}.csv`,
      'id,rater,stratum,prompt,response,reference,correctness\na,ana,all,p,r,,4\nb,,all,p,r,,\n',
    );
    writeFileSync(`${prefix}.jsonl`, '{"id":"a","rater":"","scores":{"correctness":3}}\n');
    writeFileSync(
      `${prefix}.ratings.jsonl`,
      '{"rater":"ana","id":"a","criterion":"correctness","value":4}\n',
    );
    expect(await ratingsIn(prefix)).toEqual([
      `${prefix}.csv: 1 row rated`,
      `${prefix}.jsonl: 1 row rated`,
      `${prefix}.ratings.jsonl: ratings from plumb rate`,
    ]);
  });

  it('refuses without --force; with it, moves the old sheet and its ratings aside', async () => {
    const dir = tempDir();
    const prefix = join(dir, 'eii');
    writeFileSync(
      `${prefix}.ratings.jsonl`,
      '{"rater":"ana","id":"a","criterion":"correctness","value":4}\n',
    );
    await expect(makeRoomForSheet(prefix, false)).rejects.toThrow(
      /already holds ratings .*eii\.ratings\.jsonl/,
    );
    expect(existsSync(`${prefix}.ratings.jsonl`)).toBe(true);
    const moved = await makeRoomForSheet(prefix, true);
    expect(moved).toHaveLength(1);
    expect(moved[0]![1]).toMatch(/eii\.replaced-.*\.ratings\.jsonl$/);
    expect(readFileSync(moved[0]![1], 'utf8')).toContain('"ana"');
    expect(existsSync(`${prefix}.ratings.jsonl`)).toBe(false);
  });

  it('through the CLI: a rated sheet survives a second sample (exit 2), and --force keeps it beside the new one', async () => {
    const dir = tempDir();
    const scores = await scoreFixture(dir);
    const out = join(dir, 'sheets', 'eii');
    const sample = (...extra: string[]) =>
      runCli(['gold', 'sample', '--scores', scores, '--n', '8', '--out', out, ...extra]);
    expect((await sample()).code).toBe(0);
    // someone rates two rows in the CSV, then re-samples with another seed onto the same --out
    const rows = parse(readFileSync(`${out}.csv`, 'utf8'), { columns: true }) as Record<string, string>[];
    for (const row of rows.slice(0, 2)) Object.assign(row, { rater: 'ana', correctness: '4' });
    writeFileSync(`${out}.csv`, stringify(rows, { header: true }));
    const filled = readFileSync(`${out}.csv`, 'utf8');
    const refused = await sample('--seed', '7');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/eii\.csv: 2 rows rated/);
    expect(readFileSync(`${out}.csv`, 'utf8')).toBe(filled);
    const forced = await sample('--seed', '7', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    const aside = readdirSync(join(dir, 'sheets')).filter((f) => f.includes('.replaced-'));
    expect(aside.sort()).toEqual([expect.stringMatching(/\.csv$/), expect.stringMatching(/\.jsonl$/)]);
    expect(readFileSync(join(dir, 'sheets', aside.find((f) => f.endsWith('.csv'))!), 'utf8')).toBe(filled);
    expect(forced.stdout).toMatch(/kept the old .*eii\.csv as .*replaced-/);
  });
});
