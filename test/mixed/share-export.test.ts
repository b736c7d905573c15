import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { startRawServer } from '../study/presets/raw-server.js';

/**
 * `plumb pairwise … --contrast … --export r DIR`: the test against 50 % as data.csv and fit.R. The
 * judge (a loopback server through the real OpenAI SDK) picks the personalized reply exactly when it
 * says "P-yes", whichever side it is shown on, so the verdicts are known in advance: per question
 * (3 samples each) 3,2,1,0,2,2,1,3 of 3 prefer the treatment — 14 of 24.
 */
const PICKS = [
  [1, 1, 1],
  [1, 1, 0],
  [1, 0, 0],
  [0, 0, 0],
  [1, 1, 0],
  [1, 0, 1],
  [0, 1, 0],
  [1, 1, 1],
];

/**
 * What R says on the exported files (R 4.2.2, lme4 1.1-31, run once on 2026-12-04 and pasted here),
 * in each export folder: `Rscript -e 'options(digits = 15); library(lme4); d <- read.csv("data.csv",
 * colClasses = c(y = "numeric", question = "character", pair = "character")); k <- sum(d$y); n <-
 * nrow(d); prop.test(k, n, correct = FALSE)$conf.int; binom.test(k, n, p = 0.5)$p.value;
 * coef(summary(glmer(y ~ 1 + (1 | question), data = d, family = binomial)))'` — with one pair a
 * question (the first sample only), `glm(y ~ 1, data = d, family = binomial)` in place of glmer.
 * lme4 stops ~1e-6 short of the optimum and glm's IRLS ~1e-6 short of √(1/6 + 1/2): hence 5 digits.
 */
const R_GLMM = {
  estimate: 0.382278040703007,
  se: 0.522671093439057,
  z: 0.731393117969667,
  binomP: 0.541256189346313,
  wilson: [0.388346658652288, 0.755323973901882],
};
const R_LOGISTIC = {
  estimate: 1.09861228866514,
  se: 0.816495877654835,
  binomP: 0.2890625,
  wilson: [0.409275430310169, 0.928520787247891],
};

function responses(samples: number): string {
  const lines: string[] = [];
  for (const [q, picks] of PICKS.entries())
    for (let s = 0; s < samples; s++)
      for (const level of ['none', 'profile'])
        lines.push(
          JSON.stringify({
            id: `q${q}-s${s}-${level}`,
            prompt: `question ${q}`,
            response: level === 'none' ? `G-reply ${q}.${s}` : `${picks[s] ? 'P-yes' : 'P-no'} ${q}.${s}`,
            metadata: { question_id: `q${q}`, personalization: level, sample: s },
          }),
        );
  return `${lines.join('\n')}\n`;
}

describe('plumb pairwise --export r', () => {
  let srv: Awaited<ReturnType<typeof startRawServer>>;
  const dir = tempDir();
  beforeAll(async () => {
    srv = await startRawServer((body) => {
      const user = (body.messages as { content: string }[])[1]!.content;
      const p = user.search(/P-(yes|no)/);
      const personalizedFirst = p < user.indexOf('G-reply');
      const choosePersonalized = user.includes('P-yes');
      return choosePersonalized === personalizedFirst ? 'A' : 'B';
    });
  });
  afterAll(async () => {
    await srv.close();
  });

  const run = (input: string, out: string, exportDir: string) =>
    runCli(
      [
        'pairwise',
        '--rubric',
        'emotional_validation',
        '--input',
        input,
        '--contrast',
        'personalization=none,profile',
        '--judge',
        'openai-compatible:judge',
        '--base-url',
        srv.url,
        '--no-cache',
        '--out',
        out,
        '--summary',
        `${out}.summary.json`,
        '--export',
        'r',
        exportDir,
      ],
      { env: { OPENAI_COMPATIBLE_API_KEY: 'sk-test' } },
    );

  it('writes the decided pairs and an R script with plumb figures beside R calls (GLMM)', async () => {
    const input = join(dir, 'three.jsonl');
    writeFileSync(input, responses(3));
    const r = await run(input, join(dir, 'three.pairs.jsonl'), join(dir, 'r3'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`for R: ${join(dir, 'r3', 'data.csv')} (24 rows)`);
    const csv = readFileSync(join(dir, 'r3', 'data.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('y,question,pair');
    expect(csv.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(PICKS.flat());
    const summary = JSON.parse(readFileSync(join(dir, 'three.pairs.jsonl.summary.json'), 'utf8'));
    const g = summary.against_half[0];
    expect(g).toMatchObject({ decided: 24, preferring_treatment: 14, glmm: { model: 'glmm' } });
    const script = readFileSync(join(dir, 'r3', 'fit.R'), 'utf8');
    expect(script).toContain('m <- glmer(y ~ 1 + (1 | question), data = d, family = binomial)');
    expect(script).toContain(`"${g.glmm.estimate}", "${g.glmm.se}", "${g.glmm.z}", "${g.glmm.p}"`);
    expect(script).toContain(`binom.test(k, n, p = 0.5)$p.value, "  plumb", "${g.binom.p}"`);
    // R's figures on these files
    expect(g.glmm.estimate).toBeCloseTo(R_GLMM.estimate, 5);
    expect(g.glmm.se).toBeCloseTo(R_GLMM.se, 5);
    expect(g.glmm.z).toBeCloseTo(R_GLMM.z, 5);
    expect(g.binom.p).toBeCloseTo(R_GLMM.binomP, 10);
    expect(g.wilson95[0]).toBeCloseTo(R_GLMM.wilson[0]!, 10);
    expect(g.wilson95[1]).toBeCloseTo(R_GLMM.wilson[1]!, 10);
  });

  it('one pair a question: the logistic intercept plumb fitted, as glm in R', async () => {
    const input = join(dir, 'one.jsonl');
    writeFileSync(input, responses(1));
    const r = await run(input, join(dir, 'one.pairs.jsonl'), join(dir, 'r1'));
    expect(r.code, r.stderr).toBe(0);
    const g = JSON.parse(readFileSync(join(dir, 'one.pairs.jsonl.summary.json'), 'utf8')).against_half[0];
    expect(g).toMatchObject({ decided: 8, preferring_treatment: 6, glmm: { model: 'logistic' } });
    const script = readFileSync(join(dir, 'r1', 'fit.R'), 'utf8');
    expect(script).toContain('m <- glm(y ~ 1, data = d, family = binomial)');
    expect(g.glmm.estimate).toBeCloseTo(R_LOGISTIC.estimate, 10);
    expect(g.glmm.se).toBeCloseTo(R_LOGISTIC.se, 5);
    expect(g.binom.p).toBeCloseTo(R_LOGISTIC.binomP, 10);
    expect(g.wilson95[0]).toBeCloseTo(R_LOGISTIC.wilson[0]!, 10);
    expect(g.wilson95[1]).toBeCloseTo(R_LOGISTIC.wilson[1]!, 10);
  });

  it('is refused without --contrast (exit 2)', async () => {
    const input = join(dir, 'three.jsonl');
    const bad = await runCli([
      'pairwise',
      '--rubric',
      'pairwise',
      '--a',
      input,
      '--b',
      input,
      '--export',
      'r',
      dir,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--export writes the test against 50 % of a --contrast run/);
  });
});
