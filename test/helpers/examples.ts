import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT, runCli, tempDir } from './cli.js';

/**
 * Runs `npx plumb …` examples as a reader would paste them — in order, from a folder that has the
 * clone's fixtures, rubrics and probe-config, each able to use what an earlier one wrote — and says
 * which ran and how each ended. `> FILE` sends the output to a file, as a shell would. Examples
 * that need a key, a server, a downloaded data set or people are skipped: they cannot run here.
 */
const API =
  /--(?:judge|judges|target|targets|challenger) (?:openai|anthropic|ollama|openai-compatible)[:\w,.-]*/;
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
  '--data',
];
/** A rating sheet people fill in first, or a page that waits for them. */
const NEEDS_PEOPLE = /--gold sheets\/|npx plumb rate |npx plumb view (?!.*--(static|sheet) )/;

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
  if (cmd === 'report')
    files.push(...args.slice(1).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out'));
  if (cmd === 'merge')
    files.push(...args.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--')));
  return files.map((f) => f.replace(/^scripted:/, ''));
}

/** The `npx plumb …` lines of the ```sh blocks of a page (continuations joined, comments dropped). */
export function examplesOf(markdown: string): string[] {
  const out: string[] = [];
  for (const [, block] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
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

export interface ExampleRun {
  line: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the examples that can run here; returns those that ran, those skipped, and the folder they
 * ran in (what they wrote is there).
 */
export async function runExamples(
  lines: string[],
): Promise<{ ran: ExampleRun[]; skipped: string[]; cwd: string }> {
  const cwd = tempDir('plumb-examples-');
  for (const d of ['fixtures', 'rubrics', 'probe-config', 'studies'])
    symlinkSync(join(ROOT, d), join(cwd, d));
  const ran: ExampleRun[] = [];
  const skipped: string[] = [];
  for (const line of lines) {
    const [command, redirect] = line.split(/\s+>\s+(?=[^"']*$)/);
    const args = shellWords(command!.replace(/^(?:[A-Z_]+=\S+\s+)*(?:npx )?plumb /, ''));
    const offline =
      !/^[A-Z_]+=/.test(line) && !line.includes('$') && (!API.test(line) || args.includes('--dry-run'));
    const missing = inputsOf(args).filter((f) => !existsSync(join(cwd, f)) && !f.includes('*'));
    if (!offline || missing.length || NEEDS_PEOPLE.test(line)) {
      skipped.push(line);
      continue;
    }
    const r = await runCli(args, { cwd });
    if (redirect) {
      mkdirSync(dirname(join(cwd, redirect)), { recursive: true });
      writeFileSync(join(cwd, redirect), r.stdout);
    }
    ran.push({ line, code: r.code, stdout: r.stdout, stderr: r.stderr });
  }
  return { ran, skipped, cwd };
}

/** Splits a command line into words as a shell does for the quoting examples use ("…" and '…'). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}
