import { REQUEST_PROFILES } from '../../models/request-profile.js';
import { PRESETS } from '../../study/presets/kelley-riedl.js';
import { bool, flag, int, nonce, num, oneOf, seed, text, url } from '../flags.js';

/** The flags every command that calls a provider API shares; `who` and `cached` word the help. */
export const apiFlags = (who: string, cached: string) => ({
  baseUrl: flag('--base-url <url>', `server for openai-compatible ${who}`, url().optional()),
  cacheDir: flag('--cache-dir <dir>', `persistent cache of ${cached}`, text(), { default: '.plumb-cache' }),
  cache: flag('--no-cache', 'do not read or write the cache', bool()),
  prices: flag(
    '--prices <file>',
    'price table overriding the built-in one (JSON: {"model": {"input": $/Mtok, "output": $/Mtok}})',
    text().optional(),
  ),
  timeout: flag('--timeout <ms>', 'per-request timeout in milliseconds', int(1, 3_600_000), {
    default: '60000',
  }),
  maxRetries: flag(
    '--max-retries <n>',
    'retries per request on 429, 5xx, timeouts and connection errors',
    int(0, 20),
    { default: '4' },
  ),
});

/** `--batch` and its settings (score, pairwise, generate, probe). */
export const batchFlags = {
  batch: flag(
    '--batch',
    "send through the provider's batch API (OpenAI Batch, Anthropic Message Batches) at half price; resumable",
    bool(),
  ),
  pollInterval: flag(
    '--poll-interval <seconds>',
    'with --batch: seconds between polls of running batches',
    num({ min: 0, max: 86_400, minExclusive: true }),
    { default: '60' },
  ),
  batchMaxRequests: flag(
    '--batch-max-requests <n>',
    "with --batch: at most this many requests per batch (default: the provider's limit)",
    int(1, 100_000).optional(),
  ),
};

/** The judging flags `score`, `pairwise` and `batch export` share: judges, samples, cost and request limits. */
export const judgeFlags = (unit: string) => ({
  judge: flag(
    '--judge <provider:model>',
    'judge: lexicon, openai:<model>, anthropic:<model>, openai-compatible:<model>, ollama:<model>',
    text().optional(),
  ),
  judges: flag(
    '--judges <list>',
    'a panel of judges, comma-separated; per-judge results are kept beside the aggregate',
    text().optional(),
  ),
  concurrency: flag('--concurrency <n>', `${unit}s judged at once`, int(1, 4096), { default: '8' }),
  samples: flag('--samples <k>', `independent judge samples per ${unit}`, int(1, 100), { default: '1' }),
  dryRun: flag('--dry-run', 'print estimated requests, tokens and cost; send nothing', bool()),
  maxCost: flag(
    '--max-cost <usd>',
    'stop before spending more than this many US dollars',
    num({ min: 0 }).optional(),
  ),
  minScored: flag('--min-scored <n>', `fail (exit 1) when fewer ${unit}s than this are judged`, int(0), {
    default: '1',
  }),
  temperature: flag('--temperature <t>', 'judge sampling temperature', num({ min: 0, max: 2 }), {
    default: '0',
  }),
  seed: flag('--seed <n>', 'seed sent where the API takes one', seed(), { default: '0' }),
  reasks: flag('--reasks <n>', 're-asks after an invalid judge reply', int(0, 10), { default: '2' }),
  rpm: flag('--rpm <n>', 'at most this many requests per minute', int(1).optional()),
  tpm: flag('--tpm <n>', 'at most this many tokens per minute (estimated)', int(1).optional()),
  ...batchFlags,
});

/** `--json`, worded for what the command prints. */
export const jsonFlag = (description = 'print the summary as JSON') => ({
  json: flag('--json', description, bool()),
});

/**
 * `--nonce HEX`: pins the secret the judge prompt's block nonces are made from, for an exact replay
 * of a run's requests (also PLUMB_NONCE; the flag wins). Read by cli/main.ts for every command.
 */
export const nonceFlag = {
  nonce: flag(
    '--nonce <hex>',
    "pin the judge prompt's block nonce for an exact replay (16-64 hex digits; also PLUMB_NONCE); anyone who knows it can forge a block",
    nonce().optional(),
  ),
};

/** `--preset kelley-riedl-2026` (generate, probe, pairwise); `what` says what it sends there. */
export const presetFlag = (what: string) => ({
  preset: flag('--preset <name>', `kelley-riedl-2026: ${what}`, oneOf(PRESETS).optional()),
});

/** `--request-profile`: whose request bodies the models (`who`) are sent. */
export const requestProfileFlag = (who: string) => ({
  requestProfile: flag(
    '--request-profile <name>',
    `plumb (plumb's request bodies) or goalpref-r (the R code's {model, messages, max_tokens, temperature}, no seed; OpenAI-wire ${who}); default goalpref-r under --preset, else plumb`,
    oneOf(REQUEST_PROFILES).optional(),
  ),
});
