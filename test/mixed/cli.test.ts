import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeJsonl } from '../helpers/cli.js';

/** `plumb mixed` as a user runs it (the built CLI: `npm run build` first): exit codes and messages. */
const dir = tempDir('plumb-mixed-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = writeJsonl(
  join(dir, 'turns.jsonl'),
  Array.from({ length: 60 }, (_, i) => ({
    y: (i * 7) % 5 < 2 ? 1 : 0,
    turn: (i % 5) + 1,
    meta: { arm: i % 2 ? 'peer' : 'advisor' },
    question: `q${i % 6}`,
    site: 'one',
  })),
);

describe('plumb mixed', () => {
  it('fits, prints the summary, writes the fit and the R export (exit 0)', async () => {
    const out = join(dir, 'fit.json');
    const r = await runCli([
      'mixed',
      '--data',
      data,
      '--formula',
      'y ~ turn * meta.arm + (1 | question)',
      '--family',
      'binomial',
      '--reference',
      'meta.arm=peer',
      '--out',
      out,
      '--export',
      'r',
      join(dir, 'r'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^logistic mixed model \(glmer, binomial logit\) fit by maximum likelihood, Laplace/,
    );
    expect(r.stdout).toMatch(/\nturn:meta\.armadvisor +-?\d/);
    expect(r.stdout).toMatch(/\nquestion +\(Intercept\) +\S+ +\S+ +6\n/);
    expect(r.stdout).toContain('rows     60 read, 60 fitted');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ kind: 'mixed-fit', nobs: 60 });
    expect(readFileSync(join(dir, 'r', 'fit.R'), 'utf8')).toContain(
      'glmer(y ~ turn * meta.arm + (1 | question)',
    );
  });

  it('an unknown field and a one-level grouping factor are one line each, exit 2', async () => {
    const [unknown, oneLevel] = await Promise.all([
      runCli(['mixed', '--data', data, '--formula', 'y ~ arm + (1 | question)', '--family', 'binomial']),
      runCli(['mixed', '--data', data, '--formula', 'y ~ turn + (1 | site)', '--family', 'binomial']),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^plumb: unknown field 'arm': no row of .*turns\.jsonl has it \(did you mean 'meta\.arm'\?\); fields: y, turn, meta\.arm, question, site .*\n$/,
    );
    expect(oneLevel.code).toBe(2);
    expect(oneLevel.stderr).toMatch(
      /^plumb: .*turns\.jsonl: grouping factor 'site' has only one level \(one\)[^\n]*\n$/,
    );
  });

  it('a formula that does not parse shows where, with a caret (exit 2)', async () => {
    const parse = await runCli(['mixed', '--data', data, '--formula', 'y ~ turn + (1 | question']);
    expect(parse.code).toBe(2);
    expect(parse.stderr).toBe(
      "plumb: --formula does not parse at character 25: expected ')'\n  y ~ turn + (1 | question\n                          ^\n",
    );
  });
});
