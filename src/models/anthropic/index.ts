import type { ProviderDescriptor } from '../provider.js';

/** Anthropic's messages API: structured output through a forced tool call (transport.ts), Message Batches. */
export const ANTHROPIC: ProviderDescriptor = {
  name: 'anthropic',
  keyVariable: 'ANTHROPIC_API_KEY',
  baseUrlVariable: 'ANTHROPIC_BASE_URL',
  defaultBaseUrl: 'https://api.anthropic.com',
  baseUrlFlag: 'unused',
  async client(options) {
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    return new Anthropic(options);
  },
  async transport(c, stamp, profile) {
    if (profile && profile !== 'plumb') {
      const { UsageError } = await import('../../core/errors.js');
      throw new UsageError(
        `anthropic:${stamp.model} cannot send the ${profile} request profile (OpenAI chat-completions bodies): reach the model through an OpenAI-compatible router, e.g. openai-compatible:anthropic/<model> --base-url https://openrouter.ai/api/v1, as the paper did`,
      );
    }
    const { AnthropicTransport } = await import('./transport.js');
    return new AnthropicTransport(c as import('@anthropic-ai/sdk').default, stamp);
  },
  async batchApi(c) {
    const { AnthropicBatchApi } = await import('./batch.js');
    return new AnthropicBatchApi(c as import('@anthropic-ai/sdk').default);
  },
};
