import { Tiktoken } from 'js-tiktoken/lite';

let encoder: Promise<Tiktoken> | undefined;

/**
 * Counts tokens with a real BPE tokenizer (OpenAI's o200k_base, via js-tiktoken). Other
 * providers' tokenizers differ by a few percent; this is used for estimates (dry runs, budgets,
 * tokens-per-minute limits) and for matching the length of filler text to a persona profile.
 * The rank table is loaded on first use only (about a second), to keep start-up fast.
 */
export async function countTokens(text: string): Promise<number> {
  return (await getEncoder()).encode(text).length;
}

export function getEncoder(): Promise<Tiktoken> {
  // the promise, not the encoder, is memoised: concurrent first callers share one load
  encoder ??= import('js-tiktoken/ranks/o200k_base').then(({ default: ranks }) => new Tiktoken(ranks));
  return encoder;
}
