import { ProviderConfigError, UsageError } from '../errors.js';
import { LexiconJudge } from './lexicon.js';
import type { Judge } from './types.js';

export interface JudgeConfig {
  /** Base URL for openai-compatible servers (`--base-url`). */
  baseUrl?: string;
}

export interface ParsedJudgeSpec {
  provider: string;
  model: string;
}

const PROVIDERS = ['lexicon', 'openai', 'anthropic', 'openai-compatible', 'ollama'];

/** Splits `provider:model`; the model part may itself contain colons (e.g. `ollama:llama3.1:8b`). */
export function parseJudgeSpec(spec: string): ParsedJudgeSpec {
  if (spec === 'lexicon') return { provider: 'lexicon', model: 'lexicon-v1' };
  const at = spec.indexOf(':');
  const provider = at < 0 ? spec : spec.slice(0, at);
  const model = at < 0 ? '' : spec.slice(at + 1);
  if (!PROVIDERS.includes(provider)) {
    throw new UsageError(
      `unknown judge provider '${provider}' in '${spec}' (use one of: ${PROVIDERS.join(', ')})`,
    );
  }
  if (!model && provider !== 'lexicon')
    throw new UsageError(`judge '${spec}' names no model: write ${provider}:<model>`);
  return { provider, model };
}

/** Makes the judge a `provider:model` string names. API judges are loaded lazily to keep start-up fast. */
export async function createJudge(spec: string, config: JudgeConfig = {}): Promise<Judge> {
  const { provider } = parseJudgeSpec(spec);
  if (provider === 'lexicon') return new LexiconJudge();
  throw new ProviderConfigError(
    `judge provider '${provider}' is not available in this build (config ${JSON.stringify(Object.keys(config))})`,
  );
}
