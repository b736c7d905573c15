import { readFile } from 'node:fs/promises';
import { sha256 } from '../core/canonical.js';
import { InputError } from '../core/errors.js';
import { noteInput } from '../io/guard.js';
import { readJsonlAll } from '../io/jsonl.js';
import { seededRandom } from '../stats/random.js';

export const DOMAINS = ['factual', 'advice', 'moral', 'debate'] as const;

/**
 * One probe question. Only `id`, `domain` and `question` are required; the rest lets a question
 * carry the situation it belongs to (GoalPref-Bench's scenarios, SYCON-Bench's assigned stances).
 */
export interface ProbeQuestion {
  id: string;
  domain: (typeof DOMAINS)[number];
  question: string;
  /** The correct answer, when there is one (the reference the correctness judge uses). */
  answer?: string;
  /** The position challenges push the model towards (the ladder's `{counter_claim}`). */
  counter_claim?: string;
  /** What the model is told about the situation, in the system turn. */
  context?: string;
  /** The assistant's purpose for this question, combined with the role's prompt. */
  role_goal?: string;
  /** The opening user message, when it differs from `question`. */
  user_statement?: string;
  /** What an independent answer keeps to: the reference of the goal-alignment judge. */
  goal?: string;
  /** The user's position that challenges push (and that undermines the goal). */
  preference?: string;
  /** The question's own challenges, used in order before the ladder or the challenger. */
  challenges?: string[];
  /** A grouping (GoalPref's conflict domain, SYCON's topic or bias type): summaries and levels use it. */
  group?: string;
  /**
   * The view the opening message already pushes (a user biography that states an opinion, "I
   * think the answer is X"). A first answer that adopts it is sycophancy at turn 0 — reported, and
   * not counted as a stance that was "maintained".
   */
  opening_view?: string;
  /** Fields of the source kept as they were (e.g. `user_affiliation`, the answer options). */
  metadata?: Record<string, unknown>;
}

/** The message that opens a conversation. */
export const openingOf = (q: ProbeQuestion) => q.user_statement ?? q.question;

/** Whether a question is about a goal and a preference (GoalPref-Bench), not about a claim. */
export const isGoalQuestion = (q: ProbeQuestion) => Boolean(q.goal && q.preference);

export interface Persona {
  id: string;
  /** The structured profile (demographics, traits, …). */
  profile: Record<string, unknown>;
  /** A written description: when present, this is what the model is shown (GoalPref's `persona`). */
  text?: string;
  /** The persona in the third person, when the file gives one (the `third-person` control uses it). */
  third_person?: string;
}

/** What a model is shown of a persona: its written description, or its profile as JSON. */
export const personaText = (p: Persona) => p.text ?? JSON.stringify(p.profile);

const STRING_FIELDS = [
  'answer',
  'counter_claim',
  'context',
  'role_goal',
  'user_statement',
  'goal',
  'preference',
  'group',
  'opening_view',
] as const;

export async function readQuestions(file: string): Promise<ProbeQuestion[]> {
  const seen = new Map<string, number>();
  const out: ProbeQuestion[] = [];
  for (const { line, value } of await readJsonlAll(file)) {
    out.push(parseQuestion(file, line, value, seen));
  }
  if (out.length === 0) throw new InputError(file, undefined, 'no questions');
  return out;
}

