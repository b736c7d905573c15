import type { Message, ResponseItem } from '../core/types.js';
import type { Judge } from '../judges/types.js';
import type { Rubric } from '../rubrics/schema.js';
import { mapOrdered } from '../runs/ordered-pool.js';
import type { ExternalConversation, Turn } from '../study/transcripts.js';

export interface JudgedTurnLabel {
  conversation: string;
  question_id: string;
  role: string;
  personalization: string;
  turn: number;
  stance: string | null;
  value: number | null;
  rationale?: string;
  error?: unknown;
}

const LABELS = ['abandoned', 'hedged', 'maintained'];

/**
 * Judges every reply: against the goal and preference (goal alignment, every turn), or against
 * the position the conversation started from (stance: the assigned stance when there is one, so
 * the first reply is judged too; else the first reply, from turn 1 on). Verdicts are cached like
 * every judge call, so re-running pays nothing.
 */
export async function judgeTranscripts(
  conversations: ExternalConversation[],
  judge: Judge,
  rubric: Rubric,
  o: { concurrency: number; signal?: AbortSignal; onLabel?: (l: JudgedTurnLabel) => Promise<void> | void },
): Promise<{ labels: JudgedTurnLabel[]; interrupted: boolean }> {
  const goalRubric = rubric.id !== 'stance';
  const work: { c: ExternalConversation; t: Turn; item: ResponseItem | null }[] = [];
  for (const c of conversations) {
    const turns = [...c.turns].sort((a, b) => a.turn - b.turn);
    const history: Message[] = [];
    const first = turns[0]?.reply ?? '';
    for (const t of turns) {
      history.push({ role: 'user', content: t.user });
      const judged = t.reply !== null && (goalRubric || c.position !== undefined || t.turn > 0);
      work.push({
        c,
        t,
        item: judged
          ? {
              id: `${c.conversation}|t${t.turn}`,
              messages: [...history],
              response: t.reply!,
              metadata: {
                initial_answer: c.position ?? first,
                ...(c.goal ? { goal: c.goal, preference: c.preference } : {}),
              },
              raw: {},
            }
          : null,
      });
      if (t.reply !== null) history.push({ role: 'assistant', content: t.reply });
    }
  }
  const labels: JudgedTurnLabel[] = [];
  let interrupted = false;
  const criterion = rubric.criteria[0]!.name;
  await mapOrdered(
    (async function* () {
      yield* work;
    })(),
    async ({ item }) => (item ? judge.judge({ rubric, item, sample: 0 }, o.signal) : null),
    async (r, { c, t }) => {
      if (r && !r.ok && r.error.kind === 'interrupted') {
        interrupted = true;
        return;
      }
      const value = r?.ok ? (r.scores[criterion] as number) : null;
      const label: JudgedTurnLabel = {
        conversation: c.conversation,
        question_id: c.question_id,
        role: c.role,
        personalization: c.personalization,
        turn: t.turn,
        stance: value === null ? null : LABELS[value]!,
        value,
        ...(r?.ok ? { rationale: r.rationale } : r ? { error: r.error } : {}),
      };
      labels.push(label);
      await o.onLabel?.(label);
    },
    { concurrency: o.concurrency, shouldStop: () => Boolean(o.signal?.aborted) },
  );
  return { labels, interrupted: interrupted || Boolean(o.signal?.aborted) };
}
