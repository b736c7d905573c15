import type { JudgeStamp, Message, Usage } from '../core/types.js';
import type { PairwiseRubric, Verdict } from '../rubrics/pairwise.js';
import type { Unscored } from './types.js';

/** Two responses to one conversation, A and B, to be compared. */
export interface PairItem {
  id: string;
  messages: Message[];
  a: string;
  b: string;
  reference?: string;
  metadata: Record<string, unknown>;
  /** Which system wrote each side, when known (`model_a` / `model_b`, or the files' names). */
  systems: { a: string | null; b: string | null };
  /** The input line (or what the pair was built from), kept for the output. */
  raw: Record<string, unknown>;
}

/** The order the responses are shown in: AB shows A first. */
export type Order = 'AB' | 'BA';

export interface PairRequest {
  rubric: PairwiseRubric;
  pair: PairItem;
  order: Order;
  /** Sample index 0..K-1, each its own cached call. */
  sample: number;
}

export interface PairJudged {
  ok: true;
  /** In the pair's own labels: A means the pair's response A, whichever position it was shown in. */
  verdict: Verdict;
  /** As the judge gave it, by position: A means the response shown first. */
  shown: Verdict;
  rationale: string;
  usage: Usage;
  cached: boolean;
  requests: number;
}

export type PairResult = PairJudged | Unscored;

/** A judge that compares two responses. Like Judge.judge, judgePair never throws for one pair's problem. */
export interface PairJudge {
  readonly name: string;
  /**
   * Whether the judge reads the rendered prompt (an LLM) or only the two responses (the lexicon):
   * a rubric's template fields are checked before a run only for judges that read it. Absent: true.
   */
  readonly readsPrompt?: boolean;
  /**
   * The stamp written on pairwise lines (for LLM judges, with the pairwise prompt version; given
   * the rubric, the version of the path its prompt takes: plumb's own or its template).
   */
  pairStamp(rubric?: PairwiseRubric): JudgeStamp;
  assertSupportsPairwise(rubric: PairwiseRubric): void;
  judgePair(req: PairRequest, signal?: AbortSignal): Promise<PairResult>;
}

/** The verdict in the pair's labels, from the one the judge gave by position. */
export function unshow(shown: Verdict, order: Order): Verdict {
  if (shown === 'tie' || order === 'AB') return shown;
  return shown === 'A' ? 'B' : 'A';
}
