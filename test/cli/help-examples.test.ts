import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/specs/index.js';
import { runExamples } from '../helpers/examples.js';

/**
 * `--help` examples paste and run (#23 item 9): after `plumb demo` (many examples read its run
 * folder), every example of every command that can run offline exits 0, in order — a chain of
 * examples (calibrate --json > file, then report that file) included. Lines of other programs
 * (vLLM's run_batch) are not plumb's to run.
 */
describe('--help examples', () => {
  it('every offline example of every command runs and exits 0', async () => {
    const lines = [
      'npx plumb demo',
      ...COMMANDS.flatMap((c) =>
        c.examples
          .filter((e) => /^(?:[A-Z_]+=\S+ )*plumb /.test(e))
          .map((e) => `npx ${e}`.replace(/^npx ((?:[A-Z_]+=\S+ )+)/, '$1npx ')),
      ),
    ];
    const { ran } = await runExamples(lines);
    for (const r of ran) expect(r.code, `${r.line}\n${r.stderr.slice(0, 600)}`).toBe(0);
    // the examples that read the demo's run folder are among those that ran
    for (const must of [
      'calibrate --scores runs/demo',
      'gold sample',
      'report runs/eii.summary.json runs/calibration.json',
      'baseline save runs/demo',
    ])
      expect(
        ran.some((r) => r.line.includes(must)),
        `no --help example with "${must}" ran`,
      ).toBe(true);
  }, 240_000);

  it('no example names an absolute path: run, it would write outside the folder it is pasted in', () => {
    const absolute = COMMANDS.flatMap((c) => c.examples).filter((e) => / \/(?!\/)\S/.test(e));
    expect(absolute).toEqual([]);
  });
});
