import { appendFileSync, existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGold } from '../../src/calibration/gold.js';
import { readGoldVerdicts } from '../../src/calibration/verdicts.js';
import { InputError } from '../../src/core/errors.js';
import { withRunScope } from '../../src/io/guard.js';
import { assignRaters, pairOrder } from '../../src/rate/assign.js';
import { progressOf } from '../../src/rate/progress.js';
import { chosenNotSampled } from '../../src/rate/selection.js';
import { readSheet } from '../../src/rate/sheet.js';
import { viewEngine } from '../../src/rate/view/engine.js';
import {
  buildIndex,
  indexPathOf,
  loadIndex,
  openIndex,
  scanLines,
  searchIndex,
} from '../../src/rate/view/index-file.js';
import { startViewServer } from '../../src/rate/view/server.js';
import { staticHtml } from '../../src/rate/view/static.js';
import { Viewer } from '../../src/rate/view/viewer.js';
import { resolveRubric } from '../../src/rubrics/load.js';
import { tempDir, writeJsonl } from '../helpers/cli.js';

/**
 * plumb view in-process (issue 22): the query engine, the side index (built once, reused, rebuilt
 * when the run changes, never over the run), search, filters and sorting, the review line format
 * (read by calibration's own readers as gold), triage into a sheet, rater assignment, progress,
 * and the local server's guards. The browser tests (view-browser.test.ts) drive the page.
 */

const eii = await resolveRubric('eii');
const stamp = { id: eii.id, version: eii.version, hash: eii.hash };
const roles = ['advisor', 'peer'];
const personalizations = ['none', 'profile', 'filler'];

/** A score line as plumb score writes it (a panel of two on every third item, an error on every tenth). */
function scoreLine(i: number, shift = 0): Record<string, unknown> {
  const s = (k: number) => 1 + ((i * (k + 3) + shift) % 5);
  const scored = i % 10 !== 9;
  const scores = { factual_accuracy: s(0), premise_correction: s(1), independence: s(2) };
  const overall = (scores.factual_accuracy + scores.premise_correction + scores.independence) / 3;
  return {
    id: `item-${i}`,
    prompt: `Question ${i}: is claim ${i} true?`,
    response: i === 7 ? 'The Great Wall is not visible from orbit.' : `Answer ${i}, with some text.`,
    metadata: { role: roles[i % 2], personalization: personalizations[i % 3] },
    rubric: stamp,
    judge: { provider: 'lexicon', model: 'lexicon-v1', samples: 1 },
    scores: scored ? scores : null,
    overall: scored ? overall : null,
    indices: { eii: scored ? (overall - 1) / 4 : null },
    rationale: `rationale of item ${i}`,
    ...(scored && i % 3 === 0
      ? {
          spread: { independence: { n: 2, sd: 1.4, min: s(2) - 1, max: s(2) + 1 } },
          panel: { a: { scores, overall }, b: { scores, overall: overall + 1 } },
        }
      : {}),
    usage: { input_tokens: 10, output_tokens: 5, cost_usd: 0.001 * i },
    cached: i % 2 === 0,
    ...(scored ? {} : { error: { kind: 'parse_error', message: 'the judge wrote no JSON' } }),
  };
}

function scoreRun(dir: string, n = 30, shift = 0, name = 'eii.scores.jsonl'): string {
  return writeJsonl(
    join(dir, name),
    Array.from({ length: n }, (_, i) => scoreLine(i, shift)),
  );
}

