import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { examplesOf, runExamples } from '../helpers/examples.js';

/**
 * The README is the front door and docs/ holds the guides: every `npx plumb …` example in them that
 * can run here — offline, with files the repository has or an earlier example of the same page
 * writes — runs, in the page's order, from a folder that has the clone's fixtures, rubrics and
 * probe-config, and exits as the page says. Examples that need a key, a server, a downloaded data
 * set or people's ratings are skipped; each page must run at least one.
 */
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Examples that cannot succeed as written, on purpose. */
/** Examples that show a failure, with the exit code the README promises. */
const EXPECTED_EXIT: [string, number][] = [['--current runs/next.summary.json', 1]];

/** Examples every page must run, by what they contain: the front door's own commands. */
const MUST_RUN: Record<string, string[]> = {
  'README.md': [
    'score --rubric eii',
    'gold sample',
    'calibrate --scores',
    'baseline save',
    'gate --baseline',
  ],
  'docs/scoring.md': ['score --rubric aai'],
  'docs/generating.md': ['generate --questions'],
  'docs/pairwise-and-audit.md': ['pairwise --rubric preference'],
  'docs/probe.md': ['probe --questions'],
  'docs/scale-and-cost.md': ['--shard 2/2', 'merge runs/shards/eii.jsonl'],
  'docs/gate-and-ci.md': ['gate --baseline'],
  'docs/active-sampling.md': [
    'gold plan --scores',
    'gold sample --scores runs/eii.scores.jsonl --active',
    'gold sample --scores runs/goalpref/preference.pairwise.jsonl --active',
  ],
  'docs/kelley-riedl-2026.md': [
    'import goalpref',
    'generate --preset kelley-riedl-2026',
    'probe --preset kelley-riedl-2026 --questions',
    'probe --preset kelley-riedl-2026 --follow code',
    'pairwise --preset kelley-riedl-2026',
  ],
};

/**
 * Pages whose examples a test of their own runs (with the shared runner, checking what they print and
 * write as well): not run a second time here.
 */
const RUN_BY: Record<string, string> = {
  'docs/calibration.md': 'test/calibration/docs-examples.test.ts',
  'docs/viewer-and-rating.md': 'test/view/docs.test.ts',
};

describe.each(PAGES)('%s', (page) => {
  it('every offline example runs from a clone and exits as the page says', async () => {
    const own = RUN_BY[page];
    if (own) {
      expect(readFileSync(join(ROOT, own), 'utf8'), `${own} runs ${page}`).toContain(`'${page.slice(5)}'`);
      return;
    }
    const lines = examplesOf(readFileSync(join(ROOT, page), 'utf8'));
    const { ran } = await runExamples(lines);
    for (const r of ran) {
      const expected = EXPECTED_EXIT.find(([part]) => r.line.includes(part))?.[1] ?? 0;
      expect(r.code, `${page}: ${r.line}\n${r.stderr.slice(0, 800)}`).toBe(expected);
    }
    for (const must of MUST_RUN[page] ?? [])
      expect(
        ran.some((r) => r.line.includes(must)),
        `no example of "${must}" ran in ${page}`,
      ).toBe(true);
    if (lines.length) expect(ran.length, `${page} has examples but none ran`).toBeGreaterThan(0);
  }, 180_000);

  it('every relative link leads to a file that exists', () => {
    const text = readFileSync(join(ROOT, page), 'utf8');
    const base = page.includes('/') ? join(ROOT, 'docs') : ROOT;
    const broken = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((href) => !/^[a-z]+:/.test(href) && !existsSync(join(base, href)));
    expect(broken).toEqual([]);
  });
});