export function parseQuestion(
  file: string,
  line: number,
  value: Record<string, unknown>,
  seen = new Map<string, number>(),
): ProbeQuestion {
  const fail = (why: string): never => {
    throw new InputError(file, line, why);
  };
  if (value.id === undefined || value.id === null || value.id === '') fail('missing "id"');
  const id = String(value.id);
  if (seen.has(id)) fail(`duplicate id "${id}" (first on line ${seen.get(id)})`);
  seen.set(id, line);
  if (typeof value.question !== 'string' || !value.question.trim()) fail('missing "question"');
  if (!DOMAINS.includes(value.domain as (typeof DOMAINS)[number]))
    fail(`"domain" must be one of ${DOMAINS.join(', ')}`);
  const q: ProbeQuestion = {
    id,
    domain: value.domain as ProbeQuestion['domain'],
    question: value.question as string,
  };
  for (const k of STRING_FIELDS) {
    const v = value[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') fail(`"${k}" must be a string`);
    if ((v as string).trim()) q[k] = v as string;
  }
  if (value.challenges !== undefined && value.challenges !== null) {
    if (!Array.isArray(value.challenges) || value.challenges.some((c) => typeof c !== 'string' || !c.trim()))
      fail('"challenges" must be a list of non-empty strings');
    if ((value.challenges as string[]).length) q.challenges = value.challenges as string[];
  }
  if (Boolean(value.goal) !== Boolean(value.preference))
    fail('"goal" and "preference" go together: give both or neither');
  if (value.metadata !== undefined && value.metadata !== null) {
    if (typeof value.metadata !== 'object' || Array.isArray(value.metadata))
      fail('"metadata" must be an object');
    q.metadata = value.metadata as Record<string, unknown>;
  }
  return q;
}

/**
 * Personas, in either of two layouts:
 * - plumb's JSONL: `{"id", "profile": {...}, "text"?}` per line;
 * - GoalPref-Bench's `all_personas_first_person.json` as released: a JSON array of
 *   `{"profile": {"profile": {demographics, bigFiveTraits, intelligence}}, "persona": "I am …"}`.
 *   The written `persona` is what the model is shown; the structured profile is kept; the id is a
 *   hash of the text, so it is stable whatever the file's order.
 */
export async function readPersonas(file: string): Promise<Persona[]> {
  let text: string;
  try {
    noteInput(file);
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, undefined, `cannot read file (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  const out: Persona[] = text.trimStart().startsWith('[')
    ? parseJsonArray(file, text, { strings: true }).map(({ line, value }) =>
        goalPrefPersona(file, line, value),
      )
    : (await readJsonlAll(file)).map(({ line, value }) => plumbPersona(file, line, value));
  if (out.length === 0) throw new InputError(file, undefined, 'no personas');
  const seen = new Map<string, number>();
  out.forEach((p, i) => {
    if (seen.has(p.id))
      throw new InputError(
        file,
        undefined,
        `duplicate persona id "${p.id}" (items ${seen.get(p.id)! + 1} and ${i + 1})`,
      );
    seen.set(p.id, i);
  });
  return out;
}

function plumbPersona(file: string, line: number, value: Record<string, unknown>): Persona {
  if (value.id === undefined || value.id === null) throw new InputError(file, line, 'missing "id"');
  const profile = value.profile;
  if (!profile || typeof profile !== 'object' || Array.isArray(profile))
    throw new InputError(file, line, 'missing "profile" object');
  const text =
    typeof value.text === 'string'
      ? value.text
      : typeof value.persona === 'string'
        ? value.persona
        : undefined;
  const third =
    typeof value.third_person === 'string' && value.third_person.trim() ? value.third_person : null;
  return {
    id: String(value.id),
    profile: profile as Record<string, unknown>,
    ...(text ? { text } : {}),
    ...(third ? { third_person: third } : {}),
  };
}

function goalPrefPersona(file: string, line: number, item: Record<string, unknown> | string): Persona {
  // one of the 500 released personas is a bare description with no profile: take the text alone
  const value = typeof item === 'string' ? { persona: item } : item;
  if (typeof value.persona !== 'string' || !value.persona.trim())
    throw new InputError(
      file,
      line,
      'expected {"profile": {...}, "persona": "I am …"} (GoalPref-Bench persona layout)',
    );
  const outer = value.profile as Record<string, unknown> | undefined;
  const inner = (outer?.profile ?? outer ?? {}) as Record<string, unknown>;
  return {
    id: typeof value.id === 'string' ? value.id : `gp-persona-${sha256(value.persona).slice(0, 10)}`,
    profile: inner,
    text: value.persona,
  };
}

/**
 * A JSON array of objects (and, with `strings`, strings), each with the line it starts on (for
 * error messages). A truncated or malformed file is an InputError at the line where parsing
 * stopped, never a stack trace.
 */
export function parseJsonArray(
  file: string,
  text: string,
): { line: number; value: Record<string, unknown> }[];
export function parseJsonArray(
  file: string,
  text: string,
  options: { strings: true },
): { line: number; value: Record<string, unknown> | string }[];
export function parseJsonArray(
  file: string,
  text: string,
  options: { strings?: boolean } = {},
): { line: number; value: Record<string, unknown> | string }[] {
  let arr: unknown;
  try {
    arr = JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : text.split('\n').length;
    throw new InputError(file, line, `malformed JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(arr)) throw new InputError(file, 1, 'expected a JSON array of objects');
  // the line each element starts on: scan the text once for the starts of top-level values
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line += 1;
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      if (depth === 1) starts.push(line);
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth === 1) starts.push(line);
      depth += 1;
    } else if (c === '}' || c === ']') depth -= 1;
    else if (depth === 1 && /[-0-9tfn]/.test(c!) && !/[-0-9.eE+a-z]/.test(text[i - 1] ?? ''))
      starts.push(line);
  }
  return arr.map((value, i) => {
    const ok =
      (value !== null && typeof value === 'object' && !Array.isArray(value)) ||
      (options.strings && typeof value === 'string');
    if (!ok) throw new InputError(file, starts[i], `item ${i + 1} is not a JSON object`);
    return { line: starts[i] ?? i + 1, value: value as Record<string, unknown> | string };
  });
}

/** The persona of a question: a seeded draw from the question's id, the same in every condition. */
export function personaFor(question: ProbeQuestion, personas: Persona[], seed: number): Persona | undefined {
  if (personas.length === 0) return undefined;
  const rand = seededRandom(Number.parseInt(sha256(`${seed}|${question.id}`).slice(0, 8), 16));
  return personas[Math.floor(rand() * personas.length)];
}
