import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activeVerdictCalibration, peopleValues } from '../../src/calibration/active-pairs.js';
import {
  type SessionFile,
  sequentialCalibration,
  sessionState,
  uniformLabelsOfDraws,
} from '../../src/calibration/sequential-session.js';
import { pairJudgeValue, pairLineSignals } from '../../src/calibration/uncertainty.js';
import { openSession, startSequentialServer } from '../../src/rate/sequential.js';
import { readSheet } from '../../src/rate/sheet.js';
import { resolveRubric } from '../../src/rubrics/load.js';
import { activeMean, activeProbabilities, drawActive } from '../../src/stats/active.js';
import { seededRandom } from '../../src/stats/random.js';
import { readJsonlFile, runCli, tempDir, writeJsonl } from '../helpers/cli.js';

/**
 * Issue #24's two last gaps: `gold sample --active` on pairwise lines (the order-disagreement
 * signal; calibrate's active estimate of people's verdict from the sheet), and `calibrate` on a
 * sequential session of `plumb rate --active` (the session replayed: the estimate and interval
 * its page showed). The estimators themselves are checked by hand in test/stats/active.test.ts
 * (activeMean) and test/stats/confidence-sequence.test.ts; here the commands must hand them
 * exactly the items, probabilities and labels of the design.
 */

const V = { A: 0, tie: 0.5, B: 1 } as const;
type Verdict = keyof typeof V;

