import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

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

function examples(readme: string): string[] {
  const out: string[] = [];
  for (const [, block] of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block!.replace(/\\\n/g, ' ').split('\n')) {
      const line = raw
        .trim()
        .replace(/\s+#.*$/, '')
        .replace(/\s*\|\|.*$/, '');
      if (/^(?:[A-Z_]+=\S+\s+)*npx plumb /.test(line)) out.push(line.replace(/\s+/g, ' '));
    }
  }
  return out;
}

const API = /--(?:judge|judges|target|challenger) (?:openai|anthropic|ollama|openai-compatible)[:\w,.-]*/;
/** Flags (and positions) that name files the command reads. */
const INPUT_FLAGS = [
  '--input',
  '--scores',
  '--gold',
  '--questions',
  '--personas',
  '--labels',
  '--transcripts',
  '--a',
  '--b',
  '--baseline',
  '--current',
];

function inputsOf(args: string[]): string[] {
  const files: string[] = [];
  args.forEach((a, i) => {
    if (INPUT_FLAGS.includes(a)) files.push(args[i + 1]!);
  });
  // positional inputs: import FORMAT FILE, rubrics validate FILE, rubrics diff A B, baseline save SRC
  const [cmd, sub] = args;
  if (cmd === 'import') files.push(args[2]!);
  if (cmd === 'rubrics' && sub === 'validate') files.push(args[2]!);
  if (cmd === 'rubrics' && sub === 'diff') files.push(...args.slice(2, 4).filter((a) => a.includes('/')));
  if (cmd === 'baseline') files.push(args[2]!);
  if (cmd === 'batch' && sub === 'import') files.push(args[2]!);
  if (cmd === 'merge')
    files.push(...args.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--')));
  return files.map((f) => f.replace(/^scripted:/, ''));
}

/** Examples that cannot succeed as written, on purpose. */
// a rating sheet people fill in first, or the page they rate on (a server that waits for them)
const NEEDS_PEOPLE = /--gold sheets\/|npx plumb rate /;
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
};

describe.each(PAGES)('%s', (page) => {
  it('every offline example runs from a clone and exits as the page says', async () => {
    const text = readFileSync(join(ROOT, page), 'utf8');
    const cwd = tempDir('plumb-docs-');
    for (const d of ['fixtures', 'rubrics', 'probe-config']) symlinkSync(join(ROOT, d), join(cwd, d));
    const ran: string[] = [];
    for (const line of examples(text)) {
      const args = line.replace(/^(?:[A-Z_]+=\S+\s+)*npx plumb /, '').split(' ');
      const offline =
        !/^[A-Z_]+=/.test(line) && !line.includes('$') && (!API.test(line) || args.includes('--dry-run'));
      const missing = inputsOf(args).filter((f) => !existsSync(join(cwd, f)) && !f.includes('*'));
      if (!offline || missing.length || NEEDS_PEOPLE.test(line)) continue;
      const r = await runCli(args, { cwd });
      const expected = EXPECTED_EXIT.find(([part]) => line.includes(part))?.[1] ?? 0;
      expect(r.code, `${page}: ${line}\n${r.stderr.slice(0, 800)}`).toBe(expected);
      ran.push(line);
    }
    for (const must of MUST_RUN[page] ?? [])
      expect(
        ran.some((l) => l.includes(must)),
        `no example of "${must}" ran in ${page}`,
      ).toBe(true);
    if (examples(text).length) expect(ran.length, `${page} has examples but none ran`).toBeGreaterThan(0);
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
