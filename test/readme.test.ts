import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from './helpers/cli.js';

/**
 * The README is the front door: every `npx plumb …` example in it that can run here — offline,
 * with files the repository has or an earlier example writes — runs, in the README's order, from a
 * folder that has the clone's fixtures and rubrics, and exits 0. Examples that need a key, a
 * server, a downloaded data set or people's ratings are listed and skipped, with why.
 */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

function examples(): string[] {
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

describe('README examples', () => {
  it('every offline example runs from a clone and exits as the README says', async () => {
    const cwd = tempDir('plumb-readme-');
    for (const d of ['fixtures', 'rubrics']) symlinkSync(join(ROOT, d), join(cwd, d));
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const line of examples()) {
      const args = line.replace(/^(?:[A-Z_]+=\S+\s+)*npx plumb /, '').split(' ');
      const offline =
        !/^[A-Z_]+=/.test(line) && !line.includes('$') && (!API.test(line) || args.includes('--dry-run'));
      const missing = inputsOf(args).filter((f) => !existsSync(join(cwd, f)) && !f.includes('*'));
      if (!offline || missing.length || NEEDS_PEOPLE.test(line)) {
        skipped.push(line);
        continue;
      }
      const r = await runCli(
        args.map((a) => a.replace(/^scripted:/, 'scripted:')),
        { cwd },
      );
      const expected = EXPECTED_EXIT.find(([part]) => line.includes(part))?.[1] ?? 0;
      expect(r.code, `${line}\n${r.stderr.slice(0, 800)}`).toBe(expected);
      ran.push(line);
    }
    // the front door's own commands must be among those that ran
    for (const must of [
      'score --rubric aai',
      'generate --questions',
      'pairwise --rubric preference',
      'calibrate --scores',
      'probe --questions',
      'gate --baseline',
      'import goalpref',
      '--shard 2/2',
      'merge runs/shards/eii.jsonl',
    ])
      expect(
        ran.some((l) => l.includes(must)),
        `no README example of "${must}" ran`,
      ).toBe(true);
    expect(ran.length).toBeGreaterThanOrEqual(20);
    expect(skipped.length).toBeLessThan(ran.length + 15);
  }, 180_000);
});
