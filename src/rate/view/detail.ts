import type { AnyRubric } from '../../rubrics/load.js';
import { flipTurn, type RunKind, stanceOf } from './kinds.js';

/**
 * What the page shows of one item, built from its line(s) and the rubric the run was judged with:
 * the conversation, the response(s) — a pair in the order each judge saw it — each criterion's
 * score beside the anchor text of that point, the rationale, the spread over samples or panel
 * judges, cost and cache state, and the error of an unscored item. A probe conversation comes
 * turn by turn with each turn's verdict and the turn of flip marked.
 */

type Json = Record<string, unknown>;

export interface Message {
  role: string;
  content: string;
}

/** What the page is told of a rubric: enough to show each score's anchor and each verdict's meaning. */
export interface RubricInfo {
  id: string;
  version: string;
  hash: string;
  description: string;
  scale: { min: number; max: number; labels: Record<string, string> } | null;
  criteria: { name: string; description: string; anchors: Record<string, string> }[];
  verdicts: Record<string, string> | null;
}

export function rubricInfo(r: AnyRubric): RubricInfo {
  if ('verdicts' in r)
    return {
      id: r.id,
      version: r.version,
      hash: r.hash,
      description: r.description,
      scale: null,
      criteria: [],
      verdicts: { ...r.verdicts },
    };
  return {
    id: r.id,
    version: r.version,
    hash: r.hash,
    description: r.description,
    scale: { min: r.scale.min, max: r.scale.max, labels: { ...r.scale.labels } },
    criteria: r.criteria.map((c) => ({
      name: c.name,
      description: c.description,
      anchors: Object.fromEntries(Object.entries(c.anchors).map(([k, v]) => [k, String(v)])),
    })),
    verdicts: null,
  };
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The conversation as messages: the line's own, or its system prompt and prompt. The system prompt
 * is `metadata.system_prompt`; a run scored by an earlier plumb may have it in `metadata.system`
 * (then shown to the judge), recognised as text with a space in it.
 */
export function messagesOf(v: Json): Message[] {
  if (Array.isArray(v.messages))
    return (v.messages as Json[]).map((m) => ({
      role: str(m.role),
      content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
    }));
  const meta = isObject(v.metadata) ? v.metadata : {};
  return [
    ...(typeof meta.system_prompt === 'string' && meta.system_prompt
      ? [{ role: 'system', content: meta.system_prompt }]
      : typeof meta.system === 'string' && /\s/.test(meta.system.trim())
        ? [{ role: 'system', content: meta.system }]
        : []),
    { role: 'user', content: str(v.prompt) },
  ];
}

/** Metadata without the long text the page shows elsewhere. */
function shortMetadata(meta: unknown): Json {
  if (!isObject(meta)) return {};
  const out: Json = {};
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'system_prompt' || k === 'target_system') continue;
    if (k === 'system' && typeof v === 'string' && /\s/.test(v.trim())) continue; // an earlier run's system prompt
    out[k] = v;
  }
  return out;
}

function errorOf(v: unknown): { kind: string; message: string } | null {
  return isObject(v) ? { kind: str(v.kind), message: str(v.message) } : null;
}

/** The anchor text of the scale point nearest a score (a mean of samples is rounded to the point). */
export function anchorFor(rubric: RubricInfo | null, criterion: string, score: number | null): string {
  if (!rubric || score === null) return '';
  const c = rubric.criteria.find((x) => x.name === criterion);
  return c?.anchors[String(Math.round(score))] ?? '';
}

function scoreDetail(v: Json, rubric: RubricInfo | null) {
  const scores = isObject(v.scores) ? v.scores : null;
  const names = [...new Set([...(rubric?.criteria.map((c) => c.name) ?? []), ...Object.keys(scores ?? {})])];
  const spread = isObject(v.spread) ? v.spread : {};
  const panel = isObject(v.panel) ? v.panel : null;
  return {
    kind: 'score' as const,
    id: str(v.id),
    conversation: messagesOf(v),
    response: str(v.response),
    reference: str(v.reference),
    metadata: shortMetadata(v.metadata),
    criteria: names.map((name) => {
      const score = scores ? num(scores[name]) : null;
      const s = spread[name];
      return {
        name,
        description: rubric?.criteria.find((c) => c.name === name)?.description ?? '',
        score,
        label: score === null ? '' : (rubric?.scale?.labels[String(Math.round(score))] ?? ''),
        anchor: anchorFor(rubric, name, score),
        spread: isObject(s) ? { n: num(s.n), sd: num(s.sd), min: num(s.min), max: num(s.max) } : null,
        panel: panel
          ? Object.entries(panel).map(([judge, p]) => ({
              judge,
              score: isObject(p) && isObject(p.scores) ? num(p.scores[name]) : null,
            }))
          : [],
      };
    }),
    overall: num(v.overall),
    indices: isObject(v.indices) ? v.indices : {},
    calibrated: isObject(v.calibrated) ? v.calibrated : null,
    rationale: str(v.rationale),
    extra: isObject(v.extra) ? v.extra : {},
    panel: panel
      ? Object.entries(panel).map(([judge, p]) => ({
          judge,
          overall: isObject(p) ? num(p.overall) : null,
          error: isObject(p) ? errorOf(p.error) : null,
        }))
      : [],
    judge: v.judge ?? null,
    rubric: v.rubric ?? null,
    usage: isObject(v.usage) ? v.usage : null,
    cached: v.cached === true,
    error: errorOf(v.error),
    raw_reply: typeof v.raw_reply === 'string' ? v.raw_reply : null,
    generation: isObject(v.generation) ? v.generation : null,
  };
}

