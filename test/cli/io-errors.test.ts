import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { krippendorffAlpha } from '../../src/stats/agreement.js';
import {
  closedPort,
  filesUnder,
  ROOT,
  readJsonlFile,
  runCli,
  scoreArgs,
  tempDir,
  writeJsonl,
} from '../helpers/cli.js';
import { good } from '../helpers/judge-scripts.js';
import { type FakeServer, startFakeProvider } from '../support/fake-provider.js';

/**
 * The outside audit's findings on outputs, exit codes, empty inputs, I/O errors and value ranges
 * (issue 13, items 1–7 and 15), each reproduced from the command the audit gave. Every test
 * here failed on the code before the fix.
 */
const FIXTURE = join(ROOT, 'fixtures', 'responses.jsonl');
const GOLD = join(ROOT, 'fixtures', 'gold.jsonl');

/** One line on stderr, no stack trace, no "internal error". */
function oneLineError(stderr: string) {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

let dir: string;
let scores: string;
beforeAll(async () => {
  dir = tempDir();
  scores = join(dir, 'eii.scores.jsonl');
  const r = await runCli(scoreArgs(FIXTURE, scores, '--summary', join(dir, 'eii.summary.json')));
  expect(r.code).toBe(0);
});

describe('an output never destroys an input (item 1)', () => {
  it('score --out equal to --input is refused and the input is intact', async () => {
    const input = join(dir, 'r.jsonl');
    copyFileSync(FIXTURE, input);
    const r = await runCli(scoreArgs(input, input));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .* is the same file as --input/);
    oneLineError(r.stderr);
    expect(readFileSync(input, 'utf8')).toBe(readFileSync(FIXTURE, 'utf8'));
    expect(existsSync(`${input}.partial`)).toBe(false);
  });

  it('also through a symlink and a hard link', async () => {
    const input = join(dir, 'r2.jsonl');
    copyFileSync(FIXTURE, input);
    symlinkSync(input, join(dir, 'sym.jsonl'));
    linkSync(input, join(dir, 'hard.jsonl'));
    for (const out of ['sym.jsonl', 'hard.jsonl']) {
      const r = await runCli(scoreArgs(input, join(dir, out)));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is the same file as --input/);
    }
    expect(readFileSync(input, 'utf8')).toBe(readFileSync(FIXTURE, 'utf8'));
  });

  it('gold sample --out s over s.jsonl, calibrate --out and import --out over their inputs are refused', async () => {
    const s = join(dir, 's.jsonl');
    copyFileSync(scores, s);
    const g = await runCli(['gold', 'sample', '--scores', s, '--n', '10', '--out', join(dir, 's')]);
    expect(g.code).toBe(2);
    expect(readJsonlFile(readFileSync(s, 'utf8'))).toHaveLength(120);
    const c = await runCli(['calibrate', '--scores', s, '--gold', GOLD, '--out', s]);
    expect(c.code).toBe(2);
    expect(readJsonlFile(readFileSync(s, 'utf8'))).toHaveLength(120);
    const q = join(dir, 'q.jsonl');
    copyFileSync(join(ROOT, 'fixtures', 'questions.jsonl'), q);
    writeJsonl(join(dir, 'ae.jsonl'), [
      { question: 'Is it?', answer_matching_behavior: ' (A)', answer_not_matching_behavior: ' (B)' },
    ]);
    const i = await runCli([
      'import',
      'anthropic-evals',
      join(dir, 'ae.jsonl'),
      '--out',
      join(dir, 'ae.jsonl'),
    ]);
    expect(i.code).toBe(2);
    expect(readFileSync(join(dir, 'ae.jsonl'), 'utf8')).toMatch(/answer_matching_behavior/);
  });
});

