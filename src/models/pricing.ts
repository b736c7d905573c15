import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { noteInput } from '../io/guard.js';

/** US dollars per million tokens. */
export interface Price {
  input: number;
  output: number;
  /** Input read from the provider's prompt cache (default: the input price). */
  cached_input?: number;
  /** Input written to the prompt cache (Anthropic's 5-minute cache; default: the input price). */
  cache_write?: number;
}

/** Batch APIs (OpenAI Batch, Anthropic Message Batches) bill every token at half the list price. */
export const BATCH_DISCOUNT = 0.5;

/**
 * List prices, US$ per million tokens (input, output, cached input, and for Anthropic the
 * 5-minute cache write at 1.25× input and the cache read at 0.1× input), from the providers'
 * pricing pages: OpenAI's as of 2025-08, Anthropic's as of the page listing Opus 4.6. Newer models (gpt-5.x,
 * Claude 5) are deliberately absent rather than guessed: their cost shows as unknown until you
 * add them with `--prices FILE`. Prices change; a price file always wins.
 * Model names match by longest prefix, so dated snapshots (gpt-4.1-2025-04-14) find their family.
 */
export const PRICES_AS_OF = 'OpenAI 2025-08, Anthropic 2026-02';
export const DEFAULT_PRICES: Record<string, Price> = {
  'gpt-5': { input: 1.25, output: 10, cached_input: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cached_input: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cached_input: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cached_input: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cached_input: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cached_input: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cached_input: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cached_input: 0.075 },
  o3: { input: 2, output: 8, cached_input: 0.5 },
  'o4-mini': { input: 1.1, output: 4.4, cached_input: 0.275 },
  ...anthropic({
    'claude-opus-4-6': [5, 25],
    'claude-opus-4-5': [5, 25],
    'claude-opus-4-1': [15, 75],
    'claude-opus-4': [15, 75],
    'claude-sonnet-4-6': [3, 15],
    'claude-sonnet-4-5': [3, 15],
    'claude-sonnet-4': [3, 15],
    'claude-3-7-sonnet': [3, 15],
    'claude-haiku-4-5': [1, 5],
    'claude-3-5-haiku': [0.8, 4],
  }),
};

/** Anthropic's cache prices follow from the input price: reads at 0.1×, 5-minute writes at 1.25×. */
function anthropic(models: Record<string, [number, number]>): Record<string, Price> {
  return Object.fromEntries(
    Object.entries(models).map(([m, [input, output]]) => [
      m,
      { input, output, cached_input: input * 0.1, cache_write: input * 1.25 },
    ]),
  );
}

const PriceFile = z.record(
  z.string(),
  z
    .object({
      input: z.number().nonnegative(),
      output: z.number().nonnegative(),
      cached_input: z.number().nonnegative().optional(),
      cache_write: z.number().nonnegative().optional(),
    })
    .strict(),
);

export async function loadPrices(file?: string): Promise<Record<string, Price>> {
  if (!file) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    noteInput(file);
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, undefined, `cannot read price table (${(err as Error).message})`);
  }
  const parsed = PriceFile.safeParse(raw);
  if (!parsed.success)
    throw new InputError(
      file,
      undefined,
      `price table must be {"model": {"input": n, "output": n, "cached_input"?: n, "cache_write"?: n}} ($ per million tokens): ${parsed.error.issues[0]?.message}`,
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

/** The cost of uncached input and output (estimates, budget reservations). */
export function costOf(price: Price | undefined, inputTokens: number, outputTokens: number): number | null {
  if (!price) return null;
  return (inputTokens * price.input + outputTokens * price.output) / 1e6;
}

/**
 * The cost of one reply's tokens: input read from the prompt cache at the cached-input price,
 * input written to it at the cache-write price, the rest of the input and the output at list
 * price — all halved for a batch.
 */
export function costOfUsage(
  price: Price | undefined,
  usage: {
    input_tokens: number;
    output_tokens: number;
    cached_input_tokens?: number;
    cache_write_tokens?: number;
  },
  batch = false,
): number | null {
  if (!price) return null;
  const read = usage.cached_input_tokens ?? 0;
  const write = usage.cache_write_tokens ?? 0;
  const plain = Math.max(0, usage.input_tokens - read - write);
  const dollars =
    plain * price.input +
    read * (price.cached_input ?? price.input) +
    write * (price.cache_write ?? price.input) +
    usage.output_tokens * price.output;
  return ((batch ? BATCH_DISCOUNT : 1) * dollars) / 1e6;
}