/** The sample SD, written out here (not the library's). */
function sd(values: number[]): number | null {
  if (values.length < 2) return null;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/**
 * N pairwise lines as `plumb pairwise` writes them (judgements per order), a quarter with orders
 * that contradict each other (people split on those), some with 3 samples' votes, and the last
 * pair unjudged (both orders failed). Returns the lines, each pair's planted order values, and
 * people's verdicts.
 */
function pairs(N: number, seed: number) {
  const rand = seededRandom(seed);
  const lines: Record<string, unknown>[] = [];
  const values = new Map<string, number[]>();
  const people = new Map<string, Verdict>();
  const pick = (): Verdict => (['A', 'B', 'tie'] as const)[Math.floor(rand() * 3)]!;
  for (let i = 0; i < N; i++) {
    const id = `pair-${i}`;
    const role = i % 2 ? 'peer' : 'advisor';
    let judgements: Record<string, unknown>;
    let verdict: Verdict | null;
    if (i === N - 1) {
      judgements = {
        AB: { error: { kind: 'provider', message: 'down' } },
        BA: { error: { kind: 'provider', message: 'down' } },
      };
      verdict = null;
      values.set(id, []);
      people.set(id, 'A');
    } else if (rand() < 0.25) {
      judgements = { AB: { verdict: 'A', shown: 'A' }, BA: { verdict: 'B', shown: 'A' } };
      verdict = 'tie';
      values.set(id, [0, 1]);
      people.set(id, rand() < 0.5 ? 'A' : 'B');
    } else if (rand() < 0.3) {
      // 3 samples per order: 2 B + 1 A, and 3 B
      judgements = {
        AB: { verdict: 'B', shown: 'B', votes: { A: 1, B: 2, tie: 0 } },
        BA: { verdict: 'B', shown: 'A', votes: { A: 0, B: 3, tie: 0 } },
      };
      verdict = 'B';
      values.set(id, [0, 1, 1, 1, 1, 1]);
      people.set(id, rand() < 0.8 ? 'B' : pick());
    } else {
      const v: Verdict = rand() < 0.5 ? 'A' : 'B';
      judgements = { AB: { verdict: v, shown: v }, BA: { verdict: v, shown: v === 'A' ? 'B' : 'A' } };
      verdict = v;
      values.set(id, [V[v], V[v]]);
      people.set(id, rand() < 0.9 ? v : pick());
    }
    lines.push({
      id,
      prompt: `prompt ${i}`,
      response_a: `reply a ${i}`,
      response_b: `reply b ${i}`,
      rubric: { id: 'preference', version: '1.0.0', hash: 'x' },
      orders: 'both',
      verdict,
      consistent:
        verdict === null ? null : values.get(id)![0] === values.get(id)![values.get(id)!.length - 1],
      judgements,
      metadata: { role },
    });
  }
  return { lines, values, people };
}

describe('pairwise lines: the orders signal and the judge value', () => {
  it('reads the judgements plumb pairwise writes: agree 0, contradict 1/√2, votes one by one, failed orders none', () => {
    const agree = { judgements: { AB: { verdict: 'B', shown: 'B' }, BA: { verdict: 'B', shown: 'A' } } };
    const contradict = { judgements: { AB: { verdict: 'A', shown: 'A' }, BA: { verdict: 'B', shown: 'A' } } };
    expect(pairLineSignals(agree).orders).toBe(0);
    expect(pairJudgeValue(agree)).toBe(1);
    expect(pairLineSignals(contradict).orders).toBeCloseTo(Math.SQRT1_2, 15);
    expect(pairJudgeValue(contradict)).toBe(0.5);
    // a forced-choice order whose 2 samples split (no verdict, votes kept) and one that says tie:
    // values 0, 1, ½ → mean ½, sd ½
    const split = {
      judgements: {
        AB: { error: { kind: 'split_vote', message: '' }, votes: { A: 1, B: 1, tie: 0 } },
        BA: { verdict: 'tie', shown: 'tie' },
      },
    };
    expect(pairJudgeValue(split)).toBe(0.5);
    expect(pairLineSignals(split).orders).toBeCloseTo(0.5, 15);
    // one order only (--orders random): a value, no signal; both failed: neither
    const one = { judgements: { BA: { verdict: 'A', shown: 'B' } } };
    expect(pairJudgeValue(one)).toBe(0);
    expect(pairLineSignals(one).orders).toBeNull();
    const failed = { judgements: { AB: { error: { kind: 'provider', message: '' } } } };
    expect(pairJudgeValue(failed)).toBeUndefined();
  });

  it('people’s value of a pair: the mean over raters of their latest verdict (by hand)', () => {
    const v = peopleValues([
      { id: 'p', rater: 'ana', verdict: 'A' },
      { id: 'p', rater: 'ana', verdict: 'B' }, // ana changed her mind: B counts
      { id: 'p', rater: 'bo', verdict: 'tie' },
      { id: 'q', rater: 'ana', verdict: 'tie' },
    ]);
    expect(v.get('p')).toBe((1 + 0.5) / 2);
    expect(v.get('q')).toBe(0.5);
  });

  it('a census (every π = 1): the estimate is the mean of people’s values, by hand', async () => {
    const dir = tempDir('plumb-active-pairs-');
    const { lines } = pairs(11, 4);
    const file = writeJsonl(join(dir, 'pairs.jsonl'), lines);
    // people: pairs 0–4 A, 5–7 B, 8–9 tie; pair 10 is unjudged and left out
    const verdicts: Verdict[] = ['A', 'A', 'A', 'A', 'A', 'B', 'B', 'B', 'tie', 'tie', 'B'];
    const sheet = {
      file: 'sheet.jsonl',
      items: new Map(
        lines.map((l) => [
          String(l.id),
          { design: 'active', stratum: 'all', stratum_size: 11, inclusion_probability: 1 },
        ]),
      ),
    };
    const r = await activeVerdictCalibration({
      pairsFile: file,
      sheet,
      gold: lines.map((l, i) => ({ id: String(l.id), rater: 'ana', verdict: verdicts[i]! })),
      seed: 1,
    });
    const all = r.means.find((m) => m.condition === null)!;
    // (5·0 + 3·1 + 2·½)/10 = 0.4; the population SE is s(y)/√N, s² = (5·0.16 + 3·0.36 + 2·0.01)/9 = 1.9/9
    expect(all.result.estimate).toBeCloseTo(0.4, 14);
    expect(all.result.se).toBeCloseTo(Math.sqrt(1.9 / 9 / 10), 14);
    expect((all.result.ci![0] + all.result.ci![1]) / 2).toBeCloseTo(0.4, 14);
    expect(all.result.N).toBe(10);
    expect(r.note).toMatch(/over the 10 judged pairs \(1 without a judge verdict left out\)/);
  });
});

describe('gold sample --active on pairwise lines, rated, then calibrate', () => {
  it('draws by the orders signal, writes a sheet plumb rate shows as pairs, and calibrate gives the active estimate', async () => {
    const dir = tempDir('plumb-active-pairs-');
    const { lines, values, people } = pairs(240, 9);
    const file = writeJsonl(join(dir, 'pairs.jsonl'), lines);
    const sheet = join(dir, 'sheet');
    const r = await runCli([
      'gold',
      'sample',
      '--scores',
      file,
      '--active',
      '--budget',
      '70',
      '--seed',
      '5',
      '--out',
      sheet,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/of 240 judged pairs by the active rule/);
    expect(r.stdout).toMatch(/orders 239 of 240 items; 1 without a signal get the mean spread/);
    expect(r.stdout).toMatch(/npx plumb rate .*sheet\.jsonl/);
    // the probabilities from the planted order values (their SD; the unjudged pair has none)
    const ids = lines.map((l) => String(l.id));
    const u = ids.map((id) => sd(values.get(id)!));
    const pi = activeProbabilities(u, { budget: 70 });
    const { order } = drawActive(pi, 5);
    const rows = readJsonlFile(readFileSync(`${sheet}.jsonl`, 'utf8'));
    expect(rows.map((x) => x.id)).toEqual(order.map((i) => ids[i]));
    for (const row of rows) {
      const i = ids.indexOf(String(row.id));
      expect(row.design).toEqual({
        design: 'active',
        stratum: 'all',
        stratum_size: 240,
        inclusion_probability: pi[i],
      });
      expect(row.scores).toEqual({ verdict: null });
      expect(row.response_a).toBe(`reply a ${i}`);
      expect(row.response_b).toBe(`reply b ${i}`);
    }
    // plumb rate's reader sees pairs to rate by verdict
    const shown = await readSheet(`${sheet}.jsonl`);
    expect(shown.every((s) => s.pair && s.criteria.join() === 'verdict')).toBe(true);

    // people rate every drawn pair on the page: plumb rate's lines
    writeFileSync(
      `${sheet}.ratings.jsonl`,
      rows
        .map((x) =>
          JSON.stringify({
            rater: 'ana',
            id: x.id,
            verdict: people.get(String(x.id)),
            shown: 'A',
            order: 'AB',
          }),
        )
        .join('\n') + '\n',
    );
    const args = ['calibrate', '--scores', file, '--gold', `${sheet}.ratings.jsonl`, '--bootstrap', '0'];
    const c = await runCli([...args, '--json']);
    expect(c.code, c.stderr).toBe(0);
    const report = JSON.parse(c.stdout);
    expect(report.kind).toBe('verdict-calibration');
    const drawn = new Set(order);
    // the items the estimator must get: judged pairs in file order, f the mean of the order values
    const items = ids.flatMap((id, i) => {
      const v = values.get(id)!;
      if (!v.length) return [];
      const f = v.reduce((a, b) => a + b, 0) / v.length;
      return drawn.has(i)
        ? [{ f, pi: pi[i]!, labelled: true, y: V[people.get(id)!] }]
        : [{ f, pi: 1, labelled: false }];
    });
    const expected = activeMean(items, { alpha: 0.05, seed: 1, range: [0, 1] });
    const all = report.active.means.find((m: { condition: string | null }) => m.condition === null);
    expect(all.criterion).toBe('verdict');
    expect(all.result.estimate).toBeCloseTo(expected.estimate!, 12);
    expect(all.result.ci[0]).toBeCloseTo(expected.ci![0], 12);
    expect(all.result.ci[1]).toBeCloseTo(expected.ci![1], 12);
    expect(all.result.uniformLabelsForSameWidth).toBeCloseTo(expected.uniformLabelsForSameWidth!, 9);
    // per role and the contrast peer − advisor
    expect(report.active.contrasts).toHaveLength(1);
    expect(report.active.contrasts[0]).toMatchObject({ a: 'advisor/unspecified', b: 'peer/unspecified' });

    const text = await runCli(args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/gold design: an active draw/);
    expect(text.stdout).toMatch(/agreement figures below describe the drawn pairs/);
    expect(text.stdout).toMatch(/active estimates/);
    expect(text.stdout).toMatch(new RegExp(`verdict +all +${expected.estimate!.toFixed(3)}`));
  });

  it('exit 2 naming the file: scored items and pairs in one file (with its line), pilot gold with pairs, a sheet that lost its probabilities', async () => {
    const dir = tempDir('plumb-active-pairs-');
    const { lines } = pairs(30, 2);
    const mixed = writeJsonl(join(dir, 'mixed.jsonl'), [
      ...lines.slice(0, 3),
      { id: 'x', scores: { quality: 3 }, overall: 3 },
    ]);
    const m = await runCli([
      'gold',
      'sample',
      '--scores',
      mixed,
      '--active',
      '--budget',
      '5',
      '--out',
      join(dir, 's'),
    ]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain(`${mixed}:4: scored items and pairwise lines in one file`);
    const file = writeJsonl(join(dir, 'pairs.jsonl'), lines);
    const pilot = await runCli([
      'gold',
      'sample',
      '--scores',
      file,
      '--active',
      '--budget',
      '5',
      '--gold',
      file,
      '--out',
      join(dir, 's'),
    ]);
    expect(pilot.code).toBe(2);
    expect(pilot.stderr).toMatch(/holds pairwise lines: .* pilot gold .* is for scored items/);
    // a sheet whose rows lost their probabilities: refused, not agreement-as-if-sampled
    const sheet = writeJsonl(
      join(dir, 'lost.jsonl'),
      lines
        .slice(0, 12)
        .map((l) => ({ id: l.id, rater: '', scores: { verdict: null }, design: { design: 'active' } })),
    );
    writeJsonl(
      join(dir, 'lost.ratings.jsonl'),
      lines.slice(0, 12).map((l) => ({ rater: 'ana', id: l.id, verdict: 'A' })),
    );
    const c = await runCli(['calibrate', '--scores', file, '--gold', join(dir, 'lost.ratings.jsonl')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain(`${sheet}: 12 active row(s) without an inclusion_probability`);
  });
});

describe('calibrate on a sequential session of plumb rate --active', () => {
  it('uniform labels of uniform draws with replacement: N(1 − (1 − 1/N)^t), by hand', () => {
    expect(uniformLabelsOfDraws(2, 4)).toBeCloseTo(4 * (1 - 9 / 16), 15); // 1.75
    expect(uniformLabelsOfDraws(0, 10)).toBe(0);
    expect(uniformLabelsOfDraws(1, 10)).toBeCloseTo(1, 15);
  });

  it('replays the session the page ran: the same estimate and anytime-valid interval, the uniform-equivalent labels', async () => {
    const dir = tempDir('plumb-seq-cal-');
    const rand = seededRandom(11);
    const truth = new Map<string, number>();
    const lines = Array.from({ length: 80 }, (_, i) => {
      const f = 1 + Math.round(4 * rand());
      const noisy = rand() < 0.3;
      const y = Math.min(5, Math.max(1, f + (noisy ? Math.round((rand() - 0.5) * 4) : 0)));
      truth.set(`item-${i}`, y);
      return {
        id: `item-${i}`,
        prompt: `prompt ${i}`,
        response: `response ${i}`,
        scores: { independence: f },
        overall: f,
        spread: { independence: { n: 5, sd: noisy ? 1 : 0.2, min: f, max: f } },
      };
    });
    const scores = writeJsonl(join(dir, 'scores.jsonl'), lines);
    const rubric = await resolveRubric('eii');
    const prefix = join(dir, 'seq');
    const { design, file } = await openSession({
      sheet: `${prefix}.jsonl`,
      scores,
      rubric,
      criterion: 'independence',
      targetHalfwidth: 0.6,
      budget: 40,
      seed: 3,
    });
    // the page's own server, rated over HTTP as the page does
    const server = await startSequentialServer({
      design,
      sessionFile: file,
      rubric,
      rater: 'ana',
      ratingsFile: `${prefix}.ratings.jsonl`,
    });
    const token = new URL(server.url).searchParams.get('token')!;
    const api = (path: string, body?: unknown) =>
      fetch(new URL(path, server.url), {
        method: body ? 'POST' : 'GET',
        headers: { 'x-plumb-token': token, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then((r) => r.json() as Promise<{ status: { done: boolean }; item: { id: string } | null }>);
    let view = await api('/api/state');
    for (let k = 0; k < 40 && !view.status.done; k++)
      view = await api('/api/rate', {
        id: view.item!.id,
        criterion: 'independence',
        value: truth.get(view.item!.id),
      });
    await server.close();
    const session = JSON.parse(readFileSync(file, 'utf8')) as SessionFile;
    expect(session.rater).toBe('ana');
    expect(session.rubric).toEqual({ id: rubric.id, version: rubric.version, hash: rubric.hash });
    const page = session.status!;
    expect(page.done).toBe(true);
    expect(page.labelled).toBeGreaterThan(5);

    // calibrate on the session's ratings, as a user would after the page stopped
    const args = [
      'calibrate',
      '--scores',
      scores,
      '--gold',
      `${prefix}.ratings.jsonl`,
      '--scale',
      '1,5',
      '--bootstrap',
      '0',
    ];
    const c = await runCli([...args, '--ppi', '--json']);
    expect(c.code, c.stderr).toBe(0);
    const report = JSON.parse(c.stdout);
    expect(report.design.kind).toBe('sequential');
    expect(report.design.refused).toBeNull();
    expect(report.ppi).toBeNull(); // the random-sample estimators are not run
    const s = report.sequential;
    // what the page showed, to the last digit
    expect(s.estimate).toBe(page.estimate);
    expect(s.interval).toEqual(page.interval);
    expect(s.half_width).toBe(page.half_width);
    expect([s.draws, s.labelled, s.reason]).toEqual([page.draws, page.labelled, page.reason]);
    expect(s.matches_page).toBe(true);
    expect(s.uniform_draws_for_same_variance).toBe(page.uniform_draws_for_same_variance);
    if (page.uniform_draws_for_same_variance !== null)
      expect(s.uniform_labels_for_same_variance).toBeCloseTo(
        80 * (1 - (1 - 1 / 80) ** page.uniform_draws_for_same_variance),
        12,
      );
    // the library replay is the same thing
    const lib = sequentialCalibration({
      session,
      file,
      gold: readJsonlFile(readFileSync(`${prefix}.ratings.jsonl`, 'utf8')).map((r) => ({
        id: String(r.id),
        rater: String(r.rater),
        scores: { [String(r.criterion)]: Number(r.value) },
      })),
      rubric: null,
    });
    expect(lib.estimate).toBe(page.estimate);
    expect(sessionState(session, new Map()).status.draws).toBe(0);

    const text = await runCli(args);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/gold design: a sequential session of plumb rate --active/);
    expect(text.stdout).toContain(
      `${page.estimate!.toFixed(3)} [${page.interval[0].toFixed(3)}, ${page.interval[1].toFixed(3)}]`,
    );
    expect(text.stdout).toContain('(the same as the rating page showed)');

    // a session from before the rater was recorded: refused without --rater, replayed with it
    const { rater: _r, ...old } = session;
    writeFileSync(file, JSON.stringify(old));
    const refused = await runCli(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file} does not record whose ratings the page followed`);
    const given = await runCli([...args, '--rater', 'ana', '--json']);
    expect(given.code, given.stderr).toBe(0);
    expect(JSON.parse(given.stdout).sequential.estimate).toBe(page.estimate);
    // a session from before xoroshiro128+ (mulberry32 drew it; it records no rng): the same seed
    // now draws other items, so neither calibrate nor the page replays it
    const { rng: _g, ...mulberry } = session;
    expect(_g).toBe('xoroshiro128+');
    writeFileSync(file, JSON.stringify(mulberry));
    const stale = await runCli(args);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain(`${file}: the session was drawn by mulberry32`);
    await expect(
      openSession({
        sheet: `${prefix}.jsonl`,
        rubric,
        criterion: 'independence',
        targetHalfwidth: 0.6,
        budget: 40,
        seed: 3,
      }),
    ).rejects.toThrow(/drawn by mulberry32.*cannot resume or replay/);
    // a broken session file: exit 2 naming it
    writeFileSync(file, '{"kind": "active-session", "ids": [');
    const broken = await runCli(args);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${file}: cannot read the session`);
  }, 60_000);
});