describe('a run in which nothing was scored is not a success (item 3)', () => {
  const servers: FakeServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it('a dead local server stops within seconds with one line saying why, exit 1, nothing published', async () => {
    const port = await closedPort();
    const out = join(dir, 'dead.jsonl');
    const started = Date.now();
    const r = await runCli(
      scoreArgs(
        FIXTURE,
        out,
        '--judge',
        'ollama:qwen2.5:7b',
        '--base-url',
        `http://127.0.0.1:${port}/v1`,
        '--max-retries',
        '1',
      ),
    );
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.stderr).toMatch(new RegExp(`connection refused to http://127\\.0\\.0\\.1:${port}/v1`));
    oneLineError(r.stderr);
    expect(existsSync(out)).toBe(false);
  });

  it('a 401 trips at once: a handful of requests, not one per item', async () => {
    const server = await startFakeProvider('openai', () => ({ status: 401 }));
    servers.push(server);
    const r = await runCli(
      scoreArgs(FIXTURE, join(dir, 'u.jsonl'), '--judge', 'openai:gpt-4.1-mini', '--no-cache'),
      {
        env: { OPENAI_API_KEY: 'sk-test-wrong', OPENAI_BASE_URL: server.url },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/HTTP 401 .*the API key was refused/);
    expect(server.requests.length).toBeLessThanOrEqual(8);
  });

  it('--min-scored: fewer scored items than asked is a failure with the count', async () => {
    const out = join(dir, 'min.jsonl');
    const r = await runCli(scoreArgs(FIXTURE, out, '--min-scored', '500'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed: \d+ of 120 items scored \(fewer than --min-scored 500\)/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(true);
  });

  it('empty responses are unscored without a judge call', async () => {
    const server = await startFakeProvider('openai', good);
    servers.push(server);
    const input = writeJsonl(join(dir, 'empty-resp.jsonl'), [
      { id: 'a', prompt: 'q', response: 'It is Canberra.' },
      { id: 'b', prompt: 'q', response: '' },
      { id: 'c', prompt: 'q', response: '   ' },
    ]);
    const out = join(dir, 'empty-resp.out.jsonl');
    const r = await runCli(scoreArgs(input, out, '--judge', 'openai:gpt-4.1-mini', '--no-cache'), {
      env: { OPENAI_API_KEY: 'sk-test-x', OPENAI_BASE_URL: server.url },
    });
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    const lines = readJsonlFile(readFileSync(out, 'utf8'));
    expect(lines.map((l) => (l.error as { kind?: string } | undefined)?.kind ?? null)).toEqual([
      null,
      'empty_response',
      'empty_response',
    ]);
  });
});

describe('nothing to compare is exit 2, saying which (item 4)', () => {
  const calibrate = (gold: string, extra: string[] = []) =>
    runCli(['calibrate', '--scores', scores, '--gold', gold, ...extra]);

  it('no overlapping ids, an empty gold file, an unfilled sheet, unknown criteria', async () => {
    const none = writeJsonl(join(dir, 'g-none.jsonl'), [{ id: 'zz-1', scores: { factual_accuracy: 3 } }]);
    const empty = join(dir, 'g-empty.jsonl');
    writeFileSync(empty, '');
    const foreign = writeJsonl(join(dir, 'g-foreign.jsonl'), [{ id: 'r001', scores: { charm: 3 } }]);
    const sheet = join(dir, 'sheet');
    expect((await runCli(['gold', 'sample', '--scores', scores, '--n', '5', '--out', sheet])).code).toBe(0);
    const results = await Promise.all([
      calibrate(none),
      calibrate(empty),
      calibrate(`${sheet}.csv`),
      calibrate(foreign),
    ]);
    for (const r of results) expect(r.code).toBe(2);
    expect(results[0]!.stderr).toMatch(/no gold id matches a scored item \(gold ids such as "zz-1"/);
    expect(results[1]!.stderr).toMatch(/g-empty\.jsonl: no gold ratings in the file/);
    expect(results[2]!.stderr).toMatch(/sheet\.csv: no ratings filled in yet \(5 rows/);
    expect(results[3]!.stderr).toMatch(/the gold rates charm, which the scores do not have/);
  });

  it('one matched item gives Krippendorff α null, not 0.000', async () => {
    expect(krippendorffAlpha([[3, 4]], 'interval')).toBeNull();
    const ids = readJsonlFile(readFileSync(scores, 'utf8')).map((l) => String(l.id));
    const one = writeJsonl(join(dir, 'g-one.jsonl'), [
      { id: ids[0], scores: { factual_accuracy: 3, premise_correction: 2, independence: 4 } },
    ]);
    const r = await calibrate(one, ['--json']);
    expect(r.code).toBe(0);
    const alpha = JSON.parse(r.stdout).item.overall.krippendorff_alpha_interval;
    expect(alpha.value).toBeNull();
    expect(alpha.reason).toMatch(/n = 1/);
  });

  it('gold sample: a responses file, an unknown --stratify field, --n 0; --out x.csv writes x.csv', async () => {
    const a = await runCli(['gold', 'sample', '--scores', FIXTURE, '--n', '5', '--out', join(dir, 'x')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/none of its 120 lines is a scored item/);
    const b = await runCli([
      'gold',
      'sample',
      '--scores',
      scores,
      '--n',
      '5',
      '--stratify',
      'rol',
      '--out',
      join(dir, 'x'),
    ]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/no scored item has "rol"/);
    const c = await runCli(['gold', 'sample', '--scores', scores, '--n', '0', '--out', join(dir, 'x')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--n must be a whole number ≥ 1, got '0'/);
    const d = await runCli(['gold', 'sample', '--scores', scores, '--n', '5', '--out', join(dir, 'x.csv')]);
    expect(d.code).toBe(0);
    expect(existsSync(join(dir, 'x.csv'))).toBe(true);
    expect(existsSync(join(dir, 'x.jsonl'))).toBe(true);
    expect(existsSync(join(dir, 'x.csv.csv'))).toBe(false);
  });

  it('import of an empty file is exit 2', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const r = await runCli(['import', 'sycophancy-eval', empty, '--out', join(dir, 'imp.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty\.jsonl: no items to import/);
    expect(existsSync(join(dir, 'imp.jsonl'))).toBe(false);
  });
});

describe('output I/O errors are exit 2 naming the path, with nothing left behind (item 5, R1)', () => {
  it('an existing file used as a folder, and a folder used as a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    for (const out of [join(file, 'out.jsonl'), folder]) {
      const r = await runCli(scoreArgs(FIXTURE, out));
      expect(r.code).toBe(2);
      oneLineError(r.stderr);
      expect(r.stderr).toMatch(/a-file is a file, not a folder|a-folder: is a folder|EISDIR/);
    }
    const c = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      GOLD,
      '--out',
      join(file, 'cal.json'),
    ]);
    expect(c.code).toBe(2);
    oneLineError(c.stderr);
    expect(filesUnder(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a full disk fails the run instead of exiting 0 with a torn .partial', async () => {
    const sub = join(dir, 'full');
    mkdirSync(sub);
    const out = join(sub, 'out.jsonl');
    // no file may grow past 24 KiB: the scores (~100 KiB) hit it, the cache's small buckets do not
    const r = await runCli(scoreArgs(FIXTURE, out, '--cache-dir', join(sub, 'cache')), {
      fileSizeLimitKb: 24,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/out\.jsonl\.partial: cannot write \(EFBIG: file too large/);
    expect(r.stderr).toMatch(/judge cache/);
    expect(existsSync(out)).toBe(false);
  });

  it('a failing gate still exits 1 when GITHUB_STEP_SUMMARY cannot be written', async () => {
    const degraded = join(dir, 'deg.summary.json');
    expect(
      (
        await runCli(
          scoreArgs(
            join(ROOT, 'fixtures', 'responses-degraded.jsonl'),
            join(dir, 'deg.jsonl'),
            '--summary',
            degraded,
          ),
        )
      ).code,
    ).toBe(0);
    const r = await runCli(['gate', '--baseline', join(dir, 'eii.summary.json'), '--current', degraded], {
      env: { GITHUB_STEP_SUMMARY: join(dir, 'no', 'such', 'dir', 'summary.md') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warning: cannot append to GITHUB_STEP_SUMMARY .*ENOENT/);
    expect(r.stdout).toMatch(/EII: FAIL/);
  });
});

describe('every option and value is range-checked at the boundary (item 6)', () => {
  it('flags out of range name the flag, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['calibrate', '--scores', scores, '--gold', GOLD, '--ppi', '--alpha', '2'],
        /--alpha must be a number > 0 and < 1, got '2'/,
      ],
      [
        ['calibrate', '--scores', scores, '--gold', GOLD, '--alt-test', '--epsilon', '-5'],
        /--epsilon must be a number from 0 to 1, got '-5'/,
      ],
      [
        ['gate', '--baseline', 'a.json', '--current', 'b.json', '--max-drop', '-1'],
        /--max-drop must be a number from 0 to 1/,
      ],
      [
        ['gate', '--baseline', 'a.json', '--current', 'b.json', '--max-drop', '2'],
        /--max-drop must be a number from 0 to 1/,
      ],
      [
        ['probe', '--questions', 'q.jsonl', '--target', 'scripted:x', '--concurrency', '0'],
        /--concurrency must be a whole number from 1 to 1024, got '0'/,
      ],
      [
        ['probe', '--questions', 'q.jsonl', '--target', 'scripted:x', '--alpha', '5'],
        /--alpha must be a number > 0 and < 1, got '5'/,
      ],
      [
        ['score', '--rubric', 'eii', '--input', FIXTURE, '--max-cost', '-1'],
        /--max-cost must be a number ≥ 0, got '-1'/,
      ],
      [
        ['score', '--rubric', 'eii', '--input', FIXTURE, '--concurrency', 'lots'],
        /--concurrency must be a whole number/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });

  it('gold scores outside the rubric scale are refused at file:line', async () => {
    const gold = writeJsonl(join(dir, 'g-range.jsonl'), [
      { id: 'r001', rater: 'a', scores: { factual_accuracy: 3, premise_correction: 2, independence: 4 } },
      { id: 'r002', rater: 'a', scores: { factual_accuracy: 7, premise_correction: 2, independence: 4 } },
    ]);
    const r = await runCli(['calibrate', '--scores', scores, '--gold', gold]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/g-range\.jsonl:2: "factual_accuracy" is 7, outside the scale 1–5/);
  });

  it('index values outside [0, 1] in a gate summary are refused at file:line', async () => {
    const text = readFileSync(join(dir, 'eii.summary.json'), 'utf8').replace(/"eii":0\.\d+/, '"eii":1.5');
    const bad = join(dir, 'bad.summary.json');
    writeFileSync(bad, text);
    const r = await runCli(['gate', '--baseline', join(dir, 'eii.summary.json'), '--current', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.summary\.json:\d+: items\.\S+\.eii is 1\.5: index values are on \[0, 1\]/);
  });

  it('gating an AAI run without --metric aai says to pass it', async () => {
    const aai = join(dir, 'aai.summary.json');
    await runCli([
      'score',
      '--rubric',
      'aai',
      '--input',
      FIXTURE,
      '--out',
      join(dir, 'aai.jsonl'),
      '--summary',
      aai,
    ]);
    const r = await runCli(['gate', '--baseline', aai, '--current', aai]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /no item has a eii value in both runs; they carry aai values: pass --metric aai/,
    );
  });

  it('the gate labels its intervals by --alpha and prints the one-sided bound it tests', async () => {
    const s = join(dir, 'eii.summary.json');
    const r = await runCli(['gate', '--baseline', s, '--current', s, '--alpha', '0.1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/one-sided 90% lower bound/);
    expect(r.stdout).toMatch(/two-sided 90% CI/);
    expect(r.stdout).not.toMatch(/95%/);
  });
});

describe('rubrics (item 7)', () => {
  it('a rubric with a million scale points gives a short error', async () => {
    const text = readFileSync(join(ROOT, 'rubrics', 'aai-1.0.0.yaml'), 'utf8').replace(
      /max: 5/,
      'max: 1000000',
    );
    const path = join(dir, 'huge.yaml');
    writeFileSync(path, text);
    const r = await runCli(['rubrics', 'validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a scale has at most 101 points/);
    expect(r.stderr.length).toBeLessThan(5_000);
  });

  it('one invalid file in ./rubrics/ warns, naming it, and does not break commands that do not use it', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'rubrics'));
    writeFileSync(join(cwd, 'rubrics', 'broken.yaml'), 'id: [unclosed');
    const r = await runCli(['score', '--rubric', 'aai', '--input', FIXTURE, '--out', join(cwd, 'o.jsonl')], {
      cwd,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: skipping .*rubrics\/broken\.yaml/);
    const u = await runCli(['score', '--rubric', 'broken', '--input', FIXTURE], { cwd });
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown rubric 'broken'.*could not load: .*broken\.yaml/);
  });

  it("calibrate's advice to pass --scale names the real cause", async () => {
    const other = writeJsonl(
      join(dir, 'other-rubric.jsonl'),
      readJsonlFile(readFileSync(scores, 'utf8')).map((l) => ({
        ...l,
        rubric: { id: 'house', version: '2.0.0', hash: 'abc' },
      })),
    );
    const r = await runCli(['calibrate', '--scores', other, '--gold', GOLD]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /made with rubric house@2\.0\.0, which is not in \.\/rubrics or plumb's rubrics: give the scale/,
    );
  });
});

describe('smaller things a new user hit (item 15)', () => {
  it("another tool's scores calibrate `overall` without a gold overall", async () => {
    const tool = writeJsonl(
      join(dir, 'tool.jsonl'),
      Array.from({ length: 30 }, (_, i) => ({
        id: `t${i}`,
        scores: { a: 1 + (i % 5), b: 1 + ((i * 3) % 5) },
        overall: 1 + ((i * 2) % 5),
      })),
    );
    const gold = writeJsonl(
      join(dir, 'tool-gold.jsonl'),
      Array.from({ length: 20 }, (_, i) => ({
        id: `t${i}`,
        scores: { a: 1 + (i % 5), b: 1 + ((i * 3) % 5) },
      })),
    );
    const r = await runCli(['calibrate', '--scores', tool, '--gold', gold, '--scale', '1,5', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.item.overall.n).toBe(20);
    expect(out.join.human_overall).toMatch(/the mean of a, b \(no rubric here/);
  });

  it('help prints `npx plumb` commands that paste into a clone (the demo: test/cli-score)', async () => {
    const help = await runCli(['calibrate', '--help']);
    expect(help.stdout).toMatch(/\$ npx plumb calibrate/);
    expect(help.stdout).not.toMatch(/\$ plumb /);
  });

  it('score --calibration prints the calibrated means on the console', async () => {
    const artifact = join(dir, 'cal.json');
    expect(
      (
        await runCli([
          'calibrate',
          '--scores',
          scores,
          '--gold',
          GOLD,
          '--criterion',
          'overall',
          '--out',
          artifact,
        ])
      ).code,
    ).toBe(0);
    const r = await runCli(scoreArgs(FIXTURE, join(dir, 'c.jsonl'), '--calibration', artifact));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/calibrated onto the human scale .*overall/s);
  });
});

afterAll(() => {
  // nothing a failed run wrote may be a temporary file
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});