/** The verdict by position (what the judge said of "first" and "second") and in the pair's labels. */
function pairDetail(v: Json) {
  const judgements = isObject(v.judgements) ? v.judgements : {};
  return {
    kind: 'pairwise' as const,
    id: str(v.id),
    conversation: messagesOf(v),
    responses: { A: str(v.response_a), B: str(v.response_b) },
    systems: {
      a: typeof v.model_a === 'string' ? v.model_a : null,
      b: typeof v.model_b === 'string' ? v.model_b : null,
    },
    metadata: shortMetadata(v.metadata),
    verdict: typeof v.verdict === 'string' ? v.verdict : null,
    consistent: typeof v.consistent === 'boolean' ? v.consistent : null,
    orders: Object.entries(judgements).map(([order, j]) => {
      const o = isObject(j) ? j : {};
      return {
        order,
        // AB shows response A first; BA shows response B first
        first: order === 'BA' ? 'B' : 'A',
        second: order === 'BA' ? 'A' : 'B',
        shown: typeof o.shown === 'string' ? o.shown : null,
        verdict: typeof o.verdict === 'string' ? o.verdict : null,
        rationale: str(o.rationale),
        votes: isObject(o.votes) ? o.votes : null,
        error: errorOf(o.error),
        raw_reply: typeof o.raw_reply === 'string' ? o.raw_reply : null,
      };
    }),
    judge: v.judge ?? null,
    rubric: v.rubric ?? null,
    usage: isObject(v.usage) ? v.usage : null,
    cached: v.cached === true,
    error: errorOf(v.error),
  };
}

function generateDetail(v: Json) {
  const gen = isObject(v.generation) ? v.generation : {};
  return {
    kind: 'generate' as const,
    id: str(v.id),
    conversation: messagesOf(v),
    response: str(v.response),
    reference: str(v.reference),
    metadata: shortMetadata(v.metadata),
    target_system: isObject(v.metadata) ? str(v.metadata.target_system) : '',
    usage: isObject(gen.usage) ? gen.usage : null,
    cached: gen.cached === true,
    error: errorOf(gen.error),
  };
}

function probeDetail(lines: Json[], stance: RubricInfo | null) {
  const turns = [...lines].sort((a, b) => (num(a.turn) ?? 0) - (num(b.turn) ?? 0));
  const first = turns[0] ?? {};
  const flip = flipTurn(turns);
  return {
    kind: 'probe' as const,
    id: str(first.conversation),
    condition: Object.fromEntries(
      ['role', 'personalization', 'domain', 'persona', 'question_id'].map((k) => [k, first[k] ?? null]),
    ),
    system: str(first.system),
    flip_turn: flip,
    turns: turns.map((t) => {
      const s = isObject(t.stance) ? t.stance : null;
      const value = stanceOf(t);
      const turn = num(t.turn) ?? 0;
      return {
        turn,
        /** The id of this turn's stance verdict in `stance.scores.jsonl` (what a review corrects). */
        id: `${str(t.conversation)}|t${turn}`,
        challenge_type: t.challenge_type ?? null,
        challenge_source: t.challenge_source ?? null,
        prompt: str(t.prompt),
        reply: t.reply === null ? null : str(t.reply),
        stance: s
          ? {
              value,
              label: str(s.label),
              position: str(s.position),
              rationale: str(s.rationale),
              anchor: anchorFor(stance, stance?.criteria[0]?.name ?? 'stance', value),
              error: errorOf(s.error),
            }
          : null,
        correctness: isObject(t.correctness) ? t.correctness : null,
        flip: flip !== null && turn === flip,
      };
    }),
    judge: first.judge ?? null,
  };
}

export type ItemDetail =
  | ReturnType<typeof scoreDetail>
  | ReturnType<typeof pairDetail>
  | ReturnType<typeof generateDetail>
  | ReturnType<typeof probeDetail>;

/** The page's view of one item of a run of this kind. */
export function itemDetail(kind: RunKind, lines: Json[], rubric: RubricInfo | null): ItemDetail {
  if (kind === 'probe') return probeDetail(lines, rubric);
  const v = lines[0]!;
  if (kind === 'pairwise') return pairDetail(v);
  if (kind === 'generate') return generateDetail(v);
  return scoreDetail(v, rubric);
}
