import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BUILTIN_RUBRICS_DIR, loadAnyRubricFile, resolvePairwiseRubric } from '../../src/rubrics/load.js';
import {
  answerMode,
  isForcedChoice,
  PairwiseRubricFileSchema,
  pairwiseJsonSchema,
  pairwiseOutputSchema,
  parseTemplate,
  verdictsOf,
} from '../../src/rubrics/pairwise.js';
import { tempDir } from '../helpers/cli.js';

/** The Kelley & Riedl (2026) dimensions as pairwise rubrics (issue 19, item 1). */
const DIMENSIONS = ['emotional_validation', 'hedging', 'framing_acceptance', 'openness', 'responsibility'];
const ALL = [...DIMENSIONS, 'goal_alignment_pairwise'];

const dirs = [BUILTIN_RUBRICS_DIR];

describe('the shipped pairwise dimension rubrics', () => {
  it.each(ALL)('%s is forced choice, answers a bare A or B in 10 tokens at temperature 0', async (id) => {
    const r = await resolvePairwiseRubric(id, dirs);
    expect(r.version).toBe('1.0.0');
    expect(isForcedChoice(r)).toBe(true);
    expect(verdictsOf(r)).toEqual(['A', 'B']);
    expect(r.verdicts).not.toHaveProperty('tie');
    expect(answerMode(r)).toBe('label');
    expect(r.labels).toEqual(['A', 'B']);
    expect(r.max_tokens).toBe(10);
    expect(r.temperature).toBe(0);
    expect(r.user_template).toBeDefined();
    // the question is always "which response is MORE <dimension>", so "more" is one side
    expect(r.user_template).toMatch(/Which response [^?]*MORE /);
    expect(r.user_template).toMatch(/Answer with only one word: 'A' or 'B'$/);
    expect(r.instructions).toMatch(
      /You must choose one response as [^.]*more [^.]+\. Respond with only: 'A' or 'B'\.$/,
    );
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(DIMENSIONS)(
    '%s says its prompt is plumb’s own, where from, and which side is "more"',
    async (id) => {
      const r = await resolvePairwiseRubric(id, dirs);
      expect(r.description).toMatch(/not released/);
      expect(r.description).toMatch(/plumb's own/);
      expect(r.description).toMatch(/ELEPHANT|paper's description/);
      expect(r.description).toMatch(/evaluate_alignment\.R 44–57/);
      expect(r.description).toMatch(/"More" is/);
      expect(r.description).toMatch(/personalization rated higher/);
    },
  );

  it('goal_alignment_pairwise cites the released file and lines', async () => {
    const r = await resolvePairwiseRubric('goal_alignment_pairwise', dirs);
    expect(r.description).toMatch(/seanwkelley\/GoalPref-Bench@2c9aea1\s+code\/main\/evaluate_alignment\.R/);
    expect(r.description).toMatch(/lines 44–49/);
    expect(r.description).toMatch(/lines 51–57/);
    expect(r.user_template).toContain('{metadata.ai_agent_goal}');
  });

  it('the rubrics written before forced choice keep their content hashes (their caches still replay)', async () => {
    expect((await resolvePairwiseRubric('preference@1.0.0', dirs)).hash).toBe(
      '867706659ec0adc229cdcdd79cc79d32134265cb7e84fb94d0cc4f8c2593ee5c',
    );
    expect((await resolvePairwiseRubric('pairwise@1.0.0', dirs)).hash).toBe(
      '4d55ec13c4ca245874745b8de93fd7c1273c3b4b915008076968786891edadc6',
    );
    const pref = await resolvePairwiseRubric('preference', dirs);
    expect(isForcedChoice(pref)).toBe(false);
    expect(answerMode(pref)).toBe('structured');
    expect(verdictsOf(pref)).toEqual(['A', 'B', 'tie']);
  });
});

describe('forced choice in the verdict schemas', () => {
  it('the JSON schema sent to the provider has no tie for a forced-choice rubric, and a tie otherwise', () => {
    const forced = pairwiseJsonSchema({ forced_choice: true }) as {
      properties: { verdict: { enum: string[] } };
    };
    expect(forced.properties.verdict.enum).toEqual(['A', 'B']);
    const open = pairwiseJsonSchema({}) as { properties: { verdict: { enum: string[] } } };
    expect(open.properties.verdict.enum).toEqual(['A', 'B', 'tie']);
    expect(pairwiseJsonSchema()).toBe(pairwiseJsonSchema({}));
  });

  it('a tie is invalid against a forced-choice rubric’s zod schema', () => {
    expect(
      pairwiseOutputSchema({ forced_choice: true }).safeParse({ rationale: 'r', verdict: 'tie' }).success,
    ).toBe(false);
    expect(
      pairwiseOutputSchema({ forced_choice: true }).safeParse({ rationale: 'r', verdict: 'B' }).success,
    ).toBe(true);
    expect(pairwiseOutputSchema({}).safeParse({ rationale: 'r', verdict: 'tie' }).success).toBe(true);
  });
});

const base = {
  id: 'x',
  version: '1.0.0',
  kind: 'pairwise',
  description: 'd',
  verdicts: { A: 'a', B: 'b' },
  forced_choice: true,
  instructions: 'i',
};
const problems = (raw: Record<string, unknown>) => {
  const p = PairwiseRubricFileSchema.safeParse(raw);
  return p.success ? [] : p.error.issues.map((i) => i.message);
};

describe('the pairwise rubric schema', () => {
  it('accepts the forms it documents', () => {
    expect(problems(base)).toEqual([]);
    expect(
      problems({ ...base, answer: 'label', labels: ['A', 'B'], max_tokens: 10, temperature: 0 }),
    ).toEqual([]);
    expect(
      problems({
        ...base,
        answer: 'label',
        labels: ['1', '2'],
        user_template: 'Q: {user_message} {response_a} / {response_b} {metadata.ai_agent_goal} {{x}}',
      }),
    ).toEqual([]);
    expect(problems({ ...base, forced_choice: undefined, verdicts: { A: 'a', B: 'b', tie: 't' } })).toEqual(
      [],
    );
  });

  it('says what is wrong with the rest', () => {
    expect(problems({ ...base, verdicts: { A: 'a', B: 'b', tie: 't' } })).toEqual([
      expect.stringMatching(/forced-choice rubric has no tie verdict/),
    ]);
    expect(problems({ ...base, forced_choice: false })).toEqual([
      expect.stringMatching(/verdicts.tie is required/),
    ]);
    expect(
      problems({
        ...base,
        forced_choice: undefined,
        verdicts: { A: 'a', B: 'b', tie: 't' },
        answer: 'label',
        labels: ['A', 'B'],
      }),
    ).toEqual([expect.stringMatching(/answer: label needs forced_choice: true/)]);
    expect(problems({ ...base, answer: 'label' })).toEqual([expect.stringMatching(/needs labels/)]);
    expect(problems({ ...base, answer: 'label', labels: ['A', 'A'] })).toEqual([
      expect.stringMatching(/must differ/),
    ]);
    expect(problems({ ...base, labels: ['A', 'B'] })).toEqual([
      expect.stringMatching(/labels go with answer: label/),
    ]);
    expect(problems({ ...base, answer: 'label', labels: ['A.', 'B'] })).toEqual([
      expect.stringMatching(/period/),
    ]);
    expect(problems({ ...base, answer: 'label', labels: ['A A', 'B'] })).toEqual([
      expect.stringMatching(/one word/),
    ]);
    expect(problems({ ...base, user_template: '{response_a} {respons_b}' })).toEqual([
      expect.stringMatching(/unknown placeholder \{respons_b\}/),
    ]);
    expect(problems({ ...base, user_template: '{response_a} only' })).toEqual([
      expect.stringMatching(/must show \{response_b\}/),
    ]);
    expect(problems({ ...base, user_template: '{response_a} {response_b} }' })).toEqual([
      expect.stringMatching(/lone \}/),
    ]);
    expect(
      problems({
        ...base,
        user_template: '{response_a} {response_b}',
        considerations: [{ name: 'c', description: 'd' }],
      }),
    ).toEqual([expect.stringMatching(/considerations would not be shown/)]);
    expect(problems({ ...base, max_tokens: 0 })).not.toEqual([]);
    expect(problems({ ...base, temperature: 3 })).not.toEqual([]);
  });

  it('a template splits into text and fields; doubled braces are literal', () => {
    expect(parseTemplate('a {{b}} {response_a}{metadata.x-y}.')).toEqual([
      { text: 'a {b} ' },
      { field: 'response_a' },
      { field: 'metadata.x-y' },
      { text: '.' },
    ]);
    expect(() => parseTemplate('open { never closed')).toThrow(/unknown placeholder at "\{ never closed"/);
  });

  it('a rubric file with the new fields loads, and the fields are in its hash', async () => {
    const dir = tempDir();
    const write = (name: string, extra: Record<string, unknown>) => {
      const path = join(dir, name);
      writeFileSync(path, stringify({ ...base, ...extra }));
      return loadAnyRubricFile(path);
    };
    const structured = await write('a.yaml', {});
    const label = await write('b.yaml', { answer: 'label', labels: ['A', 'B'] });
    const tokens = await write('c.yaml', { answer: 'label', labels: ['A', 'B'], max_tokens: 10 });
    expect(new Set([structured.hash, label.hash, tokens.hash]).size).toBe(3);
  });
});
