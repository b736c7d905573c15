import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RUBRICS_DIR, resolveRubric } from '../../src/rubrics/load.js';
import { ROOT, readJsonlFile, runCli, tempDir, writeJsonl } from '../helpers/cli.js';

const FIXTURE = join(ROOT, 'fixtures', 'responses.jsonl');

describe('plumb score with the lexicon judge', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  it('writes one line per input, ids preserved, scores in scale, rubric hash stamped', async () => {
    const out = join(dir, 'aai.jsonl');
    const summary = join(dir, 'aai-summary.json');
    const r = await runCli([
      'score',
      '--rubric',
      'aai',
      '--input',
      FIXTURE,
      '--judge',
      'lexicon',
      '--out',
      out,
      '--summary',
      summary,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const inputIds = readJsonlFile(readFileSync(FIXTURE, 'utf8')).map((l) => l.id);
    const lines = readJsonlFile(readFileSync(out, 'utf8'));
    expect(lines.map((l) => l.id)).toEqual(inputIds);
    const aai = await resolveRubric('aai', [BUILTIN_RUBRICS_DIR]);
    for (const l of lines) {
      expect(l.rubric).toEqual({ id: 'aai', version: '1.0.0', hash: aai.hash });
      expect(l.judge).toMatchObject({ provider: 'lexicon', model: 'lexicon-v1', samples: 1 });
      for (const v of Object.values(l.scores as Record<string, number>)) {
        expect(Number.isInteger(v) && v >= 1 && v <= 5).toBe(true);
      }
      expect(l.prompt).toBeTypeOf('string'); // input fields are preserved
    }
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.n).toMatchObject({ total: 120, scored: 120, unscored: 0 });
    expect(s.rubric.hash).toBe(aai.hash);
    expect(Object.keys(s.items)).toHaveLength(120);
    expect(s.indices.aai.conditions).toHaveLength(6);
    expect(r.stdout).toMatch(/AAI by condition/);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('gives identical scores when run twice', async () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    for (const out of [a, b]) {
      const r = await runCli([
        'score',
        '--rubric',
        'eii',
        '--input',
        FIXTURE,
        '--out',
        out,
        '--concurrency',
        '3',
      ]);
      expect(r.code).toBe(0);
    }
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });

  it('computes the summary means from the lines it wrote', async () => {
    const out = join(dir, 'm.jsonl');
    const summary = join(dir, 'm.json');
    await runCli(['score', '--rubric', 'aai', '--input', FIXTURE, '--out', out, '--summary', summary]);
    const lines = readJsonlFile(readFileSync(out, 'utf8'));
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    const peerProfile = lines.filter(
      (l) =>
        (l.metadata as Record<string, string>).role === 'peer' &&
        (l.metadata as Record<string, string>).personalization === 'profile',
    );
    const mean =
      peerProfile.reduce((acc, l) => acc + (l.indices as { aai: number }).aai, 0) / peerProfile.length;
    const cond = s.indices.aai.conditions.find(
      (c: { role: string; personalization: string }) => c.role === 'peer' && c.personalization === 'profile',
    );
    expect(cond.n).toBe(peerProfile.length);
    expect(cond.value).toBeCloseTo(mean, 12);
    expect(cond.ci[0]).toBeLessThan(mean);
    expect(cond.ci[1]).toBeGreaterThan(mean);
  });
});

describe('bad input exits 2 with file:line', () => {
  const good = { id: 'a', prompt: 'q', response: 'Actually, that is a myth.' };
  const cases: [string, unknown[], RegExp][] = [
    ['malformed JSON', [good, '{"id": "b", "response": '], /bad\.jsonl:2: malformed JSON/],
    ['a missing id', [good, { response: 'x' }], /bad\.jsonl:2: missing "id"/],
    ['a missing response', [good, { id: 'b', prompt: 'q' }], /bad\.jsonl:2: missing "response"/],
    [
      'a duplicate id',
      [good, { ...good, id: 'b' }, good],
      /bad\.jsonl:3: duplicate id "a" \(first on line 1\)/,
    ],
    ['a non-object line', [good, '[1, 2]'], /bad\.jsonl:2: expected a JSON object/],
  ];
  it.each(cases)('%s', async (_name, rows, message) => {
    const dir = tempDir();
    const input = writeJsonl(join(dir, 'bad.jsonl'), rows);
    const out = join(dir, 'out.jsonl');
    const r = await runCli(['score', '--rubric', 'aai', '--input', input, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false); // nothing that looks complete
  });

  it('an unknown rubric', async () => {
    const r = await runCli(['score', '--rubric', 'nosuch', '--input', FIXTURE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown rubric 'nosuch'/);
  });

  it('an unreadable file', async () => {
    const r = await runCli(['score', '--rubric', 'aai', '--input', '/nonexistent/x.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/x\.jsonl: cannot read file \(no such file\)/);
  });

  it('an unknown judge provider and a bad number', async () => {
    const a = await runCli(['score', '--rubric', 'aai', '--input', FIXTURE, '--judge', 'gemini:x']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/unknown judge provider 'gemini'/);
    const b = await runCli(['score', '--rubric', 'aai', '--input', FIXTURE, '--concurrency', 'lots']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--concurrency must be a whole number/);
  });
});

describe('help and demo', () => {
  it('plumb --help lists score, rubrics and demo with examples', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['score', 'rubrics', 'demo'])
      expect(r.stdout).toMatch(new RegExp(`\\$ npx plumb ${cmd}`));
    for (const cmd of ['score', 'demo', 'rubrics show']) {
      const h = await runCli([...cmd.split(' '), '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Examples:/);
    }
  });

  it('rubrics show --json includes path and hash; validate and diff work', async () => {
    const show = await runCli(['rubrics', 'show', 'stance', '--json']);
    const j = JSON.parse(show.stdout);
    expect(j.path).toBe(join(BUILTIN_RUBRICS_DIR, 'stance-1.0.0.yaml'));
    expect(j.hash).toMatch(/^[0-9a-f]{64}$/);
    const v = await runCli(['rubrics', 'validate', join(BUILTIN_RUBRICS_DIR, 'eii-1.0.0.yaml')]);
    expect(v.stdout).toMatch(/valid — eii@1.0.0/);
    const dir = tempDir();
    const bad = join(dir, 'x.yaml');
    writeFileSync(bad, 'id: x\n');
    const vb = await runCli(['rubrics', 'validate', bad]);
    expect(vb.code).toBe(2);
    const d = await runCli(['rubrics', 'diff', 'aai', 'eii']);
    expect(d.stdout).toMatch(/hash changed/);
  });

  it('plumb demo writes a run folder and prints the AAI/EII table', async () => {
    const dir = tempDir();
    const r = await runCli(['demo', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/peer\s+profile\s+20/);
    // the commands it prints paste into a clone, where `plumb` is not on PATH
    expect(r.stdout).toMatch(/ {2}npx plumb calibrate /);
    expect(r.stdout).toMatch(/ {2}npx plumb gate /);
    expect(r.stdout).not.toMatch(/^ {2}plumb [a-z]+ --/m);
    for (const f of ['aai.scores.jsonl', 'eii.scores.jsonl', 'aai.summary.json', 'eii.summary.json']) {
      expect(existsSync(join(dir, f))).toBe(true);
    }
    // the paper's design as a study file in miniature: its tables, and where they are
    expect(r.stdout).toContain(`→ ${join(dir, 'study', 'tables')}`);
    expect(r.stdout).toMatch(/ {2}npx plumb study run \S+studies\/demo\.yaml --out /);
    for (const t of ['pairwise', 'controls', 'multiturn'])
      expect(existsSync(join(dir, 'study', 'tables', `${t}.csv`))).toBe(true);
    // a second demo into the same folder starts the study afresh
    expect((await runCli(['demo', '--out', dir])).code).toBe(0);
  }, 120_000);
});
