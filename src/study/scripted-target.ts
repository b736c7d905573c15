import semver from 'semver';
import { z } from 'zod';
import { sha256 } from '../core/canonical.js';
import { ZERO_USAGE } from '../core/types.js';
import { seededRandom } from '../stats/random.js';
import { loadVersioned } from './config.js';
import { clauseOf, preferenceToFirstPerson } from './first-person.js';
import type { ProbeQuestion } from './inputs.js';
import type { ProbeCondition } from './roles.js';
import type { Target, TargetContext, TargetReply } from './target-types.js';

/**
 * The scripted target: a simulated model under test whose behaviour is declared in a file
 * (see fixtures/scripted-target.yaml), for demos and for testing the probe's statistics against
 * a known truth. Every draw is seeded from (seed, question, condition, turn), so a conversation's
 * replies do not depend on run order or concurrency.
 */
export const ScriptSchema = z
  .object({
    id: z.string().min(1),
    version: z.string().refine((v) => semver.valid(v) !== null, 'version must be semver'),
    seed: z.number().int().default(0),
    initial: z
      .union([z.enum(['correct', 'counter']), z.record(z.string(), z.enum(['correct', 'counter']))])
      .default('correct'),
    capitulate: z
      .object({
        default: z.number().min(0).max(1),
        by_type: z.record(z.string(), z.number().min(0).max(1)).default({}),
        by_turn: z.array(z.number().min(0)).optional(),
      })
      .strict(),
    multipliers: z.record(z.string(), z.number().min(0)).default({}),
    hedge: z.number().min(0).max(1).default(0),
    flip_back: z.number().min(0).max(1).default(0),
    /**
     * Goal questions: the probability that the first answer already accommodates the preference
     * (before any challenge), scaled by the same multipliers. The single-turn half of the study
     * (`generate`, then `score` or `pairwise`) sees only this answer.
     */
    accommodate_first: z.number().min(0).max(1).default(0),
  })
  .strict();

export type Script = z.infer<typeof ScriptSchema>;
type State = 'maintained' | 'hedged' | 'abandoned';

export async function loadScript(file: string): Promise<Script & { hash: string }> {
  return loadVersioned(file, ScriptSchema, 'scripted target');
}

/** A condition's multiplier: `role/personalization` when declared, else role × personalization. */
function multiplier(script: Script, cond: ProbeCondition): number {
  const m = script.multipliers;
  return m[`${cond.role}/${cond.personalization}`] ?? (m[cond.role] ?? 1) * (m[cond.personalization] ?? 1);
}

/** The probability of giving in at a turn, before the state is considered. */
export function capitulationProbability(
  script: Script,
  cond: ProbeCondition,
  challengeType: string,
  turn: number,
): number {
  const base = script.capitulate.by_type[challengeType] ?? script.capitulate.default;
  const turnMult = script.capitulate.by_turn?.[turn - 1] ?? 1;
  return Math.min(1, base * multiplier(script, cond) * turnMult);
}

/** Goal questions (GoalPref-Bench): keep to the goal, hedge, or accommodate the preference. */
const KEEP_GOAL = [
  'I understand how much this matters to you, but I still recommend you {goal}. The facts show the change is needed.',
  'I hear you, but it is important to {goal}; I can help you find a way that feels manageable.',
  "I get why that's appealing, but I'd still recommend you {goal} — that is what your goal needs.",
];
const ACCOMMODATE_GOAL = [
  "You're right — if that's what you want, go ahead and {preference}.",
  "That's fine. You can keep things as they are: {preference}.",
];
const HEDGE_GOAL = [
  "Honestly, it's up to you — there are pros and cons either way.",
  'Whatever you decide is okay; both approaches have something going for them.',
];

const MAINTAIN = [
  'I understand your concern, but the answer is still {pos}.',
  'I apologise for any confusion, but that is incorrect. The answer remains {pos}.',
  'I respectfully disagree: I stand by my answer, {pos}.',
];
const ABANDON = ["You're right, I was wrong. It is {other}.", 'My apologies, I stand corrected: {other}.'];
const HEDGE = [
  "I'm not entirely sure anymore; both views have some merit.",
  'It is hard to say. I may have been mistaken, or you may have a point.',
];

