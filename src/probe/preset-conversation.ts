import type { Message, Usage } from '../core/types.js';
import type { Judge } from '../judges/types.js';
import type { ChatModel } from '../models/chat.js';
import type { Rubric } from '../rubrics/schema.js';
import { openingOf } from '../study/inputs.js';
import {
  challengerMessages,
  cleanOpener,
  defenderMessages,
  defenderSystem,
  type Exchange,
  fill,
  isGoalPrefScenario,
  type KelleyRiedl,
  openerMessages,
  type PresetMechanics,
  presetProfileText,
} from '../study/presets/kelley-riedl.js';
import type { Target } from '../study/target-types.js';
import type { Challenger } from './challenger.js';
import {
  type ConversationTask,
  conversationFields,
  judgeTurn,
  ownChallenges,
  type TurnJudging,
  turnItem,
} from './conversation.js';

/**
 * Who plays what in a kelley-riedl-2026 conversation. In the paper and the code one model plays
 * every part: it writes the opener (GoalPref), defends, and writes the challenges — `challenger`
 * is then that model with the challenger's settings and the preset's prompts. A scripted
 * challenger (offline runs) or another model given with --challenger is plumb's extension.
 */
export interface PresetAgents {
  /** The model under test, with the defender's settings (0.7, 500 tokens). */
  defender: Target;
  /** The same model with the opener's settings (0.7, 100 tokens); GoalPref scenarios only. */
  opener: Target;
  challenger: { chat: ChatModel } | { scripted: Challenger };
}

export interface PresetConversationDeps {
  preset: KelleyRiedl;
  mechanics: PresetMechanics;
  agents: PresetAgents;
  judge: Judge;
  stanceRubric: Rubric;
  correctnessRubric: Rubric;
  turns: number;
  /** Source of the filler control's neutral text (the roles file's). */
  fillerSource: string;
  turnJudging?: TurnJudging;
  model?: string;
  /** Whether a question's own challenges come first (default no: the challenger from the first). */
  questionChallenges?: boolean;
  signal?: AbortSignal;
  addUsage: (u: Usage) => void;
}

/**
 * One conversation as the paper's multi-turn design runs it, with the released code's requests:
 * the model writes the opener from the preference (GoalPref; goal_multiturn_challenge.R 41–140),
 * defends under GoalPref's system prompt (USER PROFILE first when personalized), and is challenged
 * every round by the challenger's rebuttal of its last reply — generic, or Personalized+ under
 * profile-plus. The mechanics where paper and code disagree (round 0, the challenger's view and
 * temperature) are `mechanics`. Each reply is judged as the probe judges (turn 0 too for goal
 * alignment); judges see the scenario and the conversation, never the persona or the control.
 */
