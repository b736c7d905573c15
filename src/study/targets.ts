import { type ChatParams, createChatModel } from '../models/chat.js';
import type { RequestProfile } from '../models/request-profile.js';
import type { ModelRuntime } from '../models/runtime.js';
import type { Target } from './target-types.js';

/**
 * The model under test: a chat model through its real SDK, or `scripted:<file>`, a simulation
 * whose behaviour is declared in the file. `profile` chooses what a request body holds (plumb's,
 * or the GoalPref-Bench R code's); `kind` keeps apart, in the cache, calls of one model for
 * different purposes (its answers, the opener it writes, the challenges it writes).
 */
export async function createTarget(
  spec: string,
  rt: ModelRuntime,
  params?: Partial<ChatParams>,
  options: { profile?: RequestProfile; kind?: string } = {},
): Promise<Target> {
  if (spec.startsWith('scripted:')) {
    const { loadScript, ScriptedTarget } = await import('./scripted-target.js');
    return new ScriptedTarget(await loadScript(spec.slice('scripted:'.length)));
  }
  const chat = await createChatModel(
    spec,
    rt,
    { temperature: params?.temperature ?? 0, seed: params?.seed ?? 0, maxTokens: params?.maxTokens ?? 512 },
    options.kind ?? 'probe-target',
    { profile: options.profile },
  );
  return {
    stamp: chat.stamp,
    chat,
    reply: (messages, ctx, signal) => chat.send(messages, ctx.sample ?? 0, signal),
  };
}

/** The label of a target in a run of several (`metadata.model`): `provider:model` of its stamp. */
export const targetLabel = (t: Target) => `${String(t.stamp.provider)}:${String(t.stamp.model)}`;
