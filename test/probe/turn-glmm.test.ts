import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TURN_GLMM_FORMULA, turnGlmm, turnRows } from '../../src/probe/turn-glmm.js';
import { ROOT, runCli, tempDir, writeJsonl } from '../helpers/cli.js';

/** A transcript line as the probe writes it (the fields the turn GLMM reads). */
const line = (
  q: string,
  personalization: string,
  turn: number,
  stance: number | null,
  extra: Record<string, unknown> = {},
) => ({
  conversation: `${q}|advisor/${personalization}`,
  question_id: q,
  role: 'advisor',
  personalization,
  turn,
  reply: stance === null && turn > 0 ? null : 'a reply',
  ...(turn === 0 ? {} : { stance: stance === null ? { value: null, error: 'x' } : { value: stance } }),
  ...extra,
});

describe('turnRows', () => {
  it('one row per challenged turn: abandoned from the stance verdict, the question as the cluster', () => {
    const lines = [
      line('q1', 'none', 0, null),
      line('q1', 'none', 1, 2),
      line('q1', 'none', 2, 1),
      line('q1', 'none', 3, 0),
      line('q1', 'profile', 0, null),
      line('q1', 'profile', 1, null),
      line('q1', 'profile', 2, 0, { model: 'openai:gpt-x' }),
    ];
    expect(turnRows(lines, { target: 'scripted:t.yaml' })).toEqual([
      {
        model: 'scripted:t.yaml',
        conversation: 'q1|advisor/none',
        question: 'q1',
        condition: 'none',
        turn: 1,
        abandoned: 0,
      },
      {
        model: 'scripted:t.yaml',
        conversation: 'q1|advisor/none',
        question: 'q1',
        condition: 'none',
        turn: 2,
        abandoned: 0,
      },
      {
        model: 'scripted:t.yaml',
        conversation: 'q1|advisor/none',
        question: 'q1',
        condition: 'none',
        turn: 3,
        abandoned: 1,
      },
      {
        model: 'scripted:t.yaml',
        conversation: 'q1|advisor/profile',
        question: 'q1',
        condition: 'profile',
        turn: 1,
        abandoned: null,
      },
      {
        model: 'openai:gpt-x',
        conversation: 'q1|advisor/profile',
        question: 'q1',
        condition: 'profile',
        turn: 2,
        abandoned: 1,
      },
    ]);
  });

  it('binary turn judging (not aligned = 0) counts as abandoned; several roles make role/personalization the condition; a condition label wins', () => {
    const binary = { value: 0, label: 'not aligned', graded: 1 };
    const rows = turnRows([
      { ...line('q1', 'none', 1, 2), stance: binary },
      { ...line('q1', 'none', 1, 2), role: 'peer', metadata: { model: 'm' } },
      { ...line('q2', 'none', 1, 2), condition: 'generic', stance: 0 },
    ]);
    expect(rows.map((r) => [r.condition, r.abandoned, r.model])).toEqual([
      ['advisor/none', 1, 'unspecified'],
      ['peer/none', 0, 'm'],
      ['generic', 1, 'unspecified'],
    ]);
  });
});

describe('turnGlmm', () => {
  it('no fit, with the reason, for one condition, a condition without variation, or one question', () => {
    const one = turnGlmm([line('q1', 'none', 1, 0), line('q1', 'none', 2, 2), line('q2', 'none', 1, 2)]);
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ model: 'unspecified', formula: TURN_GLMM_FORMULA, fit: null, n: 3 });
    expect(one[0]!.note).toMatch(/only one condition/);
    const flat = turnGlmm([
      line('q1', 'none', 1, 0),
      line('q1', 'none', 2, 2),
      line('q2', 'profile', 1, 2),
      line('q2', 'profile', 2, 2),
    ]);
    expect(flat[0]!.fit).toBeNull();
    expect(flat[0]!.note).toMatch(/in profile none of the 2 judged turns was abandoned.*complete separation/);
    const oneQ = turnGlmm([
      line('q1', 'none', 1, 0),
      line('q1', 'none', 2, 2),
      line('q1', 'profile', 1, 0),
      line('q1', 'profile', 2, 2),
    ]);
    expect(oneQ[0]!.note).toMatch(/one question/);
    expect(turnGlmm([line('q1', 'none', 1, 0)], { reference: 'filler' })[0]!.note).toMatch(
      /'filler' has no judged turns/,
    );
  });
});

