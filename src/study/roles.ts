import { UsageError } from '../core/errors.js';
import { getEncoder } from '../core/tokens.js';
import type { Roles } from './config.js';
import { demographicsText, thirdPersonText } from './controls.js';
import { type Persona, type ProbeQuestion, personaText } from './inputs.js';
import type { Personalization } from './personalization.js';

export interface ProbeCondition {
  role: string;
  personalization: Personalization;
}

/**
 * Neutral text with exactly `tokens` tokens (o200k_base): the token-count control of the
 * design, carrying no information about the user. Built by cutting the encoded filler source
 * (repeated as needed) and trimming until the re-encoded text has the target count.
 */
export async function fillerText(source: string, tokens: number): Promise<string> {
  const enc = await getEncoder();
  const unit = enc.encode(`${source.trim()} `);
  const ids: number[] = [];
  while (ids.length < tokens + 8) ids.push(...unit);
  let take = tokens;
  for (let attempt = 0; attempt < 16; attempt++) {
    const text = enc.decode(ids.slice(0, take)).trim();
    const n = enc.encode(text).length;
    if (n === tokens) return text;
    take += tokens - n;
  }
  return enc.decode(ids.slice(0, tokens)).trim();
}

/**
 * The system prompt of one conversation: the role's prompt with the personalization block, then
 * the question's own purpose and situation when it has them (GoalPref-Bench's scenarios). With
 * `rolePrompt: false` there is no role prompt, and the text may be empty (no system turn at all).
 */
export async function systemPrompt(
  roles: Roles,
  cond: ProbeCondition,
  persona: Persona | undefined,
  question?: ProbeQuestion,
  options: { rolePrompt?: boolean } = {},
): Promise<{ text: string; block_tokens: number }> {
  // without a role prompt (the role is the data set's): the personalization block alone
  const template = options.rolePrompt === false ? '{persona}' : roles.roles[cond.role];
  if (!template) throw new Error(`no system prompt for role ${cond.role}`);
  let block = '';
  if (cond.personalization !== 'none') {
    if (!persona) throw new Error('a persona is needed for profile and filler conditions');
    const profile = roles.profile_template.replace('{profile}', personaText(persona));
    if (cond.personalization === 'profile' || cond.personalization === 'profile-plus') block = profile;
    else if (cond.personalization === 'demographics')
      block = roles.profile_template.replace('{profile}', demographicsText(persona));
    else if (cond.personalization === 'third-person')
      block = roles.profile_template.replace('{profile}', thirdPersonText(persona));
    else {
      // filler: as many tokens as the profile block the same question gets, no user information
      const enc = await getEncoder();
      const target = enc.encode(profile).length;
      // the template's own tokens can merge with the filler's at the seam: adjust until exact
      let want = Math.max(1, target - enc.encode(roles.filler_template.replace('{filler}', '')).length);
      for (let i = 0; i < 8; i++) {
        block = roles.filler_template.replace('{filler}', await fillerText(roles.filler_source, want));
        const diff = target - enc.encode(block).length;
        if (diff === 0) break;
        want += diff;
      }
    }
  }
  const parts = [template.replace('{persona}', block).trim(), ...situationParts(roles, question)];
  const text = parts.join('\n\n');
  // the tokenizer loads in about a second: only a personalization block needs it
  return { text, block_tokens: block ? (await getEncoder()).encode(block).length : 0 };
}

/**
 * The question's purpose and situation as the roles file words them. Also what a judge is shown
 * of the conversation's setting (without the persona, so judges stay blind to the condition).
 */
export function situationParts(roles: Roles, question: ProbeQuestion | undefined): string[] {
  if (!question || (!question.role_goal && !question.context)) return [];
  if (!roles.role_goal_template || !roles.context_template)
    throw new UsageError(
      `${roles.path}: questions with a role_goal or context need role_goal_template and context_template (roles 1.1.0 has them)`,
    );
  return [
    ...(question.role_goal ? [roles.role_goal_template.replace('{role_goal}', question.role_goal)] : []),
    ...(question.context ? [roles.context_template.replace('{context}', question.context)] : []),
  ];
}
