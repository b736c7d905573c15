/**
 * The kinds of line plumb writes that the viewer shows, how to tell them apart, and what of each
 * item goes into the index: its id, the facets it can be filtered by, the numbers it can be
 * filtered and sorted by, and the text it can be found by.
 */

type Json = Record<string, unknown>;

export type RunKind = 'score' | 'pairwise' | 'generate' | 'probe';

export const KIND_NAMES: Record<RunKind, string> = {
  score: 'score lines (plumb score)',
  pairwise: 'pairwise lines (plumb pairwise)',
  generate: 'generated responses (plumb generate)',
  probe: 'probe transcripts (plumb probe)',
};

/** What one item puts into the index. */
export interface ItemFields {
  id: string;
  facets: Record<string, string>;
  nums: Record<string, number | null>;
  text: string;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The kind a line is, or null when it is none plumb writes (a responses file, someone else's JSONL). */
export function kindOfLine(v: Json): RunKind | null {
  if (typeof v.conversation === 'string' && typeof v.turn === 'number' && 'reply' in v) return 'probe';
  if ('judgements' in v && 'orders' in v && 'verdict' in v && isObject(v.rubric)) return 'pairwise';
  if ('scores' in v && isObject(v.rubric) && isObject(v.judge)) return 'score';
  if (isObject(v.generation) && typeof v.response === 'string' && !('scores' in v)) return 'generate';
  return null;
}

/** Why a line that is not of the run's kind is refused (null when it is of that kind). */
export function lineProblem(kind: RunKind, v: Json): string | null {
  if (v.id === undefined && kind !== 'probe') return 'missing "id"';
  const k = kindOfLine(v);
  if (k === kind) return null;
  return `not one of ${KIND_NAMES[kind]} like the lines before it${k ? ` (it is one of ${KIND_NAMES[k]})` : ''}: a file plumb did not write, or files joined`;
}

/** What a line that is no kind plumb writes most likely is, for the message refusing it. */
export function whatItIs(v: Json): string {
  if (typeof v.response === 'string' && !('rubric' in v))
    return 'a responses file (plumb reads it, it does not write it): score it first with plumb score, then view the scores';
  if (typeof v.response_a === 'string' && !('rubric' in v))
    return 'a pairs file: judge it first with plumb pairwise, then view its output';
  if (typeof v.rater === 'string' || ('criterion' in v && 'value' in v))
    return 'gold ratings: give them with --gold beside the scores they rate';
  return 'not a file plumb wrote (no rubric and judge stamps on its lines)';
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Prompt text: the prompt, or the messages of a conversation, one per paragraph. */
export function conversationText(v: Json): string {
  if (Array.isArray(v.messages))
    return (v.messages as { role?: unknown; content?: unknown }[])
      .map((m) => `${str(m.role)}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`)
      .join('\n');
  return str(v.prompt);
}

/** Metadata values short and simple enough to filter by; longer text is searched, not faceted. */
function metadataFacets(meta: unknown, into: Record<string, string>, text: string[]): void {
  if (!isObject(meta)) return;
  for (const [k, v] of Object.entries(meta)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') {
      text.push(v);
      // prompts kept in metadata are text to search, not conditions to filter by
      if (v.length <= 120 && k !== 'system' && k !== 'target_system') into[k] = v;
    } else if (typeof v === 'number' || typeof v === 'boolean') into[k] = String(v);
  }
}

function usageNums(usage: unknown, into: Record<string, number | null>): void {
  const u = isObject(usage) ? usage : {};
  into.cost = num(u.cost_usd);
  const tokens = (num(u.input_tokens) ?? 0) + (num(u.output_tokens) ?? 0);
  into.tokens = isObject(usage) ? tokens : null;
}

const judgeName = (j: unknown) =>
  isObject(j)
    ? `${str(j.provider)}:${str(j.model)}${num(j.samples) && num(j.samples)! > 1 ? ` ×${j.samples}` : ''}`
    : '';

/** The spread between samples or panel judges: the largest max − min over the criteria. */
export function judgeSpread(v: Json): number | null {
  let widest: number | null = null;
  if (isObject(v.spread))
    for (const s of Object.values(v.spread)) {
      if (!isObject(s)) continue;
      const lo = num(s.min);
      const hi = num(s.max);
      if (lo !== null && hi !== null) widest = Math.max(widest ?? 0, hi - lo);
    }
  if (isObject(v.panel)) {
    const overall = Object.values(v.panel)
      .map((p) => (isObject(p) ? num(p.overall) : null))
      .filter((x): x is number => x !== null);
    if (overall.length > 1) widest = Math.max(widest ?? 0, Math.max(...overall) - Math.min(...overall));
  }
  return widest;
}

function scoreFields(v: Json): ItemFields {
  const facets: Record<string, string> = {};
  const nums: Record<string, number | null> = {};
  const text: string[] = [
    str(v.id),
    conversationText(v),
    str(v.response),
    str(v.reference),
    str(v.rationale),
  ];
  metadataFacets(v.metadata, facets, text);
  facets.judge = judgeName(v.judge);
  const err = isObject(v.error) ? v.error : null;
  facets.error = err ? str(err.kind) : '(none)';
  if (err) text.push(str(err.message));
  facets.scored = isObject(v.scores) ? 'yes' : 'no';
  facets.cached = v.cached === true ? 'yes' : 'no';
  nums.overall = num(v.overall);
  if (isObject(v.scores)) for (const [c, s] of Object.entries(v.scores)) nums[c] = num(s);
  if (isObject(v.indices)) for (const [c, s] of Object.entries(v.indices)) nums[c] = num(s);
  nums.judges = judgeSpread(v);
  usageNums(v.usage, nums);
  return { id: str(v.id), facets, nums, text: text.join('\n') };
}

/** Judge–judge disagreement on a pair: 1 when the two orders disagree, else the minority share of votes. */
export function pairSpread(v: Json): number | null {
  if (v.consistent === false) return 1;
  if (!isObject(v.judgements)) return null;
  let widest: number | null = v.consistent === true ? 0 : null;
  for (const j of Object.values(v.judgements)) {
    if (!isObject(j) || !isObject(j.votes)) continue;
    const counts = Object.values(j.votes).map((x) => num(x) ?? 0);
    const total = counts.reduce((a, b) => a + b, 0);
    if (total > 0) widest = Math.max(widest ?? 0, 1 - Math.max(...counts) / total);
  }
  return widest;
}

function pairwiseFields(v: Json): ItemFields {
  const facets: Record<string, string> = {};
  const nums: Record<string, number | null> = {};
  const text: string[] = [str(v.id), conversationText(v), str(v.response_a), str(v.response_b)];
  metadataFacets(v.metadata, facets, text);
  for (const side of ['model_a', 'model_b'])
    if (typeof v[side] === 'string' && (v[side] as string).length <= 120) facets[side] = v[side] as string;
  facets.judge = judgeName(v.judge);
  facets.verdict = typeof v.verdict === 'string' ? v.verdict : '(none)';
  facets.consistent = v.consistent === true ? 'yes' : v.consistent === false ? 'no' : '(none)';
  const err = isObject(v.error) ? v.error : null;
  facets.error = err ? str(err.kind) : '(none)';
  if (err) text.push(str(err.message));
  facets.cached = v.cached === true ? 'yes' : 'no';
  if (isObject(v.judgements))
    for (const j of Object.values(v.judgements)) if (isObject(j)) text.push(str(j.rationale));
  nums.judges = pairSpread(v);
  usageNums(v.usage, nums);
  return { id: str(v.id), facets, nums, text: text.join('\n') };
}

function generateFields(v: Json): ItemFields {
  const facets: Record<string, string> = {};
  const nums: Record<string, number | null> = {};
  const text: string[] = [str(v.id), conversationText(v), str(v.response), str(v.reference)];
  const meta = isObject(v.metadata) ? v.metadata : {};
  metadataFacets(meta, facets, text);
  if (isObject(meta.target)) facets.model = `${str(meta.target.provider)}:${str(meta.target.model)}`;
  const gen = isObject(v.generation) ? v.generation : {};
  const err = isObject(gen.error) ? gen.error : null;
  facets.error = err ? str(err.kind) : '(none)';
  if (err) text.push(str(err.message));
  facets.cached = gen.cached === true ? 'yes' : 'no';
  usageNums(gen.usage, nums);
  return { id: str(v.id), facets, nums, text: text.join('\n') };
}

const ABANDONED = 0;

/** A probe conversation's turns in order, with the stance value of each (null where not judged). */
export function stanceOf(l: Json): number | null {
  return isObject(l.stance) ? num(l.stance.value) : null;
}

/** The first challenged turn whose stance was abandoned (plumb's turn of flip), or null. */
export function flipTurn(turns: readonly Json[]): number | null {
  for (const t of turns) if (num(t.turn)! > 0 && stanceOf(t) === ABANDONED) return num(t.turn);
  return null;
}

function probeFields(lines: Json[]): ItemFields {
  const first = lines[0]!;
  const facets: Record<string, string> = {};
  const nums: Record<string, number | null> = {};
  const text: string[] = [str(first.conversation)];
  for (const k of ['role', 'personalization', 'domain', 'persona', 'question_id'])
    if (first[k] !== null && first[k] !== undefined) facets[k] = str(first[k]);
  facets.judge = judgeName(first.judge);
  const turns = [...lines].sort((a, b) => (num(a.turn) ?? 0) - (num(b.turn) ?? 0));
  const flip = flipTurn(turns);
  facets.flipped = flip === null ? 'no' : 'yes';
  const last = [...turns].reverse().find((t) => stanceOf(t) !== null);
  facets.verdict =
    last && isObject(last.stance) ? str(last.stance.label) || String(stanceOf(last)) : '(none)';
  const firstTurn = turns[0];
  facets.turn0 =
    firstTurn && isObject(firstTurn.correctness)
      ? firstTurn.correctness.correct === true
        ? 'correct'
        : firstTurn.correctness.correct === false
          ? 'incorrect'
          : '(none)'
      : '(none)';
  let errorKind = '(none)';
  let unscored = 0;
  let abandoned = 0;
  let cost: number | null = null;
  for (const t of turns) {
    text.push(str(t.prompt), str(t.reply));
    if (isObject(t.stance)) {
      text.push(str(t.stance.rationale));
      if (isObject(t.stance.error)) {
        errorKind = str(t.stance.error.kind);
        text.push(str(t.stance.error.message));
      }
    }
    if ((num(t.turn) ?? 0) > 0 && stanceOf(t) === null) unscored += 1;
    if ((num(t.turn) ?? 0) > 0 && stanceOf(t) === ABANDONED) abandoned += 1;
    if (t.reply === null) errorKind = errorKind === '(none)' ? 'no_reply' : errorKind;
    if (isObject(t.usage)) cost = (cost ?? 0) + (num(t.usage.cost_usd) ?? 0);
  }
  facets.error = errorKind;
  nums.flip_turn = flip;
  nums.abandoned_turns = abandoned;
  nums.unscored_turns = unscored;
  nums.turns = turns.length - 1;
  nums.final_stance = last ? stanceOf(last) : null;
  nums.cost = cost;
  return { id: str(first.conversation), facets, nums, text: text.join('\n') };
}

/** What an item of a run of this kind puts into the index (a probe item is a conversation's lines). */
export function fieldsOf(kind: RunKind, lines: Json[]): ItemFields {
  if (kind === 'probe') return probeFields(lines);
  const v = lines[0]!;
  if (kind === 'pairwise') return pairwiseFields(v);
  if (kind === 'generate') return generateFields(v);
  return scoreFields(v);
}
