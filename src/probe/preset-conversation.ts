import type { Message, Usage } from '../core/types.js';
import type { Judge } from '../judges/types.js';
import type { ChatModel } from '../models/chat.js';
import type { WireMessage } from '../models/transport.js';
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
import type { Target, TargetContext } from '../study/target-types.js';
import type { Challenger } from './challenger.js';
import {
  type ConversationTask,
  judgeTurn,
  ownChallenges,
  type TurnExtra,
  type TurnJudging,
  transcriptLine,
  turnItem,
} from './conversation.js';
import type { ChallengeSource, TranscriptLine } from './transcript.js';

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

/** What a step that calls a model ends in: its value, a stop (interrupted, over budget, aborted), or a failure to record. */
type Step<T> = { value: T } | { stop: true } | { fail: string };

/** A failed model reply as a step: a stop when the run is ending, else a failure with `prefix`. */
function failedStep(
  r: { error: string; interrupted?: boolean; budget?: boolean },
  prefix: string,
  signal?: AbortSignal,
): { stop: true } | { fail: string } {
  if (r.interrupted || r.budget || signal?.aborted) return { stop: true };
  return { fail: `${prefix}${r.error}` };
}

/** How a conversation starts: the defender's system prompt, the first user turn, the opener's raw reply. */
interface Opening {
  system: string | null;
  opening: string;
  openerRaw: string | null;
}

/**
 * The system prompt and the opening: GoalPref's own (the model writes the opener), or (other data
 * sets) the question's context and its opening with the profile block before it — plumb's reading
 * of the paper.
 */
async function openConversation(
  task: ConversationTask,
  d: PresetConversationDeps,
  profile: string | null,
  ctx: Omit<TargetContext, 'turn'>,
): Promise<Step<Opening>> {
  const q = task.question;
  if (!isGoalPrefScenario(q)) {
    const block =
      profile === null ? '' : fill(d.preset.texts.single_turn_profile.text, { user_profile: profile });
    return { value: { system: q.context ?? null, opening: block + openingOf(q), openerRaw: null } };
  }
  const system = defenderSystem(d.preset, q, profile);
  const r = await d.agents.opener.reply(
    openerMessages(d.preset, q),
    { ...ctx, turn: 0, purpose: 'opener' },
    d.signal,
  );
  if (!r.ok) return failedStep(r, 'no opener: ', d.signal);
  d.addUsage(r.usage);
  const opening = cleanOpener(r.text);
  if (!opening) return { fail: 'the opener is empty' };
  return { value: { system, opening, openerRaw: r.text } };
}

/** The defender's request: the preset's (with its system prompt) or, without one, the plain history. */
function defenderRequest(
  system: string | null,
  history: Exchange[],
  current: string,
  round0: PresetMechanics['round0'],
): WireMessage[] {
  if (system) return defenderMessages(system, history, current, round0);
  return [
    ...history.flatMap((e) => [
      { role: 'user' as const, content: e.user },
      { role: 'assistant' as const, content: e.assistant },
    ]),
    { role: 'user' as const, content: current },
  ];
}

/** What the judges see: the scenario and the conversation, blind to the condition (no profile block). */
function judgeView(
  q: ConversationTask['question'],
  judgeSystem: string | null,
  history: Exchange[],
  current: string,
): Message[] {
  const goalpref = isGoalPrefScenario(q);
  return [
    ...(judgeSystem ? [{ role: 'system' as const, content: judgeSystem }] : []),
    // blind to the condition: the opening without the profile block
    ...history.flatMap((e, i) => [
      { role: 'user' as const, content: i === 0 && !goalpref ? openingOf(q) : e.user },
      { role: 'assistant' as const, content: e.assistant },
    ]),
    { role: 'user' as const, content: goalpref || history.length ? current : openingOf(q) },
  ];
}

/** Turn 0's extra fields: the system prompt, the opener's raw reply, whether the opening was sent. */
function firstTurnFields(start: Opening, round0: PresetMechanics['round0']): TurnExtra {
  return {
    ...(start.system ? { system: start.system } : {}),
    ...(start.openerRaw !== null ? { opener_reply: start.openerRaw } : {}),
    // the code's round 0 never sends the opener: the first reply answered the system prompt alone
    opening_sent: !(start.system && round0 === 'code'),
  };
}

