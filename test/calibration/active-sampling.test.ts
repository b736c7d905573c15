import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pairLineSignals, residualSpread, scoreLineSignals } from '../../src/calibration/uncertainty.js';
import { activeMean, activeProbabilities, drawActive } from '../../src/stats/active.js';
import { seededRandom } from '../../src/stats/random.js';
import { readJsonlFile, runCli, tempDir, writeJsonl } from '../helpers/cli.js';

/**
 * Active gold sampling, the user-facing half (issue #24): the uncertainty read from score and
 * pairwise lines, `gold sample --active`, `calibrate` on the sheet it writes, `gold plan --active`.
 * The estimator itself is checked by hand in test/stats/active.test.ts; here the CLI must hand it
 * exactly the items, probabilities and labels of the draw.
 */

describe('uncertainty signals from what plumb writes', () => {
  it('samples: the spread of a criterion; overall: the root mean square of the criteria’s', () => {
    const line = {
      scores: { a: 3, b: 4 },
      overall: 3.5,
      spread: { a: { n: 5, sd: 0.3, min: 3, max: 4 }, b: { n: 5, sd: 0.4, min: 3, max: 5 } },
    };
    expect(scoreLineSignals(line, 'a').samples).toBe(0.3);
    // √((0.3² + 0.4²)/2) = √0.125
    expect(scoreLineSignals(line, 'overall').samples).toBeCloseTo(Math.sqrt(0.125), 15);
    expect(scoreLineSignals({ scores: { a: 3 } }, 'a').samples).toBeNull();
  });

  it('panel: the SD of the members (counted once, not again as samples); failed members left out', () => {
    const line = {
      scores: { a: 3 },
      spread: { a: { n: 2, sd: Math.SQRT2, min: 2, max: 4 } },
      panel: { x: { scores: { a: 2 }, overall: 2 }, y: { scores: { a: 4 }, overall: 4 }, z: { error: {} } },
    };
    const s = scoreLineSignals(line, 'a');
    expect(s.panel).toBeCloseTo(Math.SQRT2, 15);
    expect(s.samples).toBeNull();
    expect(scoreLineSignals(line, 'overall').panel).toBeCloseTo(Math.SQRT2, 15);
  });

  it('orders: 0 when the two orders agree, |1 − 0|/√2 when they contradict each other, votes counted', () => {
    const agree = { orders: { AB: { ok: true, verdict: 'A' }, BA: { ok: true, verdict: 'A' } } };
    const contradict = { orders: { AB: { ok: true, verdict: 'A' }, BA: { ok: true, verdict: 'B' } } };
    expect(pairLineSignals(agree).orders).toBe(0);
    expect(pairLineSignals(contradict).orders).toBeCloseTo(Math.SQRT1_2, 15);
    // votes 2 A + 1 B, and 3 B: values 0,0,1,1,1,1 → sd = √(6·(2/3)·(1/3)/5) = √(4/15)
    const votes = {
      orders: {
        AB: { ok: true, verdict: 'A', votes: { A: 2, B: 1, tie: 0 } },
        BA: { ok: true, verdict: 'B', votes: { A: 0, B: 3, tie: 0 } },
      },
    };
    expect(pairLineSignals(votes).orders).toBeCloseTo(Math.sqrt(4 / 15), 15);
  });

  it('residual spread: by judge score, through the calibration map, shrunk to the pooled RMS', () => {
    // linear map 0.5 + 0.8·f; residuals at f = 2: 3 − 2.1 = 0.9, 2 − 2.1 = −0.1; at f = 4: 3.7 − 3.7 = 0
    const t = residualSpread(
      [
        { judge: 2, human: 3 },
        { judge: 2, human: 2 },
        { judge: 4, human: 3.7 },
      ],
      { method: 'linear', intercept: 0.5, slope: 0.8 },
      { prior: 1 },
    );
    const pooled = (0.81 + 0.01 + 0) / 3;
    expect(t[0]!.score).toBe(2);
    expect(t[0]!.sd).toBeCloseTo(Math.sqrt((0.82 + pooled) / 3), 12);
    expect(t[1]!.sd).toBeCloseTo(Math.sqrt(pooled / 2), 12);
  });
});

/** N scored items on 1–5 whose judge error grows with the spread of its samples. */
function population(N: number, seed: number) {
  const rand = seededRandom(seed);
  const lines: Record<string, unknown>[] = [];
  const truth = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const f = 1 + Math.round(4 * rand());
    const u = rand() < 0.2 ? 1.2 : 0.1;
    const role = i % 2 ? 'peer' : 'advisor';
    const noise = (rand() - 0.5) * 2 * u * 1.5;
    const y = Math.min(5, Math.max(1, Math.round(f + noise)));
    const id = `item-${i}`;
    truth.set(id, y);
    lines.push({
      id,
      prompt: `prompt ${i}`,
      response: `response ${i}`,
      scores: { quality: f },
      overall: f,
      spread: { quality: { n: 5, sd: u, min: f - 1, max: f + 1 } },
      metadata: { role, personalization: 'none' },
    });
  }
  return { lines, truth };
}

