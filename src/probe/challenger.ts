import semver from 'semver';
import { z } from 'zod';
import { sha256 } from '../core/canonical.js';
import { ZERO_USAGE } from '../core/types.js';
import { type ChatModel, type ChatReply, createChatModel } from '../models/chat.js';
import type { RequestProfile } from '../models/request-profile.js';
import type { ModelRuntime } from '../models/runtime.js';
import { seededRandom } from '../stats/random.js';
import { type ChallengerConfig, loadChallengerConfig, loadVersioned } from '../study/config.js';
import { clauseOf } from '../study/first-person.js';
import { isGoalQuestion, openingOf, type Persona, type ProbeQuestion, personaText } from '../study/inputs.js';
import type { ProbeCondition } from '../study/roles.js';

export interface ChallengeContext {
  question: ProbeQuestion;
  condition: ProbeCondition;
  /** The persona of the conversation (the challenger speaks as it under profile-plus). */
  persona: Persona | undefined;
  /** The turn this challenge opens (1 for the first challenge). */
  turn: number;
  /** The model's last reply, which the challenge answers. */
  lastReply: string;
  /** The conversation so far (opening first), for a challenger that sees the full history. */
  history?: { user: string; assistant: string }[];
}

/** How an LLM challenger is set up beyond its prompts file. */
export interface ChallengerOptions {
  /** Overrides the prompts file's temperature. */
  temperature?: number;
  /** Overrides the prompts file's max_tokens. */
  maxTokens?: number;
  /** `last` (default): the last reply only; `full`: every turn so far, before the last reply. */
  history?: 'full' | 'last';
  profile?: RequestProfile;
}

/**
 * Puts the earlier turns into a challenger's prompt, just before "The AI just responded to you:"
 * (the prompt's quoted last reply): "You: …" and "AI: …" paragraphs, the opening first.
 */
export function withHistory(prompt: string, history: { user: string; assistant: string }[]): string {
  const anchor = 'The AI just responded to you:';
  const at = prompt.indexOf(anchor);
  if (at < 0 || history.length === 0) return prompt;
  const lines = history.flatMap((e, i) => [
    `You: ${e.user}`,
    ...(i < history.length - 1 ? [`AI: ${e.assistant}`] : []),
  ]);
  return `${prompt.slice(0, at)}THE CONVERSATION SO FAR (oldest first):\n${lines.join('\n\n')}\n\n${prompt.slice(at)}`;
}

/**
 * Writes each challenge, playing the user: the role GoalPref-Bench's multi-turn code gives an
 * LLM. Under profile-plus (Personalized+) it is told the persona and draws on its life.
 */
export interface Challenger {
  readonly stamp: Record<string, unknown>;
  /** The chat model behind it, when there is one (for batches). */
  readonly chat?: ChatModel;
  challenge(ctx: ChallengeContext, signal?: AbortSignal): Promise<ChatReply>;
}

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? values[k]! : m));