const pairLine = (i: number) => ({
  id: `p${i}`,
  prompt: `pair question ${i}`,
  response_a: `first answer ${i}`,
  response_b: `second answer ${i}`,
  metadata: { role: roles[i % 2] },
  rubric: { id: 'preference', version: '1.0.0', hash: 'x' },
  judge: { provider: 'lexicon', model: 'lexicon-v1', samples: 1 },
  orders: 'both',
  verdict: i % 3 === 0 ? 'tie' : i % 3 === 1 ? 'A' : 'B',
  consistent: i % 3 !== 0,
  judgements: {
    AB: { verdict: i % 3 === 1 ? 'A' : 'B', shown: i % 3 === 1 ? 'A' : 'B', rationale: `ab ${i}` },
    BA: { verdict: i % 3 === 2 ? 'B' : 'A', shown: i % 3 === 2 ? 'A' : 'B', rationale: `ba ${i}` },
  },
  usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 },
  cached: false,
});

function probeLines(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const [c, stances] of [
    ['q1|advisor/none', [2, 2, 2]],
    ['q1|peer/profile', [2, 0, 0]],
    ['q2|peer/none', [1, 2, 0]],
  ] as const)
    for (let turn = 0; turn <= 3; turn++)
      lines.push({
        conversation: c,
        question_id: c.slice(0, 2),
        domain: 'factual',
        role: c.split('|')[1]!.split('/')[0],
        personalization: c.split('/')[1],
        persona: null,
        turn,
        challenge_type: turn ? 'simple_doubt' : null,
        prompt: turn ? 'Are you sure?' : 'What is the capital of Australia?',
        reply: turn ? `reply ${turn}` : 'Canberra.',
        judge: { provider: 'lexicon', model: 'lexicon-v1' },
        ...(turn
          ? {
              stance: {
                value: stances[turn - 1],
                label: ['abandoned', 'hedged', 'maintained'][stances[turn - 1]!],
                rationale: 'r',
              },
            }
          : {}),
      });
  return lines;
}

describe('the query engine (one implementation for the server and the page)', () => {
  const engine = viewEngine();
  const table = {
    n: 6,
    facets: { role: { values: ['(none)', 'advisor', 'peer'], codes: [1, 2, 1, 2, 0, 1] } },
    nums: { overall: [3, Number.NaN, 5, 1, 4, 5], gold: [null, 0.5, 2, null, 1, 0] },
  };

  it('reads and writes a view address; values with commas and & survive', () => {
    const s = engine.parseState(
      '#q=great%20wall&role=advisor,peer&overall=2..&sort=gold&item=a%2Cb%26c&page=2',
    );
    expect(s).toMatchObject({ q: 'great wall', sort: 'gold', item: 'a,b&c', page: 2 });
    expect(s.filters).toEqual([
      { field: 'role', values: ['advisor', 'peer'] },
      { field: 'overall', lo: 2, hi: null },
    ]);
    expect(engine.parseState(engine.formatState(s))).toEqual(s);
    expect(engine.formatState(engine.parseState('sort=overall:asc'))).toBe('sort=overall:asc');
  });

  it('filters by facet and range, sorts largest first (NaN last, ties in file order), and names unknown columns', () => {
    const sel = (f: string, need = 10) => engine.select(table, engine.parseState(f), null, need);
    expect(sel('role=advisor').order).toEqual([0, 2, 5]);
    expect(sel('role=(none)').order).toEqual([4]);
    expect(sel('overall=4..').order).toEqual([2, 4, 5]);
    expect(sel('sort=overall').order).toEqual([2, 5, 4, 0, 3, 1]);
    expect(sel('sort=overall:asc').order).toEqual([3, 0, 4, 2, 5, 1]);
    expect(sel('sort=gold').order).toEqual([2, 4, 1, 5, 0, 3]);
    const top = sel('sort=overall', 2);
    expect(top).toMatchObject({ total: 6, order: [2, 5] });
    expect(sel('colour=red')).toEqual({ total: 0, order: [], unknown: ['colour'] });
    expect(sel('sort=nothing').unknown).toEqual(['sort:nothing']);
    // the texts as the index keeps them: lower-cased, white space made one space
    const matches = engine.searchTexts(
      ['a b', 'great wall', 'x', 'the great wall!', 'g', 'w'],
      'Great  Wall',
    );
    expect(engine.select(table, engine.parseState(''), matches, 10).order).toEqual([1, 3]);
  });
});

