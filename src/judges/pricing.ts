import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../errors.js';

/** US dollars per million tokens. */
export interface Price {
  input: number;
  output: number;
}

/**
 * List prices, US$ per million tokens (base input, output), from the providers' pricing pages:
 * OpenAI's as of 2025-08, Anthropic's as of the page listing Opus 4.6. Newer models (gpt-5.x,
 * Claude 5) are deliberately absent rather than guessed: their cost shows as unknown until you
 * add them with `--prices FILE`. Prices change; a price file always wins.
 * Model names match by longest prefix, so dated snapshots (gpt-4.1-2025-04-14) find their family.
 */
export const PRICES_AS_OF = 'OpenAI 2025-08, Anthropic 2026-02';
export const DEFAULT_PRICES: Record<string, Price> = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  o3: { input: 2, output: 8 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-sonnet-4-6': { input: 3, output: 15 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
};

const PriceFile = z.record(
  z.string(),
  z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).strict(),
);

export async function loadPrices(file?: string): Promise<Record<string, Price>> {
  if (!file) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, undefined, `cannot read price table (${(err as Error).message})`);
  }
  const parsed = PriceFile.safeParse(raw);
  if (!parsed.success)
    throw new InputError(
      file,
      undefined,
      `price table must be {"model": {"input": n, "output": n}} ($ per million tokens): ${parsed.error.issues[0]?.message}`,
    );
  return { ...DEFAULT_PRICES, ...parsed.data };
}

/** The price of a model by exact name, then longest matching prefix; undefined if unknown. */
export function priceOf(model: string, table: Record<string, Price>): Price | undefined {
  if (table[model]) return table[model];
  let best: string | undefined;
  for (const name of Object.keys(table)) {
    if (model.startsWith(`${name}-`) && (!best || name.length > best.length)) best = name;
  }
  return best ? table[best] : undefined;
}

export function costOf(price: Price | undefined, inputTokens: number, outputTokens: number): number | null {
  if (!price) return null;
  return (inputTokens * price.input + outputTokens * price.output) / 1e6;
}
