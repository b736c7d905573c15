import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Judge } from '../judges/types.js';
import type { Rubric } from '../rubrics/schema.js';
import { runScore } from './run.js';
import type { ScoreSummary } from './summary.js';

/** An item to score from a program: what a responses-file line holds. */
export interface ItemToScore {
  id: string;
  prompt?: string;
  messages?: { role: 'system' | 'user' | 'assistant'; content: string }[];
  response: string;
  reference?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Scores items held in memory, for programs and test suites: the same run as `plumb score` (the
 * same validation, cache, retries and summary), through a temporary folder that is removed
 * afterwards. Returns the score lines, in the items' order, and the summary.
 */
export async function scoreItems(
  items: ItemToScore[],
  o: { rubric: Rubric; judges: Judge[]; samples?: number; concurrency?: number; signal?: AbortSignal },
): Promise<{ lines: Record<string, unknown>[]; summary: ScoreSummary }> {
  const dir = await mkdtemp(join(tmpdir(), 'plumb-items-'));
  try {
    const input = join(dir, 'items.jsonl');
    await writeFile(input, `${items.map((i) => JSON.stringify(i)).join('\n')}\n`);
    const out = join(dir, 'scores.jsonl');
    const result = await runScore({ ...o, input, out, minScored: 0 });
    const text = await readFile(result.outPath ?? out, 'utf8').catch(() => '');
    return {
      lines: text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
      summary: result.summary,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