/**
 * Against lme4. test/reference/probe_turn_glmm/transcripts.jsonl (make_transcripts.mjs, seeded: 24
 * questions × none/profile/profile-plus × 4 challenged turns, 9 verdicts failed) gives 279 judged
 * turns; plumb's `--export r` wrote them as data.csv with fit.R beside it. Reference, R 4.2.2 Patched
 * (2022-11-10 r83330), lme4 1.1-31, `Rscript fit_reference.R` in that folder:
 *   glmer(abandoned ~ turn * condition + (1 | question), data = d, family = binomial,
 *         control = glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-11, maxfun = 1e5)))
 * with condition levels none, profile, profile-plus. `Rscript fit.R` (the exported script, lme4's
 * default control and the tight one) reproduces these: logLik lme4 -169.8288569, tight
 * -169.8288568, plumb -169.82885684779978; every β̂ within 1e-6 of the tight fit.
 */
const R_TIGHT = {
  estimate: {
    '(Intercept)': -1.90872229366,
    turn: 0.32424411969,
    conditionprofile: 0.69581152064,
    'conditionprofile-plus': -0.39307457093,
    'turn:conditionprofile': 0.01208290489,
    'turn:conditionprofile-plus': 0.48858139496,
  },
  se: {
    '(Intercept)': 0.6495556474,
    turn: 0.2187182011,
    conditionprofile: 0.8427616506,
    'conditionprofile-plus': 0.8857568622,
    'turn:conditionprofile': 0.2942516928,
    'turn:conditionprofile-plus': 0.3100373816,
  },
  p: {
    '(Intercept)': 0.003297997054,
    turn: 0.13821412769,
    conditionprofile: 0.409012517671,
    'conditionprofile-plus': 0.657207044945,
    'turn:conditionprofile': 0.967245542399,
    'turn:conditionprofile-plus': 0.115053694424,
  },
  variance: 0.3104874944,
  logLik: -169.828856848,
  nobs: 279,
} as const;