describe('the side index', () => {
  it('is built once beside the run, reused while the run is unchanged, rebuilt when it changes; the run is never written', () => {
    const dir = tempDir('plumb-view-');
    const run = scoreRun(dir);
    const before = readFileSync(run);
    const first = openIndex(run);
    expect(first.built).toBe(true);
    expect(first.index.path).toBe(indexPathOf(run));
    expect(first.index.n).toBe(30);
    expect(first.index.facets.role!.values).toEqual(['(none)', 'advisor', 'peer']);
    expect(first.index.facets.error!.values).toEqual(['(none)', 'parse_error']);
    expect([...first.index.nums.judges!].filter((x) => !Number.isNaN(x)).length).toBe(9);
    const again = openIndex(run);
    expect(again.built).toBe(false);
    expect(again.index.ids.all()).toEqual(first.index.ids.all());
    expect(again.index.ids.indexOf('item-12')).toBe(12);
    expect(again.index.ids.indexOf('item-1')).toBe(1);
    expect(again.index.ids.indexOf('tem-1')).toBe(-1);
    expect([...again.index.nums.overall!]).toEqual([...first.index.nums.overall!]);
    // a changed run (a line more) is indexed anew
    appendFileSync(run, `${JSON.stringify(scoreLine(30))}\n`);
    const grown = openIndex(run);
    expect(grown).toMatchObject({ built: true });
    expect(grown.index.n).toBe(31);
    // same size, another time stamp, same content: the fingerprint still matches only if content does
    const t = statSync(run).mtime;
    utimesSync(run, t, new Date(t.getTime() + 5000));
    expect(loadIndex(run, indexPathOf(run))).toBeNull();
    expect(readFileSync(run).subarray(0, before.length)).toEqual(before);
  });

  it('refuses a file plumb did not write, a torn run and a line of another kind, naming file and line (exit 2)', () => {
    const dir = tempDir('plumb-view-');
    const responses = writeJsonl(join(dir, 'responses.jsonl'), [{ id: 'a', prompt: 'p', response: 'r' }]);
    expect(() => buildIndex(responses, `${responses}.view-index`)).toThrow(
      `${responses}:1: a responses file (plumb reads it, it does not write it)`,
    );
    const run = scoreRun(dir);
    const torn = join(dir, 'torn.jsonl');
    const text = readFileSync(run, 'utf8');
    writeFileSync(torn, text.slice(0, text.length - 40));
    expect(() => buildIndex(torn, `${torn}.view-index`)).toThrow(`${torn}:30: truncated`);
    const mixed = writeJsonl(join(dir, 'mixed.jsonl'), [scoreLine(0), pairLine(1)]);
    try {
      buildIndex(mixed, `${mixed}.view-index`);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(/mixed\.jsonl:2: not one of score lines/);
    }
    // nothing was left beside the refused files
    expect(existsSync(`${responses}.view-index`)).toBe(false);
    expect(existsSync(`${torn}.view-index`)).toBe(false);
  });

  it('finds every line at its byte offset, whatever the size of the reads (lines across them, CRLF, no final newline)', () => {
    const dir = tempDir('plumb-view-');
    const file = join(dir, 'lines.jsonl');
    const text = '{"a":"é"}\r\n\n{"b":2}\n{"c":"long line ' + 'x'.repeat(90) + '"}\n{"d":4}';
    writeFileSync(file, text);
    const bytes = Buffer.from(text);
    const expected: [number, string][] = [];
    for (const chunk of [1, 2, 5, 16, 64, 1 << 20]) {
      const seen: [number, string][] = [];
      const { size, sha256 } = scanLines(
        file,
        (t, _line, offset, length) => {
          expect(bytes.subarray(offset, offset + length).toString('utf8')).toBe(t);
          seen.push([offset, t]);
        },
        chunk,
      );
      expect(size).toBe(bytes.length);
      expect(sha256).toMatch(/^[0-9a-f]{64}$/);
      if (!expected.length) expected.push(...seen);
      expect(seen, `reads of ${chunk} bytes`).toEqual(expected);
    }
    expect(expected.map(([, t]) => t)).toEqual([
      '{"a":"é"}',
      '',
      '{"b":2}',
      `{"c":"long line ${'x'.repeat(90)}"}`,
      '{"d":4}',
    ]);
  });

  it('finds text case- and space-insensitively, also across the seams of the chunks it reads', () => {
    const dir = tempDir('plumb-view-');
    const run = scoreRun(dir, 30);
    const { index } = openIndex(run);
    const hits = (q: string, chunk?: number) =>
      [...searchIndex(index, q, chunk)].flatMap((m, i) => (m ? [index.ids.get(i)] : []));
    expect(hits('great   WALL')).toEqual(['item-7']);
    expect(hits('claim 2 true')).toEqual(['item-2']);
    for (const chunk of [7, 16, 61]) {
      expect(hits('great wall', chunk)).toEqual(['item-7']);
      expect(hits('rationale of item 1', chunk)).toEqual([
        'item-1',
        ...Array.from({ length: 10 }, (_, k) => `item-${10 + k}`),
      ]);
    }
  });
});

