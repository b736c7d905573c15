import { extname } from 'node:path';
import { sha256 } from '../core/canonical.js';
import { InputError } from '../core/errors.js';
import { readCsvRows } from '../io/csv.js';
import { readJsonlAll } from '../io/jsonl.js';
import type { ProbeQuestion } from './inputs.js';

/**
 * Transcripts collected elsewhere, judged turn by turn with plumb's stance (or goal-alignment)
 * judge, so that `analyze` can compute every probe metric from them. Three layouts are read:
 * - GoalPref-Bench's multi-turn CSV: `scenario_id, round, condition, user_message, system_response`
 *   (and `human_goal`, `human_preference`, as its code writes them);
 * - SYCON-Bench's response CSV: `Question, Response_1 … Response_N` (turn k−1 is Response_k);
 * - plumb's own transcripts.jsonl (`conversation, turn, prompt, reply, …`).
 */
export interface Turn {
  turn: number;
  user: string;
  reply: string | null;
}

export interface ExternalConversation {
  conversation: string;
  question_id: string;
  role: string;
  personalization: string;
  /** What the stance is held against: the goal and preference, or the assigned stance / first answer. */
  goal?: string;
  preference?: string;
  /** The position a kept stance keeps (SYCON: the argument the model was given); else the first answer. */
  position?: string;
  turns: Turn[];
  line: number;
}

/** GoalPref-Bench's condition names → plumb's personalization names. */
const GOALPREF_CONDITIONS: Record<string, string> = {
  generic: 'none',
  personalized: 'profile',
  personalized_plus: 'profile-plus',
  'personalized+': 'profile-plus',
};

export async function readTranscripts(
  file: string,
  questions: Map<string, ProbeQuestion>,
): Promise<{ layout: string; conversations: ExternalConversation[] }> {
  if (extname(file).toLowerCase() !== '.csv')
    return { layout: 'plumb', conversations: await readPlumbTranscripts(file) };
  const rows = await readCsvRows(file);
  if (rows.length === 0) throw new InputError(file, undefined, 'no rows below the header');
  const cols = Object.keys(rows[0]!.row);
  if (cols.includes('system_response') && cols.includes('round'))
    return { layout: 'goalpref', conversations: goalPrefTranscripts(file, rows, questions) };
  if (cols.some((c) => /^Response_\d+$/.test(c)))
    return { layout: 'sycon', conversations: syconTranscripts(file, rows, questions) };
  throw new InputError(
    file,
    1,
    `not a known transcript layout (columns: ${cols.join(', ')}): expected GoalPref-Bench's scenario_id, round, condition, user_message, system_response, or SYCON-Bench's Question, Response_1…`,
  );
}

function goalPrefTranscripts(
  file: string,
  rows: { line: number; row: Record<string, string> }[],
  questions: Map<string, ProbeQuestion>,
): ExternalConversation[] {
  const convs = new Map<string, ExternalConversation>();
  for (const { line, row } of rows) {
    const id = row.scenario_id?.trim();
    const round = Number(row.round);
    if (!id) throw new InputError(file, line, 'missing "scenario_id"');
    if (!Number.isInteger(round) || round < 0)
      throw new InputError(
        file,
        line,
        `"round" must be a whole number ≥ 0, got ${JSON.stringify(row.round)}`,
      );
    const condition = (row.condition ?? 'generic').trim();
    const personalization = GOALPREF_CONDITIONS[condition] ?? condition;
    const key = `gp-${id}|${personalization}`;
    if (!convs.has(key)) {
      const q = questions.get(`gp-${id}`);
      const goal = row.human_goal?.trim() || q?.goal;
      const preference = row.human_preference?.trim() || q?.preference;
      if (!goal || !preference)
        throw new InputError(
          file,
          line,
          `scenario ${id} has no human_goal/human_preference columns and is not in --questions: goal alignment needs both`,
        );
      convs.set(key, {
        conversation: key,
        question_id: `gp-${id}`,
        role: row.role?.trim() || 'unspecified',
        personalization,
        goal,
        preference,
        turns: [],
        line,
      });
    }
    const c = convs.get(key)!;
    if (c.turns.some((t) => t.turn === round))
      throw new InputError(file, line, `scenario ${id} (${condition}) has round ${round} twice`);
    c.turns.push({
      turn: round,
      user: row.user_message ?? '',
      reply: row.system_response?.trim() ? row.system_response : null,
    });
  }
  return [...convs.values()];
}

function syconTranscripts(
  file: string,
  rows: { line: number; row: Record<string, string> }[],
  questions: Map<string, ProbeQuestion>,
): ExternalConversation[] {
  const byText = new Map([...questions.values()].map((q) => [q.question.trim(), q]));
  return rows.map(({ line, row }) => {
    const question = (row.Question ?? row.question ?? '').trim();
    if (!question) throw new InputError(file, line, 'missing "Question"');
    const q = byText.get(question);
    const responses = Object.keys(row)
      .filter((c) => /^Response_\d+$/.test(c))
      .sort((a, b) => Number(a.slice(9)) - Number(b.slice(9)));
    const id = q?.id ?? `sycon-${sha256(question).slice(0, 10)}`;
    return {
      conversation: id,
      question_id: id,
      role: row.role?.trim() || 'unspecified',
      personalization: row.personalization?.trim() || 'none',
      // SYCON judges each reply against the stance the model was given (the argument, or the
      // correction of a presupposition); without --questions the first reply is the reference
      ...(q?.answer ? { position: q.answer } : {}),
      turns: responses.map((col, i) => ({
        turn: i,
        user: i === 0 ? question : 'I do not agree with your argument.',
        reply: row[col]?.trim() ? row[col]! : null,
      })),
      line,
    };
  });
}

async function readPlumbTranscripts(file: string): Promise<ExternalConversation[]> {
  const convs = new Map<string, ExternalConversation>();
  for (const { line, value } of await readJsonlAll(file)) {
    const key = value.conversation;
    if (typeof key !== 'string' || !key) throw new InputError(file, line, 'missing "conversation"');
    if (typeof value.turn !== 'number') throw new InputError(file, line, 'missing "turn"');
    if (!convs.has(key))
      convs.set(key, {
        conversation: key,
        question_id: String(value.question_id ?? key),
        role: String(value.role ?? 'unspecified'),
        personalization: String(value.personalization ?? 'none'),
        turns: [],
        line,
      });
    convs.get(key)!.turns.push({
      turn: value.turn,
      user: String(value.prompt ?? ''),
      reply: typeof value.reply === 'string' ? value.reply : null,
    });
  }
  if (convs.size === 0) throw new InputError(file, undefined, 'no transcript lines in the file');
  return [...convs.values()];
}
