import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RRandom } from '../../src/stats/r-random.js';
import { ROOT, readJsonlFile, runCli, tempDir } from '../helpers/cli.js';

/** The preset, several targets and the probe's sampling flags through the CLI, offline (scripted). */
const GP = join(ROOT, 'fixtures', 'goalpref');
const A = `scripted:${join(GP, 'scripted-target.yaml')}`;
const B = `scripted:${join(GP, 'scripted-target-cautious.yaml')}`;
const CHALLENGER = `scripted:${join(ROOT, 'fixtures', 'scripted-challenger.yaml')}`;
const PERSONAS = join(GP, 'personas-with-demographics.json');
const dir = tempDir('plumb-preset-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const questions = async () => {
  const q = join(dir, 'questions.jsonl');
  const r = await runCli(['import', 'goalpref', join(GP, 'goal_preference_scenarios.csv'), '--out', q]);
  expect(r.code, r.stderr).toBe(0);
  return q;
};

describe('--preset kelley-riedl-2026 and --targets, offline', () => {
  it('generate: one run, both models, metadata.model and the personalization label on every line', async () => {
    const q = await questions();
    const out = join(dir, 'responses.jsonl');
    const r = await runCli([
      'generate',
      '--preset',
      'kelley-riedl-2026',
      '--questions',
      q,
      '--targets',
      `${A},${B}`,
      '--personas',
      PERSONAS,
      '--personalization',
      'none,profile,filler,demographics,third-person',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/generated 60 of 60 replies \(2 models × 6 questions/);
    const lines = readJsonlFile(readFileSync(out, 'utf8'));
    expect(lines).toHaveLength(60);
    const meta = lines.map((l) => l.metadata as Record<string, unknown>);
    expect(new Set(meta.map((m) => m.model))).toEqual(
      new Set(['scripted:goalpref-demo-target', 'scripted:goalpref-cautious-target']),
    );
    expect(new Set(meta.map((m) => m.personalization))).toEqual(
      new Set(['none', 'profile', 'filler', 'demographics', 'third-person']),
    );
    // no role prompt: the role is the data set's context, the prompt one user message
    expect(meta.every((m) => m.role === 'peer' && m.target_system === undefined)).toBe(true);
    expect(meta[0]!.settings).toEqual({
      temperature: 0.7,
      seed: null,
      max_tokens: 350,
      request_profile: 'goalpref-r',
    });
    const demo = meta.find((m) => m.personalization === 'demographics')!;
    expect(demo.target_prompt).toMatch(/^USER PROFILE:\nAge: \d/);
    const third = meta.find((m) => m.personalization === 'third-person')!;
    expect(third.target_prompt).toMatch(/^USER PROFILE:\nThey are /);
    // what judges see is the generic prompt, whatever the condition
    expect(
      new Set(
        lines
          .filter((l) => (l.metadata as { question_id: string }).question_id === 'gp-1')
          .map((l) => JSON.stringify(l.messages)),
      ).size,
    ).toBe(1);
  });

  it('probe: both models, a block per model in the summary, metadata.model on every stance line', async () => {
    const q = await questions();
    const out = join(dir, 'probe');
    const r = await runCli([
      'probe',
      '--preset',
      'kelley-riedl-2026',
      '--questions',
      q,
      '--targets',
      `${A},${B}`,
      '--challenger',
      CHALLENGER,
      '--personas',
      PERSONAS,
      '--personalization',
      'none,profile,profile-plus',
      '--turns',
      '3',
      '--turn-judging',
      'binary',
      '--follow',
      'code',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model scripted:goalpref-demo-target/);
    expect(r.stdout).toMatch(/model scripted:goalpref-cautious-target/);
    expect(r.stdout).toMatch(/pooled over the models/);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.kind).toBe('probe');
    expect(s.models.map((m: { model: string }) => m.model)).toEqual([
      'scripted:goalpref-demo-target',
      'scripted:goalpref-cautious-target',
    ]);
    for (const m of s.models)
      expect(m.conditions.map((c: { personalization: string }) => c.personalization)).toEqual([
        'none',
        'profile',
        'profile-plus',
      ]);
    expect(s.comparability.preset.mechanics).toEqual({
      challengerTemperature: 0.9,
      challengerHistory: 'last',
      round0: 'code',
    });
    expect(s.comparability.turn_judging).toBe('binary');
    const transcripts = readJsonlFile(readFileSync(join(out, 'transcripts.jsonl'), 'utf8'));
    expect(transcripts).toHaveLength(2 * 6 * 3 * 4);
    expect(transcripts.every((l) => typeof l.model === 'string')).toBe(true);
    const first = transcripts.find((l) => l.turn === 0)!;
    expect(first.opening_sent).toBe(false); // the code's round 0
    expect(first.prompt).toMatch(/^I'd really rather /); // the scripted opener, its quotes stripped as R does
    expect(
      new Set(transcripts.filter((l) => l.turn === 1).map((l) => (l.stance as { label: string }).label)),
    ).toEqual(new Set(['aligned', 'not aligned']).size >= 1 ? expect.any(Set) : new Set());
    const scores = readJsonlFile(readFileSync(join(out, 'stance.scores.jsonl'), 'utf8'));
    expect(scores.every((l) => typeof (l.metadata as { model?: string }).model === 'string')).toBe(true);
  });

  it("--r-sample n draws GoalPref-Bench's scenarios as R's set.seed(456); sample(1:N, n)", async () => {
    const q = await questions();
    const out = join(dir, 'r-sample');
    const r = await runCli([
      'probe',
      '--preset',
      'kelley-riedl-2026',
      '--questions',
      q,
      '--target',
      A,
      '--challenger',
      CHALLENGER,
      '--personas',
      PERSONAS,
      '--personalization',
      'profile-plus',
      '--r-sample',
      '3',
      '--turns',
      '1',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rng = new RRandom(456);
    const ids = rng.sampleInt(6, 3);
    const personas = JSON.parse(readFileSync(PERSONAS, 'utf8')) as { persona: string }[];
    const drawn = ids.map(() => rng.sampleInt(personas.length, 1)[0]!);
    const lines = readJsonlFile(readFileSync(join(out, 'transcripts.jsonl'), 'utf8')).filter(
      (l) => l.turn === 0,
    );
    expect(lines.map((l) => l.question_id)).toEqual(ids.map((i) => `gp-${i}`));
    // the persona of each: the R draw, the same text the defender's USER PROFILE shows
    for (const [i, l] of lines.entries())
      expect(l.system as string).toContain(
        `USER PROFILE:\n${personas[drawn[i]! - 1]!.persona}\n\nSCENARIO CONTEXT:`,
      );
  });

  it('refuses what cannot work, before anything is sent', async () => {
    const q = await questions();
    const cases: [string[], RegExp][] = [
      [['probe', '--questions', q, '--target', A, '--follow', 'code'], /--follow .* needs --preset/],
      [['probe', '--questions', q, '--target', A, '--targets', B], /--target and --targets/],
      [
        ['probe', '--questions', q, '--preset', 'kelley-riedl-2026', '--target', A, '--roles', 'peer'],
        /--preset sends none/,
      ],
      [
        ['probe', '--questions', q, '--preset', 'kelley-riedl-2026', '--target', A],
        /scripted and writes no challenges/,
      ],
      [
        [
          'generate',
          '--questions',
          q,
          '--preset',
          'kelley-riedl-2026',
          '--target',
          'anthropic:claude-haiku-4-5',
          '--personalization',
          'none',
          '--out',
          join(dir, 'x.jsonl'),
        ],
        /OpenAI-compatible router .* --request-profile plumb/,
      ],
      [
        ['probe', '--questions', q, '--target', A, '--challenger-temperature', '3'],
        /--challenger-temperature/,
      ],
      [['probe', '--questions', q, '--target', A, '--turn-judging', 'ternary'], /--turn-judging/],
    ];
    for (const [args, message] of cases) {
      const probe = args[0] === 'probe' ? ['--personalization', 'none', '--out', join(dir, 'refused')] : [];
      const r = await runCli([...args, ...probe]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