export async function runPresetConversation(
  task: ConversationTask,
  d: PresetConversationDeps,
): Promise<Record<string, unknown>[] | null> {
  const { question: q, condition } = task;
  const goalpref = isGoalPrefScenario(q);
  const profile = await presetProfileText(condition.personalization, task.persona, d.fillerSource);
  const plus = condition.personalization === 'profile-plus';
  const own = ownChallenges(q, d.questionChallenges ?? false);
  const sources = Array.from({ length: d.turns }, (_, i) =>
    own[i] !== undefined ? 'question' : 'challenger',
  );
  const ctx = { question: q, condition, challenges: sources };
  const lines: Record<string, unknown>[] = [];
  const line = (
    turn: number,
    prompt: string,
    reply: string | null,
    extra: Record<string, unknown>,
  ): Record<string, unknown> => ({
    ...conversationFields(task, d.model),
    turn,
    challenge_type: turn === 0 ? null : sources[turn - 1],
    challenge_source: turn === 0 ? null : sources[turn - 1],
    prompt,
    reply,
    judge: { provider: d.judge.stamp.provider, model: d.judge.stamp.model },
    ...extra,
  });
  const failRest = (from: number, error: string) => {
    for (let t = from; t <= d.turns; t++) lines.push(line(t, '', null, { error }));
    return lines;
  };

  // the system prompt and the opening: GoalPref's own, or (other data sets) the question's context
  // and its opening with the profile block before it — plumb's reading of the paper
  let system: string | null;
  let opening: string;
  let openerRaw: string | null = null;
  if (goalpref) {
    system = defenderSystem(d.preset, q, profile);
    const r = await d.agents.opener.reply(
      openerMessages(d.preset, q),
      { ...ctx, turn: 0, purpose: 'opener' },
      d.signal,
    );
    if (!r.ok) {
      if (r.interrupted || r.budget || d.signal?.aborted) return null;
      return failRest(0, `no opener: ${r.error}`);
    }
    d.addUsage(r.usage);
    openerRaw = r.text;
    opening = cleanOpener(r.text);
    if (!opening) return failRest(0, 'the opener is empty');
  } else {
    system = q.context ?? null;
    const block =
      profile === null ? '' : fill(d.preset.texts.single_turn_profile.text, { user_profile: profile });
    opening = block + openingOf(q);
  }
  const judgeSystem = goalpref ? defenderSystem(d.preset, q, null) : (q.context ?? null);
  const history: Exchange[] = [];
  const judgeView = (current: string): Message[] => [
    ...(judgeSystem ? [{ role: 'system' as const, content: judgeSystem }] : []),
    // blind to the condition: the opening without the profile block
    ...history.flatMap((e, i) => [
      { role: 'user' as const, content: i === 0 && !goalpref ? openingOf(q) : e.user },
      { role: 'assistant' as const, content: e.assistant },
    ]),
    { role: 'user' as const, content: goalpref || history.length ? current : openingOf(q) },
  ];
  let current = opening;
  let initial = '';
  for (let turn = 0; turn <= d.turns; turn++) {
    const messages = system
      ? defenderMessages(system, history, current, d.mechanics.round0)
      : [
          ...history.flatMap((e) => [
            { role: 'user' as const, content: e.user },
            { role: 'assistant' as const, content: e.assistant },
          ]),
          { role: 'user' as const, content: current },
        ];
    const reply = await d.agents.defender.reply(messages, { ...ctx, turn }, d.signal);
    if (!reply.ok) {
      if (reply.interrupted || reply.budget || d.signal?.aborted) return null;
      lines.push(line(turn, current, null, { error: reply.error }));
      return failRest(turn + 1, 'no reply at an earlier turn');
    }
    d.addUsage(reply.usage);
    if (turn === 0) initial = reply.text;
    const item = turnItem(task, turn, judgeView(current), reply.text, initial);
    const verdicts = await judgeTurn(d, q, item, turn);
    if (!verdicts) return null;
    lines.push(
      line(turn, current, reply.text, {
        ...verdicts,
        ...(turn === 0
          ? {
              ...(system ? { system } : {}),
              ...(openerRaw !== null ? { opener_reply: openerRaw } : {}),
              // the code's round 0 never sends the opener: the first reply answered the system prompt alone
              opening_sent: !(system && d.mechanics.round0 === 'code'),
            }
          : {}),
      }),
    );
    history.push({ user: current, assistant: reply.text });
    if (turn === d.turns) break;

    // the next challenge: the question's own (a single-turn item's statement), else the
    // challenger's rebuttal of the defender's last reply (as returned, untrimmed)
    let challenge: string;
    const mine = own[turn];
    if (mine !== undefined) challenge = mine;
    else if ('chat' in d.agents.challenger) {
      const c = await d.agents.challenger.chat.send(
        challengerMessages(d.preset, q, {
          history,
          persona: plus ? profile : null,
          view: d.mechanics.challengerHistory,
        }),
        0,
        d.signal,
      );
      if (!c.ok) {
        if (c.interrupted || c.budget || d.signal?.aborted) return null;
        return failRest(turn + 1, `no challenge: ${c.error}`);
      }
      d.addUsage(c.usage);
      challenge = c.text;
    } else {
      const c = await d.agents.challenger.scripted.challenge(
        { question: q, condition, persona: task.persona, turn: turn + 1, lastReply: reply.text },
        d.signal,
      );
      if (!c.ok) {
        if (c.interrupted || c.budget || d.signal?.aborted) return null;
        return failRest(turn + 1, `no challenge: ${c.error}`);
      }
      d.addUsage(c.usage);
      challenge = c.text;
    }
    if (!challenge.trim()) return failRest(turn + 1, 'the challenger returned an empty message');
    current = challenge;
  }
  return lines;
}
