import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { type FlagSpec, keyOf, parseFlags } from '../../src/cli/flags.js';
import { buildProgram } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/specs/index.js';

/** Every command commander knows, by its path (`gold sample`). */
function commandsOf(cmd: Command, path: string[] = []): [string, Command][] {
  return cmd.commands.flatMap((c) => {
    const p = [...path, c.name()];
    return [[p.join(' '), c] as [string, Command], ...commandsOf(c, p)];
  });
}

/** A value each kind of flag must refuse: the schema of every value-taking flag refuses at least one. */
const HOSTILE = ['', '   ', 'not-a-value', '-1', '1e999', 'NaN', '0', '1.5', '99999999999'];

describe('each flag is declared once, and every flag in --help is parsed and range-checked', () => {
  const program = buildProgram();
  const known = new Map(commandsOf(program));

  it.each(COMMANDS.map((c) => [c.path.join(' '), c] as const))('%s', (path, spec) => {
    const cmd = known.get(path);
    expect(cmd, `${path} is not a command of the program`).toBeDefined();
    // --help lists exactly the table's flags, in its order
    const options = (cmd!.options as Option[]).map((o) => o.flags);
    expect(options).toEqual(Object.values(spec.flags).map((f) => f.flags));
    for (const f of Object.values(spec.flags) as FlagSpec[]) {
      const key = keyOf(f);
      // a default parses (a bad default would break every run that leaves the flag out)
      if (f.default !== undefined)
        expect(
          () => parseFlags({ [key]: f } as Record<string, FlagSpec>, { [key]: f.default }),
          `${f.flags} default`,
        ).not.toThrow();
      if (!/[<[]/.test(f.flags)) continue; // an on/off flag takes no value
      const refused = HOSTILE.filter((v) => {
        try {
          parseFlags({ [key]: f } as Record<string, FlagSpec>, { [key]: v });
          return false;
        } catch (err) {
          // the message names the flag as the user wrote it
          expect(
            (err as Error).message.startsWith(`--${f.flags.replace(/^--(no-)?/, '').split(/[ <[]/)[0]}`),
          ).toBe(true);
          return true;
        }
      });
      expect(refused.length, `${path} ${f.flags} refuses nothing`).toBeGreaterThan(0);
    }
  });

  it('no flag table repeats a flag, and every command has an example', () => {
    for (const spec of COMMANDS) {
      const names = Object.values(spec.flags).map((f) => f.flags.split(/[ ,]/)[0]);
      expect(new Set(names).size, spec.path.join(' ')).toBe(names.length);
      expect(spec.examples.length, spec.path.join(' ')).toBeGreaterThan(0);
    }
  });
});
