import { readJsonl } from '../io/jsonl.js';
import type { AgainstHalfPair } from './against-half.js';

/** The pair lines of one pairwise step, as the test against 50 % reads them. */
export async function readPairs(file: string): Promise<AgainstHalfPair[]> {
  const out: AgainstHalfPair[] = [];
  for await (const { value } of readJsonl(file)) {
    const v = value as {
      id: string;
      verdict: AgainstHalfPair['verdict'];
      error?: { kind?: string };
      metadata?: Record<string, unknown>;
      rubric?: { id?: string };
    };
    out.push({
      id: v.id,
      verdict: v.verdict,
      errorKind: v.error?.kind ?? null,
      metadata: v.metadata ?? {},
      rubric: v.rubric?.id ?? 'unknown',
    });
  }
  return out;
}
