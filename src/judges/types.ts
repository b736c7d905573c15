import type { JudgeStamp, ResponseItem, UnscoredKind, Usage } from '../core/types.js';
import type { Rubric } from '../rubrics/schema.js';

export interface JudgeRequest {
  rubric: Rubric;
  item: ResponseItem;
  /** Sample index 0..K-1: each sample is an independent call, cached on its own. */
  sample: number;
}

interface ResultBase {
  usage: Usage;
  cached: boolean;
  /** Requests sent for this result (0 when served from cache or computed offline). */
  requests: number;
}

export interface Scored extends ResultBase {
  ok: true;
  scores: Record<string, number | null>;
  /** The rubric's extra fields (e.g. the stance rubric's `position` and `correct`). */
  extra: Record<string, unknown>;
  rationale: string;
}

export interface Unscored extends ResultBase {
  ok: false;
  error: { kind: UnscoredKind; message: string };
  /** The judge's last raw reply, kept for inspection when there was one. */
  raw?: string;
}

export type JudgeResult = Scored | Unscored;

/**
 * Every judge — the offline lexicon, each API provider — implements this. `judge` never throws
 * for a problem with one item: it returns an Unscored result with the reason.
 */
export interface Judge {
  readonly stamp: JudgeStamp;
  /** `provider:model`, as written on the command line. */
  readonly name: string;
  /** Throws a PlumbError before any work starts when this judge cannot apply the rubric at all. */
  assertSupports(rubric: Rubric): void;
  judge(req: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult>;
}