describe('turnGlmm against lme4', () => {
  const dir = join(import.meta.dirname, '..', 'reference', 'probe_turn_glmm');
  const lines = readFileSync(join(dir, 'transcripts.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('the rows R fitted are the turn rows with a verdict', () => {
    const csv = readFileSync(join(dir, 'data.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('abandoned,turn,condition,question');
    const rows = turnRows(lines).filter((r) => r.abandoned !== null);
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(
      rows.map((r) => [r.abandoned, r.turn, r.condition, r.question].join(',')),
    );
  });

  it('β, SE, p, the question variance and logLik equal glmer', () => {
    const [e] = turnGlmm(lines);
    expect(e).toMatchObject({ model: 'scripted:fixture', n: 279, unjudged: 9, questions: 24 });
    expect(e!.conditions).toEqual(['none', 'profile', 'profile-plus']);
    expect(e!.note).toBeUndefined();
    const fit = e!.fit!;
    expect(fit.reference).toBe('none');
    expect(fit.fit.nobs).toBe(R_TIGHT.nobs);
    const terms = Object.keys(R_TIGHT.estimate) as (keyof typeof R_TIGHT.estimate)[];
    expect(fit.fit.fixedEffects.map((f) => f.term)).toEqual(terms);
    for (const f of fit.fit.fixedEffects) {
      const t = f.term as keyof typeof R_TIGHT.estimate;
      expect(Math.abs(f.estimate - R_TIGHT.estimate[t]) / Math.max(Math.abs(f.estimate), f.se)).toBeLessThan(
        1e-4,
      );
      expect(Math.abs(f.se - R_TIGHT.se[t]) / R_TIGHT.se[t]).toBeLessThan(1e-4);
      expect(Math.abs(f.p - R_TIGHT.p[t])).toBeLessThan(1e-4);
    }
    expect(Math.abs(fit.groupVariance - R_TIGHT.variance) / R_TIGHT.variance).toBeLessThan(1e-3);
    expect(Math.abs(fit.fit.logLik - R_TIGHT.logLik)).toBeLessThan(1e-5);
    expect(fit.singular).toBe(false);
  });
});

describe('the turn GLMM in the probe outputs', () => {
  it('an offline probe run: summary.turn_glmm, the printed table, --export r; probe analyze the same', async () => {
    const out = tempDir();
    const r = await runCli([
      'probe',
      '--questions',
      join(ROOT, 'fixtures', 'questions.jsonl'),
      '--target',
      `scripted:${join(ROOT, 'fixtures', 'scripted-target.yaml')}`,
      '--judge',
      'lexicon',
      '--personas',
      join(ROOT, 'fixtures', 'personas.jsonl'),
      '--roles',
      'peer',
      '--personalization',
      'none,profile',
      '--turns',
      '4',
      '--out',
      out,
      '--export',
      'r',
      join(out, 'r'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.turn_glmm).toHaveLength(1);
    const [e] = s.turn_glmm;
    expect(e).toMatchObject({
      model: 'scripted:demo-target',
      formula: TURN_GLMM_FORMULA,
      n: 160,
      questions: 20,
    });
    expect(e.conditions).toEqual(['none', 'profile']);
    expect(e.fit.fit.fixedEffects.map((f: { term: string }) => f.term)).toEqual([
      '(Intercept)',
      'turn',
      'conditionprofile',
      'turn:conditionprofile',
    ]);
    // the same rows through the library give the same fit
    const lines = readFileSync(join(out, 'transcripts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const again = turnGlmm(lines)[0]!.fit!;
    expect(again.turn.estimate).toBe(e.fit.turn.estimate);
    expect(r.stdout).toMatch(
      /multi-turn GLMM — scripted:demo-target: abandoned ~ turn \* condition \+ \(1 \| question\)/,
    );
    expect(r.stdout).toMatch(/term\s+β\s+SE\s+z\s+p\n[- ]+\n\(Intercept\)\s+-?\d/);
    expect(r.stdout).toMatch(/turn:conditionprofile\s+-?\d/);
    expect(r.stdout).toMatch(/for R: .*data\.csv \(160 rows\) and .*fit\.R/);
    const csv = readFileSync(join(out, 'r', 'data.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(161);
    expect(readFileSync(join(out, 'r', 'fit.R'), 'utf8')).toMatch(
      /glmer\(abandoned ~ turn \* condition \+ \(1 \| question\), data = d, family = binomial, nAGQ = 1\)/,
    );

    // the HTML report's probe section shows the same table
    const rep = await runCli(['report', out, '--out', join(out, 'report.html')]);
    expect(rep.code, rep.stderr).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(
      'Multi-turn GLMM (scripted:demo-target): abandoned ~ turn * condition + (1 | question)',
    );
    expect(html).toMatch(/<td>turn:conditionprofile<\/td>/);

    // probe analyze: per-turn labels made elsewhere go through the same code
    const labels = join(out, 'labels.jsonl');
    writeJsonl(
      labels,
      lines.map((l) => ({
        conversation: l.conversation,
        turn: l.turn,
        stance: l.stance?.value ?? '',
        question_id: l.question_id,
        personalization: l.personalization,
      })),
    );
    const a = await runCli(['probe', 'analyze', '--labels', labels, '--by', 'personalization', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const g = JSON.parse(a.stdout).turn_glmm[0];
    expect(g.conditions).toEqual(['none', 'profile']);
    expect(g.fit.turn.estimate).toBeCloseTo(e.fit.turn.estimate, 10);
  }, 120_000);
});

describe('turnGlmm on turns that nearly separate', () => {
  // 'none' abandons at turn 3 and never before, in every question: the turn slope is unbounded.
  // R 4.2.2 on these 24 rows (scratch d.csv, condition levels none, profile):
  //   glmer(abandoned ~ turn * condition + (1 | question), family = binomial) (lme4 1.1-31)
  //     → Error in pwrssUpdate: Downdated VtV is not positive definite
  //   glm(abandoned ~ turn * condition, family = binomial)
  //     → warning "fitted probabilities numerically 0 or 1"; turn 38.344 (SE 6371.4)
  // plumb's estimate runs off too (to wherever its optimizer stops): the figure is not the point,
  // the note is.
  const profile: Record<string, number[]> = { q1: [0, 1, 0], q2: [1, 0, 1], q3: [0, 0, 1], q4: [1, 1, 0] };
  const lines = Object.entries(profile).flatMap(([q, ys]) => [
    ...[0, 0, 1].map((a, i) => line(q, 'none', i + 1, a ? 0 : 2)),
    ...ys.map((a, i) => line(q, 'profile', i + 1, a ? 0 : 2)),
  ]);

  it('fits, and says the coefficients beyond ±10 log-odds mean little', () => {
    const [e] = turnGlmm(lines, { target: 't' });
    const turn = e!.fit!.fit.fixedEffects.find((f) => f.term === 'turn')!;
    expect(Math.abs(turn.estimate)).toBeGreaterThan(10);
    expect(e!.note).toMatch(/turn[^;]* beyond ±10 on the log-odds scale/);
    expect(e!.note).toContain('nearly separate');
  });

  it('says nothing of separation when the turns do not separate', () => {
    const mixed = Object.entries(profile).flatMap(([q, ys]) => [
      ...[ys[2]!, ys[0]!, ys[1]!].map((a, i) => line(q, 'none', i + 1, a ? 0 : 2)),
      ...ys.map((a, i) => line(q, 'profile', i + 1, a ? 0 : 2)),
    ]);
    const [e] = turnGlmm(mixed, { target: 't' });
    expect(e!.fit).not.toBeNull();
    expect(e!.fit!.fit.fixedEffects.every((f) => Math.abs(f.estimate) < 10)).toBe(true);
    expect(e!.note ?? '').not.toContain('separate');
  });
});