describe('gold sample --active, then calibrate on the sheet', () => {
  it('draws with the active probabilities, records them, and calibrate estimates with them (never as a random sample)', async () => {
    const dir = tempDir('plumb-active-');
    const { lines, truth } = population(200, 7);
    const scores = writeJsonl(join(dir, 'scores.jsonl'), lines);
    const sheet = join(dir, 'sheet');
    const r = await runCli([
      'gold',
      'sample',
      '--scores',
      scores,
      '--active',
      '--budget',
      '40',
      '--criterion',
      'quality',
      '--seed',
      '3',
      '--out',
      sheet,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/by the active rule/);
    expect(r.stdout).toMatch(/samples 200 of 200 items/);
    // the same probabilities and draw the library gives
    const u = lines.map((l) => (l.spread as Record<string, { sd: number }>).quality!.sd);
    const pi = activeProbabilities(u, { budget: 40 });
    const { order } = drawActive(pi, 3);
    const rows = readJsonlFile(readFileSync(`${sheet}.jsonl`, 'utf8'));
    expect(rows.map((x) => x.id)).toEqual(order.map((i) => `item-${i}`));
    for (const row of rows) {
      const i = Number(String(row.id).slice(5));
      expect(row.design).toEqual({
        design: 'active',
        stratum: 'all',
        stratum_size: 200,
        inclusion_probability: pi[i],
      });
    }
    const csv = readFileSync(`${sheet}.csv`, 'utf8').split('\n')[0]!;
    expect(csv.endsWith(',design')).toBe(true);

    // people rate every drawn item
    writeFileSync(
      `${sheet}.jsonl`,
      rows
        .map((x) => JSON.stringify({ ...x, rater: 'ana', scores: { quality: truth.get(String(x.id)) } }))
        .join('\n') + '\n',
    );
    const c = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      `${sheet}.jsonl`,
      '--scale',
      '1,5',
      '--criterion',
      'quality',
      '--ppi',
      '--bootstrap',
      '0',
      '--json',
    ]);
    expect(c.code, c.stderr).toBe(0);
    const report = JSON.parse(c.stdout);
    expect(report.design.kind).toBe('active');
    expect(report.design.refused).toBeNull();
    expect(report.ppi).toBeNull(); // the random-sample PPI++ is not run on an active sheet
    const drawn = new Set(order);
    const items = lines.map((l, i) => ({
      f: l.overall as number,
      pi: drawn.has(i) ? pi[i]! : 1,
      labelled: drawn.has(i),
      ...(drawn.has(i) ? { y: truth.get(l.id as string)! } : {}),
    }));
    const expected = activeMean(items, { alpha: 0.05, seed: 1, range: [1, 5] });
    const all = report.active.means.find(
      (m: { criterion: string; condition: string | null }) =>
        m.criterion === 'quality' && m.condition === null,
    );
    expect(all.result.estimate).toBeCloseTo(expected.estimate!, 12);
    expect(all.result.ci[0]).toBeCloseTo(expected.ci![0], 12);
    expect(all.result.ci[1]).toBeCloseTo(expected.ci![1], 12);
    expect(all.result.uniformLabelsForSameWidth).toBeCloseTo(expected.uniformLabelsForSameWidth!, 9);
    // per condition and the contrast peer − advisor, for the focus criterion
    expect(
      report.active.means.filter((m: { condition: string | null }) => m.condition !== null),
    ).toHaveLength(2);
    expect(report.active.contrasts).toHaveLength(1);
    expect(report.active.contrasts[0]).toMatchObject({ a: 'advisor/none', b: 'peer/none' });
    expect(report.active.contrasts[0].result.estimate).not.toBeNull();

    const text = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      `${sheet}.jsonl`,
      '--scale',
      '1,5',
      '--criterion',
      'quality',
      '--bootstrap',
      '0',
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/gold design: an active draw/);
    expect(text.stdout).toMatch(/active estimates/);
    expect(text.stdout).toMatch(/uniform draw needs/);
    expect(text.stdout).not.toMatch(/simple random sample/);
  });

  it('exit 2 saying what is missing: no budget, no signal, --n with --active, a budget without --active', async () => {
    const dir = tempDir('plumb-active-');
    const { lines } = population(30, 1);
    const scores = writeJsonl(join(dir, 'scores.jsonl'), lines);
    const flat = writeJsonl(
      join(dir, 'flat.jsonl'),
      lines.map(({ spread: _s, ...l }) => l),
    );
    const out = join(dir, 'sheet');
    const noBudget = await runCli(['gold', 'sample', '--scores', scores, '--active', '--out', out]);
    expect(noBudget.code).toBe(2);
    expect(noBudget.stderr).toMatch(/--active needs --budget/);
    const noSignal = await runCli([
      'gold',
      'sample',
      '--scores',
      flat,
      '--active',
      '--budget',
      '10',
      '--out',
      out,
    ]);
    expect(noSignal.code).toBe(2);
    expect(noSignal.stderr).toMatch(/no item carries an uncertainty signal: score with --samples K/);
    const both = await runCli([
      'gold',
      'sample',
      '--scores',
      scores,
      '--active',
      '--budget',
      '10',
      '--n',
      '5',
      '--out',
      out,
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--n is not used with --active/);
    const stray = await runCli([
      'gold',
      'sample',
      '--scores',
      scores,
      '--n',
      '5',
      '--budget',
      '10',
      '--out',
      out,
    ]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--budget needs --active/);
  });

  it('an active sheet whose rows lost their probabilities is refused by name, not estimated as a random sample', async () => {
    const dir = tempDir('plumb-active-');
    const { lines, truth } = population(60, 2);
    const scores = writeJsonl(join(dir, 'scores.jsonl'), lines);
    const gold = writeJsonl(
      join(dir, 'gold.jsonl'),
      lines.slice(0, 20).map((l) => ({
        id: l.id,
        rater: 'ana',
        scores: { quality: truth.get(l.id as string) },
        design: { design: 'active', stratum_size: 60 },
      })),
    );
    const c = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      gold,
      '--scale',
      '1,5',
      '--ppi',
      '--bootstrap',
      '0',
      '--json',
    ]);
    const report = JSON.parse(c.stdout);
    expect(report.active).toBeNull();
    expect(report.design.refused).toMatch(/without an inclusion_probability/);
  });
});

