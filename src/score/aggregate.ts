import { addUsage, type Usage } from '../core/types.js';
import type { JudgeResult, Scored, Unscored } from '../judges/types.js';
import type { Rubric } from '../rubrics/schema.js';
import { mean, median, sampleSd } from '../stats/descriptive.js';

export interface Spread {
  n: number;
  sd: number;
  min: number;
  max: number;
}

export interface Combined {
  ok: boolean;
  scores: Record<string, number | null>;
  extra: Record<string, unknown>;
  rationale: string;
  /** Per criterion, across the combined parts (samples or judges), when there were several. */
  spread?: Record<string, Spread>;
  error?: Unscored['error'];
  raw?: string;
  usage: Usage;
  cached: boolean;
  requests: number;
}

/**
 * How repeated samples, and panel members, are combined per criterion: the mean on an interval
 * scale, the median on an ordinal one (the mean of ordinal labels has no meaning).
 */
export function centre(rubric: Rubric, values: number[]): number {
  return rubric.scale.type === 'ordinal' ? median(values) : mean(values);
}

/**
 * Combines several results for one item (K samples of one judge, or the members of a panel).
 * Unscored parts are left out; the item is unscored only when every part is. A part's missing
 * (null) criterion stays null only if it is null in every scored part.
 */
export function combineResults(rubric: Rubric, parts: (JudgeResult | Combined)[], label: string): Combined {
  const usage = parts.reduce<Usage>((u, p) => addUsage(u, p.usage), {
    input_tokens: 0,
    output_tokens: 0,
    cost_usd: 0,
  });
  const cached = parts.every((p) => p.cached);
  const requests = parts.reduce((n, p) => n + p.requests, 0);
  const scored = parts.filter((p): p is Scored | Combined => p.ok) as (Scored | Combined)[];
  if (scored.length === 0) {
    const first = parts[0] as Unscored | Combined;
    return {
      ok: false,
      scores: {},
      extra: {},
      rationale: '',
      error: first.error,
      raw: first.raw,
      usage,
      cached,
      requests,
    };
  }
  if (parts.length === 1) return { ...(scored[0] as Combined), spread: undefined };
  const scores: Record<string, number | null> = {};
  const spread: Record<string, Spread> = {};
  for (const c of rubric.criteria) {
    const values = scored.map((p) => p.scores[c.name]).filter((v): v is number => typeof v === 'number');
    scores[c.name] = values.length ? centre(rubric, values) : null;
    if (values.length) {
      spread[c.name] = {
        n: values.length,
        sd: sampleSd(values),
        min: Math.min(...values),
        max: Math.max(...values),
      };
    }
  }
  const extra = { ...scored[0]!.extra };
  const rationale = scored.map((p, i) => `[${label} ${i}] ${p.rationale}`).join('\n');
  return { ok: true, scores, extra, rationale, spread, usage, cached, requests };
}
