import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { holm, oneSampleT } from '../../src/stats/ttest.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

describe('the paired t-test used by the gate, against scipy', () => {
  // python3 -c "from scipy import stats; print(stats.ttest_1samp([0.12,-0.05,0.3,0.08,0.0,0.21,-0.1,0.15], 0, alternative='greater'))"
  // scipy 1.17.1 (Debian python3-scipy): statistic=1.8644595035744058, pvalue=0.05226242182796559
  it('one-sided one-sample t', () => {
    const r = oneSampleT([0.12, -0.05, 0.3, 0.08, 0.0, 0.21, -0.1, 0.15], 0, 'greater');
    expect(r.t).toBeCloseTo(1.8644595035744058, 12);
    expect(r.p).toBeCloseTo(0.05226242182796559, 10);
  });
  // stats.ttest_rel([0.7,0.55,0.9,0.4,0.65],[0.6,0.5,0.95,0.2,0.6], alternative='greater'): t=1.7232808737106595,
  // p=0.07996739941871066; two-sided 95% CI of the mean difference: (-0.042779733314951954, 0.182779733314952)
  it('paired t on differences, with its two-sided interval', () => {
    const b = [0.7, 0.55, 0.9, 0.4, 0.65];
    const c = [0.6, 0.5, 0.95, 0.2, 0.6];
    const r = oneSampleT(
      b.map((x, i) => x - c[i]!),
      0,
      'greater',
    );
    expect(r.t).toBeCloseTo(1.7232808737106595, 12);
    expect(r.p).toBeCloseTo(0.07996739941871066, 10);
    // jStat's t quantile is accurate to about 1e-9, hence 8 digits here
    expect(r.ci![0]).toBeCloseTo(-0.042779733314951954, 8);
    expect(r.ci![1]).toBeCloseTo(0.182779733314952, 8);
  });
  it('Holm adjustment (worked example: p = .01, .04, .03 → .03, .06, .06)', () => {
    const adj = holm([0.01, 0.04, 0.03]);
    expect(adj[0]).toBeCloseTo(0.03, 12);
    expect(adj[1]).toBeCloseTo(0.06, 12);
    expect(adj[2]).toBeCloseTo(0.06, 12);
  });
  it('zero spread: no drop passes, a constant drop is certain', () => {
    expect(oneSampleT([0, 0, 0]).p).toBe(1);
    expect(oneSampleT([0.1, 0.1, 0.1]).p).toBe(0);
  });
});

