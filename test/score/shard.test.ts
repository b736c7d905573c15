import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inShard } from '../../src/score/shard.js';
import { ROOT, readJsonlFile, runCli, scoreArgs, tempDir, writeJsonl } from '../helpers/cli.js';

/** Sharding across machines (issue 11, item 4): --shard K/N and plumb merge. */
const FIXTURE = join(ROOT, 'fixtures', 'responses.jsonl');
const dir = tempDir('plumb-shard-');
const at = (name: string) => join(dir, name);

/** A summary without what differs between two runs of the same work: when and where it ran. */
function comparable(path: string) {
  const s = JSON.parse(readFileSync(path, 'utf8'));
  for (const k of ['created_at', 'git', 'output']) delete s[k];
  return s;
}

describe('--shard K/N and plumb merge', () => {
  it('three shards merged equal the unsharded run: lines byte for byte, summary apart from time and place', async () => {
    const whole = await runCli(scoreArgs(FIXTURE, at('all.jsonl'), '--summary', at('all.json')));
    expect(whole.code, whole.stderr).toBe(0);
    const sizes: number[] = [];
    for (const k of [1, 2, 3]) {
      const r = await runCli(
        scoreArgs(FIXTURE, at(`s${k}.jsonl`), '--shard', `${k}/3`, '--summary', at(`s${k}.json`)),
      );
      expect(r.code, r.stderr).toBe(0);
      sizes.push(readJsonlFile(readFileSync(at(`s${k}.jsonl`), 'utf8')).length);
    }
    expect(sizes.reduce((a, b) => a + b)).toBe(120);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    // shards given in any order
    const m = await runCli([
      'merge',
      at('m.jsonl'),
      at('s3.jsonl'),
      at('s1.jsonl'),
      at('s2.jsonl'),
      '--summary',
      at('m.json'),
    ]);
    expect(m.code, m.stderr).toBe(0);
    expect(readFileSync(at('m.jsonl'), 'utf8')).toBe(readFileSync(at('all.jsonl'), 'utf8'));
    expect(comparable(at('m.json'))).toEqual(comparable(at('all.json')));
    // a shard's own summary describes its items only
    expect(JSON.parse(readFileSync(at('s1.json'), 'utf8')).n.total).toBe(sizes[0]);
  });

  it('a shard holds the same ids whatever the order of the file', async () => {
    const rows = readFileSync(FIXTURE, 'utf8').trim().split('\n');
    const shuffled = writeJsonl(at('shuffled.jsonl'), [...rows].reverse());
    const r = await runCli(scoreArgs(shuffled, at('rev1.jsonl'), '--shard', '1/3'));
    expect(r.code, r.stderr).toBe(0);
    const ids = (f: string) => readJsonlFile(readFileSync(f, 'utf8')).map((l) => l.id as string);
    expect(new Set(ids(at('rev1.jsonl')))).toEqual(new Set(ids(at('s1.jsonl'))));
    expect(ids(at('rev1.jsonl')).every((id) => inShard(id, { k: 1, n: 3 }))).toBe(true);
  });

  it('refuses shards of different runs, a missing or doubled shard, and files that are not shards', async () => {
    const other = await runCli([
      'score',
      '--rubric',
      'aai',
      '--input',
      FIXTURE,
      '--out',
      at('aai2.jsonl'),
      '--shard',
      '2/3',
    ]);
    expect(other.code, other.stderr).toBe(0);
    const mixed = await runCli(['merge', at('x.jsonl'), at('s1.jsonl'), at('aai2.jsonl'), at('s3.jsonl')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/aai2\.jsonl does not belong with .*different rubric, judge or settings/);
    const missing = await runCli(['merge', at('x.jsonl'), at('s1.jsonl'), at('s3.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/shard\(s\) 2\/3 missing/);
    const twice = await runCli([
      'merge',
      at('x.jsonl'),
      at('s1.jsonl'),
      at('s1.jsonl'),
      at('s2.jsonl'),
      at('s3.jsonl'),
    ]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/shard 1\/3 is given twice/);
    const plain = await runCli(['merge', at('x.jsonl'), at('all.jsonl')]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/not a shard's scores: .*all\.jsonl\.shard\.json is missing/);
    // an output over an input is refused before anything is written
    const over = await runCli(['merge', at('s1.jsonl'), at('s1.jsonl'), at('s2.jsonl'), at('s3.jsonl')]);
    expect(over.code).toBe(2);
    expect(readJsonlFile(readFileSync(at('s1.jsonl'), 'utf8')).length).toBeGreaterThan(0);
    // an edited shard (a line removed) is caught
    const lines = readFileSync(at('s2.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(at('cut.jsonl'), `${lines.slice(1).join('\n')}\n`);
    writeFileSync(at('cut.jsonl.shard.json'), readFileSync(at('s2.jsonl.shard.json')));
    const cut = await runCli(['merge', at('y.jsonl'), at('s1.jsonl'), at('cut.jsonl'), at('s3.jsonl')]);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/cut\.jsonl is not what its run wrote/);
  });

  it('tampered shards are never merged: an edited score, a swapped line, a foreign id, a reordering (#23 items 3, 14)', async () => {
    const one = readFileSync(at('s1.jsonl'), 'utf8').trim().split('\n');
    const two = readFileSync(at('s2.jsonl'), 'utf8').trim().split('\n');
    const edited = one.map((l, i) => (i === 0 ? l.replace(/"overall":[0-9.]+/, '"overall":5') : l));
    const cases: [string, string[]][] = [
      ['an edited score', edited],
      ['a line swapped in from another shard', [two[0]!, ...one.slice(1)]],
      ['a foreign id', [one[0]!.replace(/"id":"[^"]+"/, '"id":"not-in-the-input"'), ...one.slice(1)]],
      ['reordered lines', [...one].reverse()],
    ];
    for (const [what, lines] of cases) {
      expect(lines.join('\n'), what).not.toBe(one.join('\n'));
      writeFileSync(at('t.jsonl'), `${lines.join('\n')}\n`);
      writeFileSync(at('t.jsonl.shard.json'), readFileSync(at('s1.jsonl.shard.json')));
      const r = await runCli(['merge', at('t.merged.jsonl'), at('t.jsonl'), at('s2.jsonl'), at('s3.jsonl')]);
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toMatch(/t\.jsonl is not what its run wrote/);
      expect(existsSync(at('t.merged.jsonl')), what).toBe(false);
    }
  });

  it('range-checks --shard; an empty shard of a tiny input is not a failure', async () => {
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1/3/5']) {
      const r = await runCli(scoreArgs(FIXTURE, at('bad.jsonl'), '--shard', bad));
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--shard must be K\/N with 1 ≤ K ≤ N ≤ 10000/);
    }
    const one = writeJsonl(at('one.jsonl'), [{ id: 'only', prompt: 'p', response: 'r' }]);
    const codes: (number | null)[] = [];
    for (const k of [1, 2])
      codes.push((await runCli(scoreArgs(one, at(`one${k}.jsonl`), '--shard', `${k}/2`))).code);
    expect(codes).toEqual([0, 0]);
    const m = await runCli(['merge', at('one.merged.jsonl'), at('one1.jsonl'), at('one2.jsonl')]);
    expect(m.code, m.stderr).toBe(0);
    expect(readJsonlFile(readFileSync(at('one.merged.jsonl'), 'utf8')).map((l) => l.id)).toEqual(['only']);
  });
});
