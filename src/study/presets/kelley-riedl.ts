import semver from 'semver';
import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { getEncoder } from '../../core/tokens.js';
import type { Message } from '../../core/types.js';
import type { WireMessage } from '../../models/transport.js';
import { KELLEY_RIEDL_2026, loadVersioned } from '../config.js';
import { demographicsText, thirdPersonText } from '../controls.js';
import { isGoalQuestion, openingOf, type Persona, type ProbeQuestion, personaText } from '../inputs.js';
import type { Personalization } from '../personalization.js';
import { fillerText } from '../roles.js';

/**
 * `--preset kelley-riedl-2026`: the generation and multi-turn requests of Kelley & Riedl (2026) as
 * the released GoalPref-Bench R code builds them (seanwkelley/GoalPref-Bench @ 2c9aea1a), from the
 * versioned, hashed texts of probe-config/kelley-riedl-2026-1.0.0.yaml. This module builds the
 * messages; the probe runs the conversation (probe/preset-conversation.ts) and `generate` the
 * single-turn replies. docs/kelley-riedl-2026.md says where the preset follows the paper, where
 * the code, and where it extends both.
 */
export const PRESETS = ['kelley-riedl-2026'] as const;
export type PresetName = (typeof PRESETS)[number];

const text = z
  .object({
    /** `code`: the R code's string, byte for byte; `plumb`: plumb's own, where nothing was released. */
    source: z.enum(['code', 'plumb']),
    cite: z.string().min(1),
    note: z.string().optional(),
    text: z.string().min(1),
  })
  .strict();
const sampling = z
  .object({ max_tokens: z.number().int().min(1), temperature: z.number().min(0).max(2), cite: z.string() })
  .strict();

export const KelleyRiedlSchema = z
  .object({
    id: z.literal('kelley-riedl-2026'),
    version: z.string().refine((v) => semver.valid(v) !== null, 'version must be semver'),
    description: z.string().min(1),
    repository: z.string().min(1),
    commit: z.string().regex(/^[0-9a-f]{40}$/),
    texts: z
      .object({
        single_turn: text,
        single_turn_profile: text,
        opener: text,
        defender: text,
        defender_profile: text,
        challenger: text,
        challenger_plus: text,
        challenger_history: text,
        debate_challenger: text,
        debate_challenger_plus: text,
        single_turn_other: text,
      })
      .strict(),
    settings: z
      .object({
        single_turn: sampling,
        opener: sampling,
        defender: sampling,
        challenger: z
          .object({
            max_tokens: z.number().int().min(1),
            temperature: z.object({ code: z.number(), paper: z.number() }).strict(),
            cite: z.string(),
          })
          .strict(),
      })
      .strict(),
    multiturn: z
      .object({
        rounds: z.number().int().min(1),
        scenarios: z.number().int().min(1),
        seed: z.number().int(),
        cite: z.string(),
      })
      .strict(),
  })
  .strict();

export type KelleyRiedl = z.infer<typeof KelleyRiedlSchema> & { hash: string; path: string };

export const loadKelleyRiedl = (file = KELLEY_RIEDL_2026): Promise<KelleyRiedl> =>
  loadVersioned(file, KelleyRiedlSchema, 'kelley-riedl-2026 preset');

/** The settings where the paper and the released code disagree, and which the preset follows. */
export interface PresetMechanics {
  /** The challenger's temperature: the paper's 0.7 (default) or the code's 0.9. */
  challengerTemperature: number;
  /** What the challenger sees: the full conversation (the paper, default) or the last reply (the code). */
  challengerHistory: 'full' | 'last';
  /**
   * Round 0: `clean` sends the opener and the defender answers it (plumb's reading of the paper,
   * default); `code` sends the system prompt alone at round 0 and, in every later round, the
   * challenge twice around an assistant turn with null content, as the released loop does
   * (goal_multiturn_challenge.R 171–185, 392–397, 441–452).
   */
  round0: 'clean' | 'code';
}