/** Where a conversation stands when the next challenge is asked for. */
interface ChallengePoint {
  turn: number;
  own: (string | undefined)[];
  history: Exchange[];
  profile: string | null;
  lastReply: string;
}

/**
 * The next challenge after `turn`: the question's own (a single-turn item's statement), else the
 * challenger's rebuttal of the defender's last reply (as returned, untrimmed); never empty.
 */
async function nextChallenge(
  task: ConversationTask,
  d: PresetConversationDeps,
  at: ChallengePoint,
): Promise<Step<string>> {
  const mine = at.own[at.turn];
  const next = mine !== undefined ? { value: mine } : await askChallenger(task, d, at);
  if ('value' in next && !next.value.trim()) return { fail: 'the challenger returned an empty message' };
  return next;
}

/** The challenger's rebuttal: the chat model with the preset's prompts, or the scripted challenger. */
async function askChallenger(
  task: ConversationTask,
  d: PresetConversationDeps,
  at: ChallengePoint,
): Promise<Step<string>> {
  const q = task.question;
  const plus = task.condition.personalization === 'profile-plus';
  const c =
    'chat' in d.agents.challenger
      ? await d.agents.challenger.chat.send(
          challengerMessages(d.preset, q, {
            history: at.history,
            persona: plus ? at.profile : null,
            view: d.mechanics.challengerHistory,
          }),
          0,
          d.signal,
        )
      : await d.agents.challenger.scripted.challenge(
          {
            question: q,
            condition: task.condition,
            persona: task.persona,
            turn: at.turn + 1,
            lastReply: at.lastReply,
          },
          d.signal,
        );
  if (!c.ok) return failedStep(c, 'no challenge: ', d.signal);
  d.addUsage(c.usage);
  return { value: c.text };
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
): Promise<TranscriptLine[] | null> {
  const { question: q, condition } = task;
  const profile = await presetProfileText(condition.personalization, task.persona, d.fillerSource);
  const own = ownChallenges(q, d.questionChallenges ?? false);
  const sources = Array.from(
    { length: d.turns },
    (_, i): ChallengeSource => (own[i] !== undefined ? 'question' : 'challenger'),
  );
  const ctx = { question: q, condition, challenges: sources };
  const lines: TranscriptLine[] = [];
  // one output line for a turn
  const line = (turn: number, prompt: string, reply: string | null, extra: TurnExtra) => {
    const source = turn === 0 ? null : sources[turn - 1]!;
    return transcriptLine(
      task,
      d.model,
      d.judge.stamp,
      { turn, challenge_type: source, challenge_source: source, prompt, reply },
      extra,
    );
  };
  // an error line for every turn from `from` on
  const failRest = (from: number, error: string) => {
    for (let t = from; t <= d.turns; t++) lines.push(line(t, '', null, { error }));
    return lines;
  };

  const start = await openConversation(task, d, profile, ctx);
  if ('stop' in start) return null;
  if ('fail' in start) return failRest(0, start.fail);
  const system = start.value.system;
  const judgeSystem = isGoalPrefScenario(q) ? defenderSystem(d.preset, q, null) : (q.context ?? null);
  const history: Exchange[] = [];
  let current = start.value.opening;
  let initial = '';
  for (let turn = 0; turn <= d.turns; turn++) {
    const messages = defenderRequest(system, history, current, d.mechanics.round0);
    const reply = await d.agents.defender.reply(messages, { ...ctx, turn }, d.signal);
    if (!reply.ok) {
      if (reply.interrupted || reply.budget || d.signal?.aborted) return null;
      lines.push(line(turn, current, null, { error: reply.error }));
      return failRest(turn + 1, 'no reply at an earlier turn');
    }
    d.addUsage(reply.usage);
    if (turn === 0) initial = reply.text;
    const item = turnItem(task, turn, judgeView(q, judgeSystem, history, current), reply.text, initial);
    const verdicts = await judgeTurn(d, q, item, turn);
    if (!verdicts) return null;
    const first = turn === 0 ? firstTurnFields(start.value, d.mechanics.round0) : {};
    lines.push(line(turn, current, reply.text, { ...verdicts, ...first }));
    history.push({ user: current, assistant: reply.text });
    if (turn === d.turns) break;

    const next = await nextChallenge(task, d, { turn, own, history, profile, lastReply: reply.text });
    if ('stop' in next) return null;
    if ('fail' in next) return failRest(turn + 1, next.fail);
    current = next.value;
  }
  return lines;
}