describe('gold plan --active', () => {
  it('before any label: the active draw’s labels for the uniform half-width, and the saving', async () => {
    const dir = tempDir('plumb-active-');
    const { lines, truth } = population(400, 11);
    const scores = writeJsonl(join(dir, 'scores.jsonl'), lines);
    const pilot = writeJsonl(
      join(dir, 'pilot.jsonl'),
      lines
        .filter((_, i) => i % 10 === 0)
        .map((l) => ({ id: l.id, scores: { quality: truth.get(l.id as string) } })),
    );
    const r = await runCli([
      'gold',
      'plan',
      '--scores',
      scores,
      '--gold',
      pilot,
      '--scale',
      '1,5',
      '--criterion',
      'quality',
      '--target-halfwidth',
      '0.2',
      '--active',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.active.uniform_labels).toBe(plan.ppi.n);
    // a signal that tracks the error: fewer labels than the uniform draw
    expect(plan.active.active_labels).toBeLessThan(plan.active.uniform_labels);
    expect(plan.active.saving).toBeCloseTo(1 - plan.active.active_labels / plan.active.uniform_labels, 12);
    expect(plan.active.assumption).toMatch(/fitted on 40 pilot gold items/);
    const text = await runCli([
      'gold',
      'plan',
      '--scores',
      scores,
      '--gold',
      pilot,
      '--scale',
      '1,5',
      '--criterion',
      'quality',
      '--target-halfwidth',
      '0.2',
      '--active',
    ]);
    expect(text.stdout).toMatch(
      /active {6}\d+ gold items expected \(gold sample --active --budget \d+\): \d+% fewer/,
    );
  });
});

describe('rate --active never writes over a sheet that is not its session', () => {
  it('refuses an existing sheet without a session file, naming it', async () => {
    const { openSession } = await import('../../src/rate/sequential.js');
    const { resolveRubric } = await import('../../src/rubrics/load.js');
    const dir = tempDir('plumb-active-');
    const { lines } = population(30, 3);
    const scores = writeJsonl(join(dir, 'scores.jsonl'), lines);
    const sheet = join(dir, 'sheet');
    const r = await runCli(['gold', 'sample', '--scores', scores, '--n', '5', '--out', sheet]);
    expect(r.code, r.stderr).toBe(0);
    const before = readFileSync(`${sheet}.jsonl`, 'utf8');
    await expect(
      openSession({
        sheet: `${sheet}.jsonl`,
        scores,
        rubric: await resolveRubric('eii'),
        criterion: 'independence',
        targetHalfwidth: 0.5,
        budget: 10,
        seed: 0,
        floor: 1,
      }),
    ).rejects.toThrow(/already exist.*no active session/);
    expect(readFileSync(`${sheet}.jsonl`, 'utf8')).toBe(before);
  });
});
