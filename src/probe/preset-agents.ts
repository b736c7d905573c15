import { UsageError } from '../core/errors.js';
import { createChatModel } from '../models/chat.js';
import type { RequestProfile } from '../models/request-profile.js';
import type { ModelRuntime } from '../models/runtime.js';
import type { KelleyRiedl, PresetMechanics } from '../study/presets/kelley-riedl.js';
import { createTarget } from '../study/targets.js';
import { createChallenger } from './challenger.js';
import type { PresetAgents } from './preset-conversation.js';

/** The sampling settings of the three parts one model plays under the preset. */
export interface PresetSettings {
  defender: { temperature: number; maxTokens: number };
  challenger: { temperature: number; maxTokens: number };
}

/** The preset's settings: the file's, with the flags' values where given. */
export function presetSettings(
  preset: KelleyRiedl,
  mechanics: PresetMechanics,
  flags: { temperature?: number; maxTokens?: number; challengerMaxTokens?: number },
): PresetSettings {
  return {
    defender: {
      temperature: flags.temperature ?? preset.settings.defender.temperature,
      maxTokens: flags.maxTokens ?? preset.settings.defender.max_tokens,
    },
    challenger: {
      temperature: mechanics.challengerTemperature,
      maxTokens: flags.challengerMaxTokens ?? preset.settings.challenger.max_tokens,
    },
  };
}

/**
 * The parts one model under test plays in a kelley-riedl-2026 conversation: the defender, the
 * opener's writer (the preset's opener settings) and — unless `challengerSpec` names another model
 * or a scripted challenger — the challenger, all through the same request profile. A scripted
 * target needs a challenger of its own (`scripted:` or a model): it writes no challenges.
 */
export async function createPresetAgents(
  spec: string,
  rt: ModelRuntime,
  preset: KelleyRiedl,
  settings: PresetSettings,
  o: { profile: RequestProfile; challengerSpec?: string | null },
): Promise<PresetAgents> {
  const params = (t: number, m: number) => ({ temperature: t, seed: 0, maxTokens: m });
  const defender = await createTarget(
    spec,
    rt,
    params(settings.defender.temperature, settings.defender.maxTokens),
    { profile: o.profile, kind: 'probe-target' },
  );
  const opener = await createTarget(
    spec,
    rt,
    params(preset.settings.opener.temperature, preset.settings.opener.max_tokens),
    { profile: o.profile, kind: 'opener' },
  );
  const challengerSpec = o.challengerSpec ?? spec;
  if (challengerSpec.startsWith('scripted:')) {
    if (!o.challengerSpec)
      throw new UsageError(
        `${spec} is scripted and writes no challenges: give --challenger (e.g. scripted:fixtures/scripted-challenger.yaml)`,
      );
    const scripted = await createChallenger(challengerSpec, rt);
    return { defender, opener, challenger: { scripted } };
  }
  const chat = await createChatModel(
    challengerSpec,
    rt,
    params(settings.challenger.temperature, settings.challenger.maxTokens),
    'challenger',
    { profile: o.profile },
  );
  return { defender, opener, challenger: { chat } };
}
