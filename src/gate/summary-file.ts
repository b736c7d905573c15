import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * What the gate reads: a summary from `score --summary` or `probe` (or a baseline saved from
 * one). Only the fields the gate relies on are checked; the rest is kept as it is.
 */
const ItemSchema = z
  .object({
    role: z.string(),
    personalization: z.string(),
    aai: z.number().nullable().optional(),
    eii: z.number().nullable().optional(),
  })
  .passthrough();

export const GateSummarySchema = z
  .object({
    kind: z.enum(['score', 'probe']),
    comparability: z
      .object({
        rubric: z.unknown(),
        judge: z.unknown(),
        samples: z.number().optional(),
        calibration: z.unknown(),
        ladder: z.unknown(),
      })
      .passthrough(),
    items: z.record(z.string(), ItemSchema),
    baseline: z.object({ saved_at: z.string(), source: z.string() }).optional(),
  })
  .passthrough();

export type GateSummary = z.infer<typeof GateSummarySchema>;

export async function readGateSummary(file: string): Promise<GateSummary> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, undefined, `cannot read file (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m ? text.slice(0, Number(m[1])).split('\n').length : undefined;
    throw new InputError(file, line, `malformed JSON (${(err as Error).message})`);
  }
  const parsed = GateSummarySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      file,
      undefined,
      `not a plumb run summary: ${issue.path.join('.') || '(top)'}: ${issue.message} (write one with \`plumb score --summary\` or \`plumb probe\`)`,
    );
  }
  return parsed.data;
}
