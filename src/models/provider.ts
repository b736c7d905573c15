import type { JudgeStamp } from '../core/types.js';
import type { BatchApi } from './batch/api.js';
import type { SdkFetch } from './http.js';
import type { RequestProfile } from './request-profile.js';
import type { Transport } from './transport.js';

/** What every provider's SDK client is made with (both SDKs take these names). */
export interface SdkOptions {
  apiKey: string;
  baseURL: string;
  timeout: number;
  maxRetries: number;
  logLevel: 'off';
  fetch: SdkFetch;
}

/**
 * What a provider is, in one place: where its key and server come from, how its SDK client is
 * made, its wire dialect and its batch API. Adding a provider is one folder under models/ that
 * exports a descriptor, and one line in PROVIDERS below.
 */
export interface ProviderDescriptor {
  /** The `provider` of `provider:model`. */
  name: string;
  /** The environment variable holding the API key; null when the server needs none. */
  keyVariable: string | null;
  /** The key sent when none is needed (some servers want the header anyway). */
  placeholderKey?: string;
  /** The environment variable that may name another server. */
  baseUrlVariable?: string;
  defaultBaseUrl?: string;
  /** Whether `--base-url` names this provider's server: it must (a self-hosted server), may, or does not. */
  baseUrlFlag: 'required' | 'optional' | 'unused';
  /** The SDK client (the SDK is imported only here, so commands that call no API start fast). */
  client(options: SdkOptions): Promise<unknown>;
  /** The wire dialect; `profile` (default plumb) chooses what a body holds (request-profile.ts). */
  transport(client: unknown, stamp: JudgeStamp, profile?: RequestProfile): Promise<Transport>;
  /** The provider's batch API, when it has one. */
  batchApi?(client: unknown): Promise<BatchApi>;
}