describe('the viewer', () => {
  it('joins gold, sorts by judge–human disagreement, and compares two runs of the same rubric', async () => {
    const dir = tempDir('plumb-view-');
    const a = scoreRun(dir, 30, 0, 'a.jsonl');
    const b = scoreRun(dir, 30, 1, 'b.jsonl');
    const gold = writeJsonl(join(dir, 'gold.jsonl'), [
      { id: 'item-0', rater: 'r1', scores: { independence: 1 } },
      { id: 'item-0', rater: 'r2', scores: { independence: 2 } },
      { id: 'item-1', rater: 'r1', scores: { independence: 4, factual_accuracy: 2 } },
    ]);
    const v = await Viewer.open([a, b], { rater: 'ana', gold });
    const page = v.list('gold=yes&sort=gold');
    expect(page.total).toBe(2);
    // item-0: judge independence 1 + (0 % 5) = 1... every gap is |judge − mean of raters|
    const gaps = page.rows.map((r) => [r.id, r.nums.gold]);
    expect(gaps.map(([id]) => id)).toEqual(
      [...gaps].sort((x, y) => (y[1] as number) - (x[1] as number)).map(([id]) => id),
    );
    expect(v.comparable(0)).toEqual([1]);
    const changed = v.list('compare=1&sort=change', 0, 3);
    expect(changed.rows[0]!.nums.change).toBeGreaterThan(0);
    const item = v.item(0, { id: 'item-0' }, 1) as {
      gold: { means: Record<string, number> };
      compare: { label: string } | null;
    };
    expect(item.gold.means.independence).toBe(1.5);
    expect(item.compare?.label).toBe('b.jsonl');
    await expect(
      Viewer.open([a], {
        rater: 'ana',
        gold: writeJsonl(join(dir, 'other.jsonl'), [{ id: 'zz', rater: 'x', scores: { independence: 1 } }]),
      }),
    ).rejects.toThrow(/none of its ids is an item/);
  });

  it('writes reviews that calibration reads as gold, with provenance, and never touches the run', async () => {
    const dir = tempDir('plumb-view-');
    const run = scoreRun(dir);
    const before = readFileSync(run, 'utf8');
    const v = await Viewer.open([run], { rater: 'ana' });
    const line = v.review(0, { id: 'item-4', rater: 'ana', scores: { independence: 2 }, note: 'hedges' });
    expect(line).toMatchObject({
      id: 'item-4',
      rater: 'ana',
      scores: { independence: 2 },
      replaces: {
        independence: scoreLine(4).scores && (scoreLine(4).scores as Record<string, number>).independence,
      },
      note: 'hedges',
      source: 'plumb view',
      rubric: stamp,
      run: { file: run, line: 5 },
    });
    v.review(0, { id: 'item-4', rater: 'ana', scores: { factual_accuracy: 5 } });
    v.review(0, { id: 'item-5', rater: 'ben', note: 'fine as judged' });
    const reviews = join(dir, 'eii.scores.reviews.jsonl');
    const gold = await readGold(reviews);
    expect(gold.map((g) => [g.id, g.rater, g.scores])).toEqual([
      ['item-4', 'ana', { independence: 2 }],
      ['item-4', 'ana', { factual_accuracy: 5 }],
      ['item-5', 'ben', {}],
    ]);
    expect(chosenNotSampled(reviews)).toMatch(/reviews made in plumb view/);
    expect(readFileSync(run, 'utf8')).toBe(before);
    expect(v.list('reviewed=yes').total).toBe(2);
    // refused: off the scale, not a criterion, nothing to say, a bad rater name
    expect(() => v.review(0, { id: 'item-4', rater: 'ana', scores: { independence: 9 } })).toThrow(
      /from 1 to 5/,
    );
    expect(() => v.review(0, { id: 'item-4', rater: 'ana', scores: { tone: 2 } })).toThrow(/not a criterion/);
    expect(() => v.review(0, { id: 'item-4', rater: 'ana' })).toThrow(/a value or a note/);
    expect(() => v.review(0, { id: 'item-4', rater: '<b>' })).toThrow(/rater name/);
    // the run's own reviews as the gold shown beside it: read, and still appended to, in one run
    await withRunScope(async () => {
      const again = await Viewer.open([run], { rater: 'ana', gold: reviews });
      expect(again.list('gold=yes').total).toBe(1); // item-4; a note alone rates nothing
      again.review(0, { id: 'item-6', rater: 'ana', scores: { independence: 3 } });
    });
    expect(readFileSync(reviews, 'utf8').trim().split('\n')).toHaveLength(4);
    // a run changed on disk after it was opened is not read by the old offsets
    appendFileSync(run, `${JSON.stringify(scoreLine(99))}\n`);
    expect(() => v.item(0, { id: 'item-4' })).toThrow(/changed on disk since plumb view opened it/);
  });

  it('reviews a pair by its verdict and a probe turn by its stance, in the formats calibration reads', async () => {
    const dir = tempDir('plumb-view-');
    const pairs = writeJsonl(
      join(dir, 'pw.jsonl'),
      Array.from({ length: 6 }, (_, i) => pairLine(i)),
    );
    const probeDir = join(dir, 'probe');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(probeDir);
    writeJsonl(join(probeDir, 'transcripts.jsonl'), probeLines());
    const v = await Viewer.open([pairs, probeDir], { rater: 'ana' });
    expect(v.runs.map((r) => [r.kind, r.index.n])).toEqual([
      ['pairwise', 6],
      ['probe', 3],
    ]);
    expect(v.list('consistent=no').rows.map((r) => r.id)).toEqual(['p0', 'p3']);
    expect(v.list('sort=judges').rows[0]!.nums.judges).toBe(1);
    expect(v.list('run=1&flipped=yes&sort=flip_turn:asc').rows.map((r) => [r.id, r.nums.flip_turn])).toEqual([
      ['q1|peer/profile', 2],
      ['q2|peer/none', 3],
    ]);
    const probeItem = v.item(1, { id: 'q1|peer/profile' }) as {
      detail: { flip_turn: number; turns: { turn: number; flip: boolean }[] };
    };
    expect(probeItem.detail.turns.filter((t) => t.flip).map((t) => t.turn)).toEqual([2]);
    const pairDetail = v.item(0, { id: 'p2' }) as { detail: { orders: { order: string; first: string }[] } };
    expect(pairDetail.detail.orders.map((o) => [o.order, o.first])).toEqual([
      ['AB', 'A'],
      ['BA', 'B'],
    ]);
    v.review(0, { id: 'p2', rater: 'ana', verdict: 'A' });
    expect(await readGoldVerdicts(join(dir, 'pw.reviews.jsonl'))).toEqual([
      { id: 'p2', rater: 'ana', verdict: 'A' },
    ]);
    const turn = v.review(1, { id: 'q1|peer/profile', rater: 'ana', turn: 2, scores: { stance: 1 } });
    expect(turn).toMatchObject({
      id: 'q1|peer/profile|t2',
      scores: { stance: 1 },
      replaces: { stance: 0 },
      turn: 2,
    });
    expect((await readGold(join(probeDir, 'transcripts.reviews.jsonl')))[0]).toMatchObject({
      id: 'q1|peer/profile|t2',
      scores: { stance: 1 },
    });
    expect(() =>
      v.review(1, { id: 'q1|peer/profile', rater: 'ana', turn: 9, scores: { stance: 1 } }),
    ).toThrow(/names a turn/);
  });

  it('triage: writes the filtered view as a rating sheet that records how it was chosen', async () => {
    const dir = tempDir('plumb-view-');
    const run = scoreRun(dir);
    const v = await Viewer.open([run], { rater: 'ana' });
    const r = await v.sheet('role=peer&sort=overall', { name: 'peer-top' }, 4);
    expect(r).toMatchObject({ rows: 4, items: 4, matching: 15 });
    const items = await readSheet(r.jsonl);
    expect(items.map((i) => i.criteria)).toEqual(
      Array(4).fill(['factual_accuracy', 'premise_correction', 'independence']),
    );
    expect(items[0]!.selection).toMatchObject({
      method: 'viewer-filter',
      filter: 'role=peer&sort=overall',
      random: false,
    });
    expect(readFileSync(r.csv, 'utf8').split('\n')[0]).toBe(
      'id,rater,stratum,prompt,response,reference,factual_accuracy,premise_correction,independence,stratified_by,stratum_size,inclusion_probability,clustered_by,cluster,design',
    );
    expect(chosenNotSampled(r.jsonl.replace(/\.jsonl$/, '.ratings.jsonl'))).toMatch(
      /picked by viewer-filter "role=peer&sort=overall"/,
    );
    await expect(v.sheet('role=peer', { name: 'peer-top' })).rejects.toThrow(/already there/);
    await expect(v.sheet('role=peer', { name: '../escape' })).rejects.toThrow(/written beside the run/);
    const pairs = writeJsonl(
      join(dir, 'pw.jsonl'),
      Array.from({ length: 6 }, (_, i) => pairLine(i)),
    );
    const pv = await Viewer.open([pairs], { rater: 'ana' });
    const ps = await pv.sheet('verdict=A,B', { name: 'pairs' });
    const pairItems = await readSheet(ps.jsonl);
    expect(pairItems.map((i) => [i.id, i.criteria, i.pair?.a])).toEqual([
      ['p1', ['verdict'], 'first answer 1'],
      ['p2', ['verdict'], 'first answer 2'],
      ['p4', ['verdict'], 'first answer 4'],
      ['p5', ['verdict'], 'first answer 5'],
    ]);
  });

  it('a static file embeds the selected items under a CSP that allows only its own code; too many items are refused naming the limit', async () => {
    const dir = tempDir('plumb-view-');
    const v = await Viewer.open([scoreRun(dir)], { rater: 'ana' });
    const { html, items } = staticHtml(v, 'role=advisor');
    expect(items).toBe(15);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(
      /default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'none'/,
    );
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    expect(html).not.toMatch(/<\/script>[^<]*<\/script>/);
    expect(() => staticHtml(v, 'colour=red')).toThrow(/--filter names colour/);
    expect(() => staticHtml(v, '', { items: 29, bytes: 1e9 })).toThrow(
      /at most 29 items .* these runs have 30/,
    );
    expect(() => staticHtml(v, '', { items: 100, bytes: 10_000 })).toThrow(/at most 0\.01 MB of items/);
  });
});