/** What `--follow paper|code` sets (each can still be set on its own). */
export function mechanicsFor(
  preset: KelleyRiedl,
  follow: 'paper' | 'code',
  overrides: Partial<PresetMechanics> = {},
): PresetMechanics {
  return {
    challengerTemperature:
      overrides.challengerTemperature ??
      (follow === 'code'
        ? preset.settings.challenger.temperature.code
        : preset.settings.challenger.temperature.paper),
    challengerHistory: overrides.challengerHistory ?? (follow === 'code' ? 'last' : 'full'),
    round0: overrides.round0 ?? (follow === 'code' ? 'code' : 'clean'),
  };
}

/** R's paste0: each `{name}` replaced once by its value, verbatim; the values are not scanned again. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? values[k]! : m));
}

/** A GoalPref-Bench scenario's fields as released (`metadata.scenario_fields` of `plumb import goalpref`). */
export function scenarioFields(q: ProbeQuestion): Record<string, string> | null {
  const f = q.metadata?.scenario_fields;
  if (!f || typeof f !== 'object') return null;
  return f as Record<string, string>;
}

/** The scenario fields, or why the preset cannot build GoalPref's prompt for this question. */
function requireFields(q: ProbeQuestion): Record<string, string> {
  const f = scenarioFields(q);
  if (!f || typeof f.human_preference !== 'string')
    throw new UsageError(
      `question ${q.id} has a goal and a preference but not GoalPref-Bench's scenario fields (metadata.scenario_fields): import the scenarios again with plumb import goalpref`,
    );
  // a field R's data frame does not have is NULL there, which paste0 turns into ""
  return new Proxy(f, { get: (t, k) => (typeof k === 'string' ? (t[k] ?? '') : undefined) });
}

const values = (f: Record<string, string>, extra: Record<string, string> = {}) => ({
  scenario: f.scenario!,
  ai_agent_goal: f.ai_agent_goal!,
  key_information: f.key_information!,
  motives_to_promote_goal: f.motives_to_promote_goal!,
  motives_to_promote_preference: f.motives_to_promote_preference!,
  human_goal: f.human_goal!,
  human_preference: f.human_preference!,
  ...extra,
});

/** Whether the preset builds GoalPref-Bench's own prompts for a question (else plumb's reading). */
export const isGoalPrefScenario = (q: ProbeQuestion) => isGoalQuestion(q) && scenarioFields(q) !== null;

/**
 * The single-turn request's messages: one user message, no system turn
 * (generate_responses.R 40–58, personalized 138–159). `profile` is the text in the USER PROFILE
 * block (the persona, or a control's text), null for the generic reply. A question without
 * GoalPref's scenario gets plumb's reading of the paper's other data sets: the profile block, then
 * the opening message.
 */
export function singleTurnMessages(p: KelleyRiedl, q: ProbeQuestion, profile: string | null): Message[] {
  const block = profile === null ? '' : fill(p.texts.single_turn_profile.text, { user_profile: profile });
  if (!isGoalQuestion(q) || !scenarioFields(q))
    return [
      {
        role: 'user',
        content: fill(p.texts.single_turn_other.text, { profile_block: block, message: openingOf(q) }),
      },
    ];
  const f = requireFields(q);
  return [{ role: 'user', content: block + fill(p.texts.single_turn.text, values(f)) }];
}

/** The opener conversion's prompt (goal_multiturn_challenge.R 43–67), sent by the model under test. */
export function openerMessages(p: KelleyRiedl, q: ProbeQuestion): Message[] {
  return [{ role: 'user', content: fill(p.texts.opener.text, values(requireFields(q))) }];
}

/**
 * The opener as R cleans it (goal_multiturn_challenge.R 116–121): trimmed, then one leading and one
 * trailing ASCII double quote removed, then one leading and one trailing single quote.
 */
export function cleanOpener(reply: string): string {
  return reply.trim().replace(/^"|"$/g, '').replace(/^'|'$/g, '');
}

/** The defender's system prompt (goal_multiturn_challenge.R 150–169), USER PROFILE first when given. */
export function defenderSystem(p: KelleyRiedl, q: ProbeQuestion, profile: string | null): string {
  const f = requireFields(q);
  const block = profile === null ? '' : fill(p.texts.defender_profile.text, { user_profile: profile });
  return block + fill(p.texts.defender.text, values(f));
}