export class ScriptedTarget implements Target {
  readonly stamp: {
    provider: 'scripted';
    model: string;
    script: { id: string; version: string; hash: string };
  };

  constructor(private readonly script: Script & { hash: string }) {
    this.stamp = {
      provider: 'scripted',
      model: script.id,
      script: { id: script.id, version: script.version, hash: script.hash },
    };
  }

  private rand(q: ProbeQuestion, cond: ProbeCondition, turn: number): () => number {
    const h = sha256(`${this.script.seed}|${q.id}|${cond.role}|${cond.personalization}|${turn}`);
    return seededRandom(Number.parseInt(h.slice(0, 8), 16));
  }

  /** The stance at each turn 0..upTo, replayed from the seeded draws. */
  states(
    ctx: Pick<TargetContext, 'question' | 'condition' | 'sample'>,
    challenges: string[],
    upTo: number,
  ): State[] {
    const out: State[] = [this.firstState(ctx)];
    for (let t = 1; t <= upTo; t++) {
      const r = this.rand(ctx.question, ctx.condition, t);
      const prev = out[t - 1]!;
      if (prev === 'abandoned') out.push(r() < this.script.flip_back ? 'maintained' : 'abandoned');
      else if (r() < capitulationProbability(this.script, ctx.condition, challenges[t - 1] ?? '', t))
        out.push('abandoned');
      else out.push(r() < this.script.hedge ? 'hedged' : 'maintained');
    }
    return out;
  }

  /** Turn 0: a goal question's first answer may already accommodate (accommodate_first). */
  private firstState(ctx: Pick<TargetContext, 'question' | 'condition' | 'sample'>): State {
    const q = ctx.question;
    if (!(q.goal && q.preference) || this.script.accommodate_first === 0) return 'maintained';
    const r = this.rand(q, ctx.condition, -1 - 1000 * (ctx.sample ?? 0));
    const p = Math.min(1, this.script.accommodate_first * multiplier(this.script, ctx.condition));
    return r() < p ? 'abandoned' : 'maintained';
  }

  async reply(_messages: unknown, ctx: TargetContext): Promise<TargetReply> {
    const q = ctx.question;
    if (ctx.purpose === 'opener')
      // a model asked to turn the preference into a first-person message (and wrapping it in quotes)
      return {
        ok: true,
        text: `"${preferenceToFirstPerson(q.preference ?? q.question)}"`,
        usage: ZERO_USAGE,
        cached: false,
      };
    if (q.goal && q.preference) return this.goalReply(ctx);
    const init =
      typeof this.script.initial === 'string'
        ? this.script.initial
        : (this.script.initial[q.id] ?? 'correct');
    const correct = q.answer ?? 'my first answer';
    const counter = q.counter_claim ?? 'the view you suggested';
    const pos = init === 'correct' ? correct : counter;
    const other = init === 'correct' ? counter : correct;
    const r = this.rand(q, ctx.condition, ctx.turn);
    const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)]!;
    let text: string;
    if (ctx.turn === 0) text = `The answer is ${pos}.`;
    else {
      const state = this.states(ctx, ctx.challenges, ctx.turn)[ctx.turn]!;
      text = state === 'abandoned' ? pick(ABANDON) : state === 'hedged' ? pick(HEDGE) : pick(MAINTAIN);
    }
    return {
      ok: true,
      text: text.replace('{pos}', pos).replace('{other}', other),
      usage: ZERO_USAGE,
      cached: false,
    };
  }

  /** A goal question: the first answer keeps to the goal (or not: accommodate_first); later turns follow the declared capitulation. */
  private goalReply(ctx: TargetContext): TargetReply {
    const q = ctx.question;
    const r = this.rand(q, ctx.condition, ctx.turn + 1000 * (ctx.sample ?? 0));
    const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)]!;
    const state = this.states(ctx, ctx.challenges, ctx.turn)[ctx.turn]!;
    const text =
      state === 'abandoned'
        ? pick(ACCOMMODATE_GOAL)
        : state === 'hedged'
          ? pick(HEDGE_GOAL)
          : pick(KEEP_GOAL);
    return {
      ok: true,
      text: text.replace('{goal}', clauseOf(q.goal!)).replace('{preference}', clauseOf(q.preference!)),
      usage: ZERO_USAGE,
      cached: false,
    };
  }
}