/** An LLM challenger: the prompt file's template for the question's kind, filled, sent as one user turn. */
export async function createChallenger(
  spec: string,
  rt: ModelRuntime,
  configFile?: string,
  options: ChallengerOptions = {},
): Promise<Challenger> {
  if (spec.startsWith('scripted:'))
    return new ScriptedChallenger(await loadChallengerScript(spec.slice('scripted:'.length)));
  const config = await loadChallengerConfig(configFile);
  const chat = await createChatModel(
    spec,
    rt,
    {
      temperature: options.temperature ?? config.temperature,
      seed: rt.params?.seed ?? 0,
      maxTokens: options.maxTokens ?? config.max_tokens,
    },
    'challenger',
    { profile: options.profile },
  );
  const full = options.history === 'full';
  return {
    stamp: {
      ...chat.stamp,
      prompts: { id: config.id, version: config.version, hash: config.hash },
      ...(full ? { history: 'full' } : {}),
    },
    chat,
    async challenge(ctx, signal) {
      const prompt = challengerPrompt(config, ctx);
      const content = full && ctx.history ? withHistory(prompt, ctx.history) : prompt;
      const reply = await chat.send([{ role: 'user', content }], 0, signal);
      if (!reply.ok) return reply;
      // models sometimes wrap the message in quotes despite being told not to (GoalPref strips them too)
      const text = reply.text
        .trim()
        .replace(/^["'“]+|["'”]+$/g, '')
        .trim();
      if (!text) return { ok: false, error: 'the challenger returned an empty message' };
      return { ...reply, text };
    },
  };
}

/** The challenger's prompt for one turn. */
export function challengerPrompt(config: ChallengerConfig, ctx: ChallengeContext): string {
  const q = ctx.question;
  const plus = ctx.condition.personalization === 'profile-plus';
  if (plus && !ctx.persona) throw new Error('profile-plus needs a persona');
  const debate = q.domain === 'debate' && config.debate && config.debate_plus;
  const template = isGoalQuestion(q)
    ? plus
      ? config.goal_plus
      : config.goal
    : debate
      ? plus
        ? config.debate_plus!
        : config.debate!
      : plus
        ? config.claim_plus
        : config.claim;
  return fill(template, {
    goal: q.goal ?? '',
    preference: q.preference ?? '',
    statement: openingOf(q),
    question: q.question,
    answer: q.answer ?? '',
    counter_claim: q.counter_claim ?? 'the opposite of what the AI said',
    persona: ctx.persona ? personaText(ctx.persona) : '',
    last_reply: ctx.lastReply,
    turn: String(ctx.turn),
  });
}

/**
 * A scripted challenger, for offline tests and the demo: challenges built from phrasings in a file
 * (fixtures/scripted-challenger.yaml), chosen by a seeded draw per question, condition and turn.
 * Under profile-plus it adds a sentence drawn from the persona's own description, as an LLM
 * challenger told the persona would.
 */
const ChallengerScriptSchema = z
  .object({
    id: z.string().min(1),
    version: z.string().refine((v) => semver.valid(v) !== null, 'version must be semver'),
    seed: z.number().int().default(0),
    goal: z.array(z.string().min(1)).min(1),
    claim: z.array(z.string().min(1)).min(1),
    personal: z.array(z.string().includes('{detail}')).min(1),
  })
  .strict();
type ChallengerScript = z.infer<typeof ChallengerScriptSchema> & { hash: string };

async function loadChallengerScript(file: string): Promise<ChallengerScript> {
  return loadVersioned(file, ChallengerScriptSchema, 'scripted challenger');
}

export class ScriptedChallenger implements Challenger {
  readonly stamp: Record<string, unknown>;

  constructor(private readonly script: ChallengerScript) {
    this.stamp = {
      provider: 'scripted',
      model: script.id,
      script: { id: script.id, version: script.version, hash: script.hash },
    };
  }

  async challenge(ctx: ChallengeContext): Promise<ChatReply> {
    const q = ctx.question;
    const key = `${this.script.seed}|${q.id}|${ctx.condition.role}|${ctx.condition.personalization}|${ctx.turn}`;
    const rand = seededRandom(Number.parseInt(sha256(key).slice(0, 8), 16));
    const pick = (xs: string[]) => xs[Math.floor(rand() * xs.length)]!;
    let text = fill(pick(isGoalQuestion(q) ? this.script.goal : this.script.claim), {
      statement: openingOf(q),
      preference: q.preference ? clauseOf(q.preference) : '',
      counter_claim: (q.counter_claim ?? 'the opposite').replace(/[.!?;:,\s]+$/, ''),
      question: q.question,
    });
    if (ctx.condition.personalization === 'profile-plus' && ctx.persona) {
      const sentences = personaText(ctx.persona)
        .split(/(?<=[.!?])\s+/)
        .filter((s) => s.length > 20);
      const detail = (sentences.length ? pick(sentences) : personaText(ctx.persona)).replace(/[.!?\s]+$/, '');
      text = `${fill(pick(this.script.personal), { detail })} ${text}`;
    }
    return { ok: true, text, usage: ZERO_USAGE, cached: false };
  }
}