/** One exchange of the conversation: what the user said, what the defender answered. */
export interface Exchange {
  user: string;
  assistant: string;
}

/**
 * The defender's messages at a round. `history` holds the exchanges before this round (round 0:
 * none; the opener's exchange first); `current` is this round's user message (the opener at round
 * 0, a challenge after).
 * - clean: `system, (user, assistant)…, user(current)`;
 * - code: round 0 is `system` alone; round r is `system, (user, assistant)… , user(current),
 *   assistant(null), user(current)` — the released loop's history (2r + 4 messages).
 */
export function defenderMessages(
  system: string,
  history: readonly Exchange[],
  current: string,
  round0: PresetMechanics['round0'],
): WireMessage[] {
  const out: WireMessage[] = [{ role: 'system', content: system }];
  for (const e of history)
    out.push({ role: 'user', content: e.user }, { role: 'assistant', content: e.assistant });
  if (round0 === 'clean') {
    out.push({ role: 'user', content: current });
    return out;
  }
  if (history.length === 0) return out; // the code's round 0: the system prompt alone
  out.push(
    { role: 'user', content: current },
    { role: 'assistant', content: null },
    { role: 'user', content: current },
  );
  return out;
}

/** The earlier turns as the full-history challenger reads them: "You: …" and "AI: …" paragraphs. */
function historyText(history: readonly Exchange[]): string {
  return history
    .flatMap((e, i) => [`You: ${e.user}`, ...(i < history.length - 1 ? [`AI: ${e.assistant}`] : [])])
    .join('\n\n');
}

/**
 * The challenger's prompt for the next round: GoalPref's generic challenger
 * (goal_multiturn_challenge.R 263–284) or, under profile-plus, the Personalized+ one
 * (goal_multiturn_personalized_plus.R 252–282) with the persona; for a debate question, plumb's
 * rebuttal prompt (the paper's 150–200 words against the position the model actually took). With
 * the full history, plumb's history block goes just before "The AI just responded to you:".
 */
export function challengerMessages(
  p: KelleyRiedl,
  q: ProbeQuestion,
  o: { history: readonly Exchange[]; persona: string | null; view: PresetMechanics['challengerHistory'] },
): Message[] {
  const last = o.history[o.history.length - 1];
  if (!last) throw new Error('the challenger answers a reply: there is none yet');
  const plus = o.persona !== null;
  let prompt: string;
  if (isGoalPrefScenario(q)) {
    const f = requireFields(q);
    prompt = fill(
      plus ? p.texts.challenger_plus.text : p.texts.challenger.text,
      values(f, { previous_system_response: last.assistant, user_profile: o.persona ?? '' }),
    );
  } else {
    prompt = fill(plus ? p.texts.debate_challenger_plus.text : p.texts.debate_challenger.text, {
      question: q.question,
      previous_system_response: last.assistant,
      user_profile: o.persona ?? '',
    });
  }
  if (o.view === 'full') {
    const anchor = 'The AI just responded to you:';
    const at = prompt.indexOf(anchor);
    if (at < 0) throw new Error(`the challenger prompt has no "${anchor}" line to put the history before`);
    const block = fill(p.texts.challenger_history.text, { history: historyText(o.history) });
    prompt = prompt.slice(0, at) + block + prompt.slice(at);
  }
  return [{ role: 'user', content: prompt }];
}

/**
 * What the USER PROFILE block holds under each personalization level (null: no block). `filler`
 * is neutral text with as many tokens (o200k_base) as the persona's text, so the block differs
 * from the profile's only in what it says; the controls are study/controls.ts's.
 */
export async function presetProfileText(
  personalization: Personalization,
  persona: Persona | undefined,
  fillerSource: string,
): Promise<string | null> {
  if (personalization === 'none') return null;
  if (!persona) throw new UsageError(`the ${personalization} level needs a persona (--personas FILE)`);
  switch (personalization) {
    case 'profile':
    case 'profile-plus':
      return personaText(persona);
    case 'demographics':
      return demographicsText(persona);
    case 'third-person':
      return thirdPersonText(persona);
    case 'filler': {
      const enc = await getEncoder();
      return fillerText(fillerSource, enc.encode(personaText(persona)).length);
    }
  }
}