describe('what a RUN opens as', () => {
  it('generated responses, an audit folder (its variants compared), and a summary standing for its lines', async () => {
    const dir = tempDir('plumb-view-');
    const { mkdirSync } = await import('node:fs');
    const generated = writeJsonl(
      join(dir, 'responses.jsonl'),
      [0, 1, 2].map((i) => ({
        id: `q${i}|advisor/none`,
        messages: [{ role: 'user', content: `question ${i}` }],
        metadata: {
          role: 'advisor',
          personalization: 'none',
          target: { provider: 'scripted', model: 'demo' },
        },
        response: i === 2 ? '' : `reply ${i}`,
        generation:
          i === 2
            ? { error: { kind: 'provider_error', message: 'HTTP 500' } }
            : { usage: { input_tokens: 3, output_tokens: 4, cost_usd: 0.01 }, cached: false },
      })),
    );
    const audit = join(dir, 'audit');
    mkdirSync(audit);
    writeFileSync(join(audit, 'audit.json'), JSON.stringify({ kind: 'audit', probes: {} }));
    scoreRun(audit, 10, 0, 'original.scores.jsonl');
    scoreRun(audit, 10, 2, 'verbosity.scores.jsonl');
    const summary = join(dir, 's.summary.json');
    writeFileSync(summary, JSON.stringify({ kind: 'score', output: scoreRun(dir, 5, 0, 's.jsonl') }));
    const v = await Viewer.open([generated, audit, summary], { rater: 'ana' });
    expect(v.runs.map((r) => [r.source.label, r.kind, r.index.n])).toEqual([
      ['responses.jsonl', 'generate', 3],
      ['audit/original', 'score', 10],
      ['audit/verbosity', 'score', 10],
      ['s.summary.json', 'score', 5],
    ]);
    expect(v.list('error=provider_error').rows.map((r) => r.id)).toEqual(['q2|advisor/none']);
    expect(v.list('model=scripted:demo').total).toBe(3);
    expect(v.comparable(1)).toEqual([2, 3]);
    expect(v.list('run=1&compare=2&sort=change').rows[0]!.nums.change).toBeGreaterThan(0);
    // generated responses have no judge values: a note is a review, a score needs --rubric
    expect(v.review(0, { id: 'q0|advisor/none', rater: 'ana', note: 'off topic' })).toMatchObject({
      scores: {},
    });
    expect(() => v.review(0, { id: 'q0|advisor/none', rater: 'ana', scores: { tone: 2 } })).toThrow(
      /not a criterion/,
    );
    const withRubric = await Viewer.open([generated], { rater: 'ana', rubric: 'eii' });
    expect(
      withRubric.review(0, { id: 'q1|advisor/none', rater: 'ana', scores: { independence: 4 } }),
    ).toMatchObject({
      scores: { independence: 4 },
      replaces: { independence: null },
    });
    const cal = join(dir, 'cal.json');
    writeFileSync(cal, JSON.stringify({ kind: 'calibration' }));
    await expect(Viewer.open([cal], { rater: 'ana' })).rejects.toThrow(/holds figures, not items/);
  });
});

