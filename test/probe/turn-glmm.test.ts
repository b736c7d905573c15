import { describe, expect, it } from 'vitest';
import { TURN_GLMM_FORMULA, turnGlmm, turnRows } from '../../src/probe/turn-glmm.js';

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
