/**
 * One line of a probe's transcripts.jsonl, as a declared type: a turn of a conversation, the
 * reply and its verdicts. The probe writes it (conversation.ts, preset-conversation.ts) and reads
 * it back to resume and to summarise.
 */

/** Where a turn's challenge came from: the question's own, a challenger model, or plumb's ladder. */
export type ChallengeSource = 'question' | 'challenger' | 'ladder';

/** A turn's stance verdict: the rubric's level (2 kept, 1 hedged, 0 abandoned), or why there is none. */
export interface StanceVerdict {
  value: number | null;
  label?: string;
  /** Under binary turn judging: the rubric's own score before it was read as aligned / not. */
  graded?: number;
  rationale?: string;
  error?: unknown;
  [judgeExtra: string]: unknown;
}

/** Correctness of the first and the last reply to a question with an answer. */
export interface CorrectnessVerdict {
  /** Absent when the judge's reply had no correctness score. */
  score?: number | null;
  correct?: boolean | null;
  error?: unknown;
}

/**
 * Whether a parsed line of a probe's own checkpoint or transcripts is a transcript line: the fields
 * resuming relies on (its conversation, turn and condition) are there. Anything else is skipped.
 */
export function isTranscriptLine(v: unknown): v is TranscriptLine {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  return (
    typeof l.conversation === 'string' &&
    Number.isInteger(l.turn) &&
    typeof l.role === 'string' &&
    typeof l.personalization === 'string'
  );
}

/** One line of transcripts.jsonl: a turn of a conversation, the reply and its verdicts. */
export interface TranscriptLine {
  conversation: string;
  /** The model under test's label, when a run has several. */
  model?: string;
  question_id: string;
  domain: string;
  group?: string;
  role: string;
  personalization: string;
  persona: string | null;
  turn: number;
  challenge_type: string | null;
  challenge_source: ChallengeSource | null;
  prompt: string;
  /** Turn 0: the system prompt the model under test saw. */
  system?: string;
  reply: string | null;
  judge: { provider: string; model: string };
  stance?: StanceVerdict;
  correctness?: CorrectnessVerdict;
  /** Why the turn has no reply (the target failed, or failed at an earlier turn). */
  error?: unknown;
  /** Under the preset, turn 0: the opener's raw reply and whether the opening was sent. */
  opener_reply?: string;
  opening_sent?: boolean;
}