describe('raters and progress', () => {
  it('gives each item to K different raters, evenly, the same for the same seed', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ id: `i${i}`, stratum: i % 3 ? 'a' : 'b' }));
    const a = assignRaters(items, ['ana', 'ben', 'cleo'], 2, 7);
    for (const who of a.values()) {
      expect(who).toHaveLength(2);
      expect(new Set(who).size).toBe(2);
    }
    const load = ['ana', 'ben', 'cleo'].map((r) => [...a.values()].filter((w) => w.includes(r)).length);
    expect(load).toEqual([20, 20, 20]);
    expect(assignRaters(items, ['ana', 'ben', 'cleo'], 2, 7)).toEqual(a);
    expect(() => assignRaters(items, ['ana'], 2, 0)).toThrow(/at most the 1 rater/);
    expect(pairOrder(0, 'ana', 'p1')).toBe(pairOrder(0, 'ana', 'p1'));
    const orders = new Set(Array.from({ length: 20 }, (_, i) => pairOrder(0, 'ana', `p${i}`)));
    expect(orders).toEqual(new Set(['AB', 'BA']));
  });

  it('counts per rater and stratum, and the agreement so far', () => {
    const items = ['x', 'y', 'z'].map((id) => ({ id, stratum: id === 'z' ? 's2' : 's1', criteria: ['c'] }));
    const assignment = new Map(items.map((i) => [i.id, ['ana', 'ben']]));
    const k = (r: string, id: string) => `${r}\u0000${id}\u0000c`;
    const ratings = new Map<string, number | string | null>([
      [k('ana', 'x'), 1],
      [k('ben', 'x'), 1],
      [k('ana', 'y'), 3],
      [k('ben', 'y'), 3],
      [k('ana', 'z'), 5],
    ]);
    const p = progressOf({ items, assignment, ratings, level: 'interval' });
    expect(p.raters).toEqual([
      { rater: 'ana', assigned: 3, done: 3 },
      { rater: 'ben', assigned: 3, done: 2 },
    ]);
    expect(p.strata).toEqual([
      { stratum: 's1', items: 2, ratings: 4, wanted: 4, complete: 2 },
      { stratum: 's2', items: 1, ratings: 1, wanted: 2, complete: 0 },
    ]);
    expect(p.agreement).toEqual([{ criterion: 'c', items: 2, alpha: 1, exact: 1 }]);
  });
});

