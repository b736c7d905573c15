import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFlags, parseFlags } from '../../src/cli/flags.js';
import { COMMANDS } from '../../src/cli/specs/index.js';
import { ROOT } from '../helpers/cli.js';

/**
 * docs/mixed-models.md's examples, checked without running them (running them all — a probe, the
 * demo — takes longer than this suite may): each `npx plumb …` line in a sh block names a command,
 * its flags parse and pass the command's checks, and every file it reads is in the clone or written
 * by an earlier example. (They were run in order from a fresh clone when the page was written.)
 */
const doc = readFileSync(join(ROOT, 'docs', 'mixed-models.md'), 'utf8');

/** Splits a command line as a POSIX shell would, for double- and single-quoted words. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

const examples = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(([, block]) =>
  block!
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('npx plumb ')),
);

const READS = ['--input', '--questions', '--personas', '--data', '--target'];
const WRITES = ['--out', '--summary'];

describe('docs/mixed-models.md examples', () => {
  it('name commands whose flags parse, and read only files the clone has or earlier examples write', () => {
    expect(examples.filter((e) => e.startsWith('npx plumb mixed ')).length).toBeGreaterThanOrEqual(4);
    const written: string[] = [];
    for (const line of examples) {
      const args = words(line).slice(2);
      const spec = [...COMMANDS]
        .sort((a, b) => b.path.length - a.path.length)
        .find((c) => c.path.every((p, i) => args[i] === p));
      expect(spec, line).toBeDefined();
      const cmd = new Command(spec!.path.join(' ')).exitOverride().configureOutput({ writeErr: () => {} });
      addFlags(cmd, spec!.flags);
      cmd.parse(args.slice(spec!.path.length), { from: 'user' });
      expect(() => parseFlags(spec!.flags, cmd.opts(), spec!.check), line).not.toThrow();
      args.forEach((a, i) => {
        const v = args[i + 1]?.replace(/^scripted:/, '');
        if (!v) return;
        if (READS.includes(a)) {
          const ok = existsSync(join(ROOT, v)) || written.some((w) => v === w || v.startsWith(`${w}/`));
          expect(ok, `${line}: ${v} is neither in the clone nor written by an earlier example`).toBe(true);
        }
        if (WRITES.includes(a)) written.push(v);
        if (a === '--export') written.push(args[i + 2]!);
      });
    }
  });
});
