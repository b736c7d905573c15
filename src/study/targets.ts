import { type ChatParams, createChatModel } from '../models/chat.js';
import type { ModelRuntime } from '../models/runtime.js';
import type { Target } from './target-types.js';

/**
 * The model under test: a chat model through its real SDK, or `scripted:<file>`, a simulation
 * whose behaviour is declared in the file.
 */
export async function createTarget(
  spec: string,
  rt: ModelRuntime,
  params?: Partial<ChatParams>,
): Promise<Target> {
  if (spec.startsWith('scripted:')) {
    const { loadScript, ScriptedTarget } = await import('./scripted-target.js');
    return new ScriptedTarget(await loadScript(spec.slice('scripted:'.length)));
  }
  const chat = await createChatModel(
    spec,
    rt,
    { temperature: params?.temperature ?? 0, seed: params?.seed ?? 0, maxTokens: params?.maxTokens ?? 512 },
    'probe-target',
  );
  return {
    stamp: chat.stamp,
    chat,
    reply: (messages, ctx, signal) => chat.send(messages, ctx.sample ?? 0, signal),
  };
}