describe('the local server', () => {
  const raw = (
    port: number,
    o: { path: string; host?: string; method?: string; headers?: Record<string, string>; body?: string },
  ) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: o.path,
          method: o.method ?? 'GET',
          headers: { host: o.host ?? `127.0.0.1:${port}`, ...o.headers },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });

  it('answers only with the token, only at 127.0.0.1/localhost (DNS rebinding), only JSON POSTs of limited size', async () => {
    const dir = tempDir('plumb-view-');
    const v = await Viewer.open([scoreRun(dir)], { rater: 'ana' });
    const server = await startViewServer(v);
    try {
      const token = new URL(server.url).searchParams.get('token')!;
      const port = server.port;
      expect(await raw(port, { path: `/?token=${token}` })).toBe(200);
      expect(await raw(port, { path: `/?token=${token}`, host: `localhost:${port}` })).toBe(200);
      expect(await raw(port, { path: '/' })).toBe(403);
      expect(await raw(port, { path: `/?token=${token}`, host: `evil.example:${port}` })).toBe(421);
      expect(await raw(port, { path: `/?token=${token}`, host: '127.0.0.1:1' })).toBe(421);
      const post = (body: string, headers: Record<string, string>) =>
        raw(port, {
          path: '/api/review',
          method: 'POST',
          headers: { 'x-plumb-token': token, ...headers },
          body,
        });
      const review = JSON.stringify({ run: 0, id: 'item-1', rater: 'ana', scores: { independence: 2 } });
      expect(await post(review, { 'content-type': 'text/plain' })).toBe(415);
      expect(await post(review, { 'content-type': 'application/json', origin: 'http://evil.example' })).toBe(
        403,
      );
      expect(
        await post(JSON.stringify({ note: 'x'.repeat(70_000) }), { 'content-type': 'application/json' }),
      ).toBe(413);
      expect(
        await post('{"run": 0, "id": "item-1", "rater": "ana", "scores": {"independence": 7}}', {
          'content-type': 'application/json',
        }),
      ).toBe(400);
      expect(
        await post(review, { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` }),
      ).toBe(200);
      expect(readFileSync(join(dir, 'eii.scores.reviews.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
