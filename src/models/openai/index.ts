import type { ProviderDescriptor } from '../provider.js';

/**
 * OpenAI's API and the servers that speak its chat completions (vLLM, llama.cpp, LM Studio,
 * Ollama): one SDK, two dialects (see transport.ts), a batch API on OpenAI's own.
 */
const client = async (options: object) => {
  const { default: OpenAI } = await import('openai');
  return new OpenAI(options);
};

async function transport(
  c: unknown,
  stamp: import('../../core/types.js').JudgeStamp,
  dialect: 'openai' | 'compatible',
  profile: import('../request-profile.js').RequestProfile = 'plumb',
) {
  const { OpenAITransport } = await import('./transport.js');
  return new OpenAITransport({ client: c as import('openai').default, stamp, dialect, profile });
}

export const OPENAI: ProviderDescriptor = {
  name: 'openai',
  keyVariable: 'OPENAI_API_KEY',
  baseUrlVariable: 'OPENAI_BASE_URL',
  defaultBaseUrl: 'https://api.openai.com/v1',
  baseUrlFlag: 'unused',
  client,
  transport: (c, stamp, profile) => transport(c, stamp, 'openai', profile),
  async batchApi(c) {
    const { OpenAIBatchApi } = await import('./batch.js');
    return new OpenAIBatchApi(c as import('openai').default);
  },
};

export const OPENAI_COMPATIBLE: ProviderDescriptor = {
  name: 'openai-compatible',
  keyVariable: 'OPENAI_COMPATIBLE_API_KEY',
  placeholderKey: 'none',
  baseUrlFlag: 'required',
  client,
  transport: (c, stamp, profile) => transport(c, stamp, 'compatible', profile),
};

export const OLLAMA_URL = 'http://localhost:11434/v1';

export const OLLAMA: ProviderDescriptor = {
  name: 'ollama',
  keyVariable: null,
  placeholderKey: 'ollama',
  defaultBaseUrl: OLLAMA_URL,
  baseUrlFlag: 'optional',
  client,
  transport: (c, stamp, profile) => transport(c, stamp, 'compatible', profile),
};
