import { ProviderConfigError, UsageError } from '../core/errors.js';
import { addSecret, learnSecretsFrom, stripUrlCredentials } from '../core/secrets.js';
import type { JudgeStamp } from '../core/types.js';
import { ANTHROPIC } from './anthropic/index.js';
import { createSdkFetch, type HttpCounter } from './http.js';
import { OLLAMA, OPENAI, OPENAI_COMPATIBLE } from './openai/index.js';
import type { ProviderDescriptor } from './provider.js';
import type { RequestProfile } from './request-profile.js';
import { printSdkWarningsOnce } from './sdk-warnings.js';
import type { Transport } from './transport.js';

/** Every API provider plumb speaks to, by the name `provider:model` uses. */
export const PROVIDERS: Record<string, ProviderDescriptor> = Object.fromEntries(
  [OPENAI, ANTHROPIC, OPENAI_COMPATIBLE, OLLAMA].map((p) => [p.name, p]),
);

export interface ModelSpec {
  provider: string;
  model: string;
}

/**
 * Splits `provider:model`; the model part may itself contain colons (`ollama:llama3.1:8b`).
 * `offline` names what is not an API provider but may stand here (`lexicon` for a judge).
 */
export function parseModelSpec(spec: string, offline: string[] = ['lexicon'], what = 'model'): ModelSpec {
  if (spec === 'lexicon' && offline.includes('lexicon')) return { provider: 'lexicon', model: 'lexicon-v1' };
  const at = spec.indexOf(':');
  const provider = at < 0 ? spec : spec.slice(0, at);
  const model = at < 0 ? '' : spec.slice(at + 1);
  const known = [...offline, ...Object.keys(PROVIDERS)];
  if (!known.includes(provider))
    throw new UsageError(
      `unknown ${what} provider '${provider}' in '${spec}' (use one of: ${known.join(', ')})`,
    );
  if (!model) throw new UsageError(`${what} '${spec}' names no model: write ${provider}:<model>`);
  return { provider, model };
}

/** The settings a provider client is made with (the rest of a run's runtime does not matter here). */
export interface ClientSettings {
  /** Server for providers that take `--base-url`. */
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
  env?: NodeJS.ProcessEnv;
  /** Counts every HTTP request the SDKs send, their own retries included. */
  http?: HttpCounter | null;
}

/**
 * `baseURL` is what the SDK is given (it may carry credentials, e.g. `?api-key=`); `publicURL` is
 * the same without them, the only form that is stamped, cached or printed.
 */
export interface ProviderClient {
  descriptor: ProviderDescriptor;
  provider: string;
  model: string;
  baseURL: string;
  publicURL: string;
  client: unknown;
}

/**
 * The configured SDK client for an API `provider:model`, with its key and server from the
 * environment (or --base-url), checked before any work starts: a missing key or server is exit 2
 * and nothing is sent. Judges, targets and challengers all get their clients here.
 */
export async function createProviderClient(
  spec: string,
  settings: ClientSettings = {},
): Promise<ProviderClient> {
  const { provider, model } = parseModelSpec(spec, []);
  const descriptor = PROVIDERS[provider]!;
  const env = settings.env ?? process.env;
  learnSecretsFrom(env);
  printSdkWarningsOnce();
  let apiKey = descriptor.placeholderKey ?? 'none';
  if (descriptor.keyVariable) {
    const key = env[descriptor.keyVariable];
    if (key) apiKey = key;
    else if (!descriptor.placeholderKey)
      throw new ProviderConfigError(
        `'${spec}' needs ${descriptor.keyVariable} in the environment (nothing was sent)`,
      );
  }
  addSecret(apiKey);
  const fromFlag = descriptor.baseUrlFlag === 'unused' ? undefined : settings.baseUrl;
  const baseURL =
    fromFlag || (descriptor.baseUrlVariable && env[descriptor.baseUrlVariable]) || descriptor.defaultBaseUrl;
  if (!baseURL) throw new UsageError(`'${spec}' needs --base-url (e.g. http://localhost:8000/v1 for vLLM)`);
  const client = await descriptor.client({
    apiKey,
    baseURL,
    timeout: settings.timeoutMs ?? 60_000,
    maxRetries: settings.maxRetries ?? 4,
    logLevel: 'off',
    fetch: createSdkFetch(env, settings.http),
  });
  return { descriptor, provider, model, baseURL, publicURL: stripUrlCredentials(baseURL), client };
}

/** The wire dialect of a configured client. */
export function transportFor(
  pc: ProviderClient,
  stamp: JudgeStamp,
  profile: RequestProfile = 'plumb',
): Promise<Transport> {
  return pc.descriptor.transport(pc.client, stamp, profile);
}

/**
 * `--base-url` names the server of openai-compatible and ollama models; given to a run where no
 * model takes it, it would be ignored — which plumb never does silently.
 */
export function assertBaseUrlUsed(baseUrl: string | undefined, specs: string[]): void {
  if (!baseUrl) return;
  const takers = specs.filter((s) => {
    const provider = s.slice(0, Math.max(0, s.indexOf(':')));
    return PROVIDERS[provider] && PROVIDERS[provider]!.baseUrlFlag !== 'unused';
  });
  if (takers.length === 0) {
    const env = [
      ...new Set(specs.map((s) => PROVIDERS[s.slice(0, s.indexOf(':'))]?.baseUrlVariable).filter(Boolean)),
    ];
    throw new UsageError(
      `--base-url names the server of openai-compatible: and ollama: models, and no model of this run is one${
        env.length
          ? ` (${specs.join(', ')} ${env.length === 1 ? `reads ${env[0]}` : `read ${env.join(', ')}`} instead)`
          : ''
      }`,
    );
  }
}