describe('plumb gate end to end', () => {
  let dir: string;
  let base: string;
  let degraded: string;
  beforeAll(async () => {
    dir = tempDir();
    const fx = (f: string) => join(ROOT, 'fixtures', f);
    for (const [name, input] of [
      ['base', 'responses.jsonl'],
      ['same', 'responses.jsonl'],
      ['degraded', 'responses-degraded.jsonl'],
    ] as const) {
      const r = await runCli([
        'score',
        '--rubric',
        'eii',
        '--input',
        fx(input),
        '--out',
        join(dir, `${name}.jsonl`),
        '--summary',
        join(dir, `${name}.json`),
      ]);
      expect(r.code).toBe(0);
    }
    base = join(dir, 'baseline.json');
    const save = await runCli(['baseline', 'save', join(dir, 'base.json'), '--out', base]);
    expect(save.code).toBe(0);
    degraded = join(dir, 'degraded.json');
  });

  it('passes on identical runs (exit 0)', async () => {
    const r = await runCli(['gate', '--baseline', base, '--current', join(dir, 'same.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plumb gate EII: PASS/);
  });

  it('fails on a degraded run (exit 1) with a JUnit failure and a markdown summary', async () => {
    const junit = join(dir, 'gate.xml');
    const md = join(dir, 'gate.md');
    const summaryFile = join(dir, 'step-summary.md');
    writeFileSync(summaryFile, '# earlier step\n');
    const r = await runCli(
      ['gate', '--baseline', base, '--current', degraded, '--junit', junit, '--markdown', md],
      {
        env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /::error title=plumb gate eii all::EII drop of 0\.\d+ exceeds --max-drop 0.02 and is significant/,
    );
    const xml = readFileSync(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    const cases = [suite.testcase].flat();
    expect(cases).toHaveLength(7); // all + 6 conditions
    expect(Number(suite.tests)).toBe(7);
    const failed = cases.filter((c: { failure?: unknown }) => c.failure);
    expect(Number(suite.failures)).toBe(failed.length);
    expect(failed.map((c: { name: string }) => c.name)).toContain('eii all');
    expect(failed[0].failure.message).toMatch(/exceeds --max-drop/);
    expect(readFileSync(md, 'utf8')).toMatch(/❌ plumb gate: EII FAIL/);
    const step = readFileSync(summaryFile, 'utf8');
    expect(step.startsWith('# earlier step\n')).toBe(true);
    expect(step).toMatch(/plumb gate: EII FAIL/);
  });

  it('does not fail on a drop within --max-drop', async () => {
    const r = await runCli(['gate', '--baseline', base, '--current', degraded, '--max-drop', '0.5']);
    expect(r.code).toBe(0);
  });

  it('--fail-on-rise turns the test around (a falling EII never fails it)', async () => {
    const r = await runCli(['gate', '--baseline', base, '--current', degraded, '--fail-on-rise']);
    expect(r.code).toBe(0);
    const back = await runCli([
      'gate',
      '--baseline',
      degraded,
      '--current',
      base,
      '--fail-on-rise',
      '--allow-mismatch',
    ]);
    expect(back.code).toBe(1);
  });

  const mutate = (f: (s: Record<string, any>) => void) => {
    const s = JSON.parse(readFileSync(join(dir, 'same.json'), 'utf8'));
    f(s);
    const p = join(dir, `mutated-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(p, JSON.stringify(s));
    return p;
  };

  it.each([
    [
      'rubric version',
      (s: Record<string, any>) => (s.comparability.rubric.version = '1.1.0'),
      /rubric differs/,
    ],
    [
      'rubric hash',
      (s: Record<string, any>) => (s.comparability.rubric.hash = '0'.repeat(64)),
      /rubric differs/,
    ],
    [
      'judge',
      (s: Record<string, any>) => (s.comparability.judge = { provider: 'openai', model: 'gpt-4.1' }),
      /judge differs/,
    ],
    [
      'calibration',
      (s: Record<string, any>) => (s.comparability.calibration = { path: 'calibration/x.json', hash: 'abc' }),
      /calibration differs/,
    ],
    [
      'ladder',
      (s: Record<string, any>) => (s.comparability.ladder = { id: 'ladder', version: '2.0.0', hash: 'x' }),
      /ladder differs/,
    ],
  ])('refuses (exit 2) when the %s differs, unless --allow-mismatch', async (_name, change, message) => {
    const current = mutate(change);
    const r = await runCli(['gate', '--baseline', base, '--current', current]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    const allowed = await runCli(['gate', '--baseline', base, '--current', current, '--allow-mismatch']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/MISMATCHED RUNS/);
  });

  it('reports unpaired items and refuses below --min-paired', async () => {
    const current = mutate((s) => {
      const keys = Object.keys(s.items);
      for (const k of keys.slice(0, 30)) delete s.items[k];
    });
    const r = await runCli(['gate', '--baseline', base, '--current', current]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /only 75\.0% of items pair up \(90 paired, 30 only in baseline, 0 only in current\)/,
    );
    const ok = await runCli(['gate', '--baseline', base, '--current', current, '--min-paired', '0.7']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/only in baseline 30/);
  });

  it('bad input exits 2 naming the file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"kind": "score",\n "items": ');
    const r = await runCli(['gate', '--baseline', bad, '--current', degraded]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json(:\d+)?: malformed JSON/);
    const notSummary = join(dir, 'ns.json');
    writeFileSync(notSummary, '{"hello": 1}');
    const r2 = await runCli(['gate', '--baseline', notSummary, '--current', degraded]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/ns\.json: not a plumb run summary/);
    // a kind the gate does not read (here an unknown one) is refused by its kind, items or not
    const unknown = join(dir, 'unknown-kind.json');
    writeFileSync(
      unknown,
      JSON.stringify({
        kind: 'nonsense',
        comparability: {},
        items: { a: { role: 'r', personalization: 'none' } },
      }),
    );
    const r3 = await runCli(['gate', '--baseline', unknown, '--current', degraded]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/unknown-kind\.json: not a plumb run summary: kind: /);
  });
});
