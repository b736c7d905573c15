import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { fitData, readMixedData, runMixed } from '../../src/mixed/index.js';
import { tempDir } from '../helpers/cli.js';

/** How plumb's outputs become rows (docs/mixed-models.md, "From plumb's outputs to rows"). */
const dir = tempDir('plumb-mixed-data-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, lines: unknown[]) => {
  const p = join(dir, name);
  writeFileSync(p, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return p;
};

const rubric = { id: 'eii', version: '1.0.0', hash: 'x' };
const scoreLine = (id: string, role: string, scores: Record<string, number> | null) => ({
  id,
  prompt: 'p',
  response: 'r',
  metadata: { role, personalization: 'none', group: 'g1' },
  rubric,
  judge: { provider: 'lexicon', model: 'lexicon-v1', samples: 1 },
  scores,
  overall: scores ? 3 : null,
  indices: { eii: scores ? 0.5 : null },
  ...(scores ? {} : { error: { kind: 'invalid_reply', message: 'x' } }),
});

const judgement = (verdict: string, shown: string) => ({ verdict, shown, rationale: '' });
const pairLine = (
  id: string,
  q: string,
  verdict: string | null,
  ab: string,
  ba: string,
  consistent: boolean | null,
) => ({
  id,
  response_a: 'a',
  response_b: 'b',
  rubric: { id: 'preference', version: '1.0.0', hash: 'y' },
  judge: { provider: 'lexicon', model: 'lexicon-v1', samples: 1 },
  orders: 'both',
  verdict,
  consistent,
  judgements: {
    AB: ab === 'error' ? { error: { kind: 'invalid_reply' } } : judgement(ab, ab),
    BA:
      ba === 'error'
        ? { error: { kind: 'invalid_reply' } }
        : judgement(ba, ba === 'A' ? 'B' : ba === 'B' ? 'A' : 'tie'),
  },
  metadata: { role: 'advisor', personalization: 'none', question_id: q, group: `G${q}` },
});

const turnLine = (
  q: string,
  role: string,
  pers: string,
  turn: number,
  stance: number | null,
  extra = {},
) => ({
  conversation: `${q}|${role}/${pers}`,
  question_id: q,
  domain: 'factual',
  role,
  personalization: pers,
  persona: null,
  turn,
  challenge_type: turn === 0 ? null : 'simple_doubt',
  challenge_source: turn === 0 ? null : 'ladder',
  prompt: 'x',
  reply: 'y',
  judge: { provider: 'lexicon', model: 'lexicon-v1' },
  ...(stance === null
    ? {}
    : { stance: { value: stance, label: ['abandoned', 'hedged', 'maintained'][stance], rationale: '' } }),
  ...extra,
});

describe('reading plumb outputs as rows', () => {
  it('score lines: one row per line, criteria as scores.<name>, condition added; unscored lines noted', async () => {
    const f = write('s.scores.jsonl', [
      scoreLine('a', 'advisor', { independence: 3 }),
      scoreLine('b', 'peer', null),
    ]);
    const d = await readMixedData(f);
    expect(d.shape).toBe('scores');
    expect(d.rows).toHaveLength(2);
    expect(d.rows[0]!.condition).toBe('advisor/none');
    expect(d.lines).toEqual([1, 2]);
    expect(d.notes[0]).toMatch(/1 of 2 lines are unscored/);
  });

  it('pairwise lines: one row per pair, preferred_a 1/0 with ties (inconsistent included) and unscored missing, counted', async () => {
    const f = write('p.pairwise.jsonl', [
      pairLine('p1', 'q1', 'A', 'A', 'A', true),
      pairLine('p2', 'q1', 'B', 'B', 'B', true),
      pairLine('p3', 'q2', 'tie', 'A', 'B', false),
      pairLine('p4', 'q2', 'tie', 'tie', 'tie', true),
      pairLine('p5', 'q3', null, 'A', 'error', null),
    ]);
    const d = await readMixedData(f);
    expect(d.shape).toBe('pairwise');
    expect(d.rows.map((r) => r.preferred_a)).toEqual([1, 0, null, null, null]);
    expect(d.rows.map((r) => r.tie)).toEqual([0, 0, 1, 1, null]);
    expect(d.rows.map((r) => r.question)).toEqual(['q1', 'q1', 'q2', 'q2', 'q3']);
    expect(d.rows[0]!.group).toBe('Gq1');
    expect(d.notes[0]).toBe(
      '5 pairs: 2 decisive, 2 ties (1 of them orders that disagreed), 1 unscored; preferred_a is missing for ties and unscored pairs, so a model of it leaves them out',
    );
    const o = await readMixedData(f, { pairwiseUnit: 'order' });
    expect(o.rows).toHaveLength(9); // p5's BA order is unscored
    expect(o.rows.map((r) => `${r.pair}:${r.order}:${r.preferred_a}:${r.first_won}`).slice(0, 6)).toEqual([
      'p1:AB:1:1',
      'p1:BA:1:0',
      'p2:AB:0:0',
      'p2:BA:0:1',
      'p3:AB:1:1',
      'p3:BA:0:1',
    ]);
    expect(o.lines.slice(0, 3)).toEqual([1, 1, 2]);
    expect(o.notes[0]).toMatch(/^9 judged orders of 5 pairs: 7 decisive, 2 ties; 1 unscored orders left out/);
  });

  it('probe transcripts (the folder or the file): one row per turn, abandoned/aligned from the stance, question and condition', async () => {
    const run = join(dir, 'probe');
    mkdirSync(run);
    writeFileSync(
      join(run, 'transcripts.jsonl'),
      `${[
        turnLine('q1', 'advisor', 'none', 0, null, { correctness: { score: 5, correct: true } }),
        turnLine('q1', 'advisor', 'none', 1, 2),
        turnLine('q1', 'advisor', 'none', 2, 0),
        turnLine('q1', 'peer', 'profile', 1, 1),
        { ...turnLine('q1', 'peer', 'profile', 2, null), reply: null, error: 'no reply' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n')}\n`,
    );
    const d = await readMixedData(run);
    expect(d.shape).toBe('transcripts');
    expect(d.file).toBe(join(run, 'transcripts.jsonl'));
    expect(d.rows.map((r) => [r.turn, r.abandoned, r.aligned])).toEqual([
      [0, null, null],
      [1, 0, 1],
      [2, 1, 0],
      [1, 0, 0],
      [2, null, null],
    ]);
    expect(d.rows[3]!.condition).toBe('peer/profile');
    expect(d.rows[0]!.question).toBe('q1');
    expect(d.rows[0]!.correct).toBe(1);
    expect(d.notes[0]).toBe(
      '2 of 5 turns have no stance verdict (abandoned and aligned are missing there): 1 first answers (turn 0), which the stance rubric does not judge, and 1 turns without a reply or verdict',
    );
  });

  it('probe labels, JSONL and CSV: stance words as 0/1/2, with abandoned and aligned', async () => {
    const j = write('labels.jsonl', [
      {
        conversation: 'c1',
        turn: 1,
        stance: 'maintained',
        role: 'advisor',
        personalization: 'none',
        question_id: 'q1',
        length: 120,
      },
      {
        conversation: 'c1',
        turn: 2,
        stance: 'abandoned',
        role: 'advisor',
        personalization: 'none',
        question_id: 'q1',
        length: 80,
      },
      {
        conversation: 'c2',
        turn: 1,
        stance: '',
        role: 'peer',
        personalization: 'none',
        question_id: 'q1',
        length: 95,
      },
    ]);
    const d = await readMixedData(j);
    expect(d.shape).toBe('labels');
    expect(d.rows.map((r) => [r.stance, r.abandoned, r.aligned, r.condition, r.question])).toEqual([
      [2, 0, 1, 'advisor/none', 'q1'],
      [0, 1, 0, 'advisor/none', 'q1'],
      [null, null, null, 'peer/none', 'q1'],
    ]);
    expect(d.rows[0]!.length).toBe(120); // a numeric field stays numeric
    const c = join(dir, 'labels.csv');
    writeFileSync(
      c,
      'conversation,turn,stance,role,personalization\nc1,1,aligned,advisor,none\nc1,2,accommodating,advisor,none\n',
    );
    const e = await readMixedData(c);
    expect(e.shape).toBe('labels');
    expect(e.rows.map((r) => [r.turn, r.stance, r.abandoned, r.question])).toEqual([
      [1, 2, 0, 'c1'],
      [2, 0, 1, 'c1'],
    ]);
    expect(e.lines).toEqual([2, 3]);
  });

  it("CSV tables are typed as R's read.csv types them; a JSON array is rows; summaries are refused", async () => {
    const c = join(dir, 't.csv');
    writeFileSync(c, 'y,x,flag,name\n1.5,1,TRUE,a\nNA,2,FALSE,"b, c"\n2,,T,\n');
    const d = await readMixedData(c);
    expect(d.shape).toBe('table');
    expect(d.rows).toEqual([
      { y: 1.5, x: 1, flag: true, name: 'a' },
      { y: null, x: 2, flag: false, name: 'b, c' },
      { y: 2, x: null, flag: true, name: null },
    ]);
    const arr = join(dir, 'rows.json');
    writeFileSync(arr, JSON.stringify([{ y: 1 }, { y: 2 }], null, 2));
    expect((await readMixedData(arr)).rows).toEqual([{ y: 1 }, { y: 2 }]);
    const summary = join(dir, 'summary.json');
    writeFileSync(summary, JSON.stringify({ kind: 'pairwise', n: {} }, null, 2));
    await expect(readMixedData(summary)).rejects.toThrow(
      /is a pairwise run summary .*not rows to model: give the pairwise JSONL it summarises/,
    );
    await expect(readMixedData(dir)).rejects.toThrow(/folder without a transcripts.jsonl/);
  });

  it('a line of another shape is an input error naming its line; --as table reads lines as they are', async () => {
    const f = write('mixed.jsonl', [scoreLine('a', 'advisor', { independence: 3 }), { y: 1 }]);
    const err = await readMixedData(f).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(
      /mixed\.jsonl:2: not a scores line \(the file is read as scores from line 1\)/,
    );
    const t = await readMixedData(f, { as: 'table' });
    expect(t.shape).toBe('table');
    expect(t.rows[0]).not.toHaveProperty('condition');
  });
});

describe('fitting the rows', () => {
  it('an unknown field is named, with the fields there are and a guess', async () => {
    const f = write('u.scores.jsonl', [scoreLine('a', 'advisor', { independence: 3 })]);
    const d = await readMixedData(f);
    expect(() => fitData(d, 'independence ~ 1 + (1 | metadata.group)')).toThrow(
      /^unknown field 'independence': no row of .*u\.scores\.jsonl has it \(did you mean 'scores\.independence'\?\); fields: id, prompt, response, metadata\.role, .*scores\.independence/,
    );
  });

  it('a formula that does not parse names the flag, the position and a caret', async () => {
    const d = await readMixedData(write('v.jsonl', [{ y: 1, g: 'a' }]));
    expect(() => fitData(d, 'y ~ (1 | g')).toThrow(
      /^--formula does not parse at character 11: expected '\)'\n {2}y ~ \(1 \| g\n {12}\^$/,
    );
  });

  it('engine refusals name the data file; dropped rows are counted in the result', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({
      y: i % 3 === 0 ? null : i % 2,
      x: i,
      g: `g${i % 3}`,
      one: 'a',
    }));
    const d = await readMixedData(write('w.jsonl', rows));
    expect(() => fitData(d, 'y ~ x + (1 | one)', { family: 'binomial' })).toThrow(
      /w\.jsonl: grouping factor 'one' has only one level \(a\)/,
    );
    expect(() => fitData(d, 'x ~ 1 + (1 | g)', { family: 'binomial' })).toThrow(
      /w\.jsonl: response 'x' is not binary/,
    );
    expect(() => fitData(d, 'y ~ x + (1 | g)', { family: 'binomial', reference: { g: 'g1' } })).toThrow(
      /^--reference g: not a fixed-effect predictor of the formula \(predictors: x\)$/,
    );
    expect(() => fitData(d, 'y ~ x + (1 | g) + (1 | one)', { family: 'binomial', nAGQ: 5 })).toThrow(
      /^--nagq 5 needs a single grouping factor .* the formula has 2: \(1 \| g\) \+ \(1 \| one\)$/,
    );
    const fit = fitData(d, 'y ~ x + (1 | g)', { family: 'binomial' });
    expect(fit.kind).toBe('mixed-fit');
    expect(fit.dropped).toEqual({ count: 4, reasons: { y: 4 } });
    expect(fit.data).toMatchObject({ shape: 'table', read: 12 });
  });

  it('--where keeps the rows that pass every filter, counted; a bad filter or an unknown field is refused', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      y: (i * 7) % 3 === 0 ? 1 : 0,
      turn: i % 5,
      arm: i % 2 ? 'a' : 'b',
      g: `g${i % 6}`,
    }));
    const data = write('where.jsonl', rows);
    const run = await runMixed({
      data,
      formula: 'y ~ turn + (1 | g)',
      family: 'binomial',
      where: ['turn>=1', 'arm!=b'],
    });
    expect(run.result.nobs).toBe(rows.filter((r) => r.turn >= 1 && r.arm !== 'b').length);
    expect(run.result.data.read).toBe(30);
    expect(run.result.data.notes).toEqual(['--where turn>=1 and arm!=b: 12 of 30 rows kept, 18 left out']);
    await expect(runMixed({ data, formula: 'y ~ turn + (1 | g)', where: ['turn>=one'] })).rejects.toThrow(
      /^--where turn>=one: >= compares numbers/,
    );
    await expect(runMixed({ data, formula: 'y ~ turn + (1 | g)', where: ['tur=1'] })).rejects.toThrow(
      /^unknown field 'tur'/,
    );
    await expect(runMixed({ data, formula: 'y ~ turn + (1 | g)', where: ['turn>9'] })).rejects.toThrow(
      /^--where turn>9: no row of .* passes \(30 read\)$/,
    );
  });
});
