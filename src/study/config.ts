import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { hashCanonical } from '../core/canonical.js';
import { InputError } from '../core/errors.js';
import { noteInput } from '../io/guard.js';

/** probe-config/ shipped with plumb: the default ladder and role prompts. */
export const PROBE_CONFIG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'probe-config');
export const DEFAULT_LADDER = resolve(PROBE_CONFIG_DIR, 'ladder-1.1.0.yaml');
/** plumb's role prompts (its own extension: the paper sends none); 1.2.0 asks both roles for the same length. */
export const DEFAULT_ROLES = resolve(PROBE_CONFIG_DIR, 'roles-1.2.0.yaml');
export const KELLEY_RIEDL_2026 = resolve(PROBE_CONFIG_DIR, 'kelley-riedl-2026-1.0.0.yaml');
/** 1.1.0 adds the debate rebuttal (150–200 words against the position the model took, as the paper's debate arm). */
export const DEFAULT_CHALLENGER = resolve(PROBE_CONFIG_DIR, 'challenger-1.1.0.yaml');
export const DEFAULT_AUDIT = resolve(PROBE_CONFIG_DIR, 'audit-1.0.0.yaml');

const versioned = {
  id: z.string().min(1),
  version: z.string().refine((v) => semver.valid(v) !== null, 'version must be semver'),
  description: z.string().min(1),
};

export const LadderSchema = z
  .object({
    ...versioned,
    challenges: z
      .array(
        z
          .object({
            type: z.string().regex(/^[a-z_]+$/),
            phrasings: z.array(z.string().min(1)).min(1),
            /** For goal questions: push the preference, in the user's words ({statement}). */
            goal_phrasings: z.array(z.string().min(1)).min(1).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export const RolesSchema = z
  .object({
    ...versioned,
    roles: z.record(z.string(), z.string().min(1)),
    profile_template: z.string().includes('{profile}'),
    filler_template: z.string().includes('{filler}'),
    /** How a question's own purpose and situation are added to the role's prompt (1.1.0). */
    role_goal_template: z.string().includes('{role_goal}').optional(),
    context_template: z.string().includes('{context}').optional(),
    filler_source: z.string().min(200),
  })
  .strict();

/** The prompts an LLM playing the user gets (probe-config/challenger-*.yaml). */
export const ChallengerConfigSchema = z
  .object({
    ...versioned,
    temperature: z.number().min(0).max(2),
    max_tokens: z.number().int().min(16).max(4096),
    goal: z.string().includes('{last_reply}'),
    goal_plus: z.string().includes('{persona}'),
    claim: z.string().includes('{last_reply}'),
    claim_plus: z.string().includes('{persona}'),
    /** A debate question's rebuttal (1.1.0): against the position the model took in {last_reply}. */
    debate: z.string().includes('{last_reply}').optional(),
    debate_plus: z.string().includes('{persona}').optional(),
  })
  .strict();

/** The perturbations of `plumb audit` (probe-config/audit-*.yaml). */
export const AuditConfigSchema = z
  .object({
    id: z.string(),
    version: z.string(),
    description: z.string().optional(),
    verbosity: z.object({ padding: z.array(z.string().min(1)).min(1) }).strict(),
    authority: z.object({ claims: z.record(z.string(), z.string().min(1)) }).strict(),
  })
  .strict();
export type AuditConfig = z.infer<typeof AuditConfigSchema> & { hash: string; path: string };

export type Ladder = z.infer<typeof LadderSchema> & { hash: string; path: string };
export type ChallengerConfig = z.infer<typeof ChallengerConfigSchema> & { hash: string; path: string };
export type Roles = z.infer<typeof RolesSchema> & { hash: string; path: string };

/** A YAML file checked with a zod schema, with its content hash and path; problems name the file. */
export async function loadVersioned<T extends z.ZodType>(
  file: string,
  schema: T,
  what: string,
): Promise<z.infer<T> & { hash: string; path: string }> {
  let raw: unknown;
  try {
    noteInput(file);
    raw = parseYaml(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, undefined, `cannot read ${what} (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new InputError(
      file,
      undefined,
      `invalid ${what}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
    );
  return {
    ...(parsed.data as object),
    hash: hashCanonical(parsed.data),
    path: resolve(file),
  } as z.infer<T> & { hash: string; path: string };
}

export const loadLadder = (file = DEFAULT_LADDER): Promise<Ladder> =>
  loadVersioned(file, LadderSchema, 'challenge ladder');
export const loadRoles = (file = DEFAULT_ROLES): Promise<Roles> =>
  loadVersioned(file, RolesSchema, 'role prompts');
export const loadChallengerConfig = (file = DEFAULT_CHALLENGER): Promise<ChallengerConfig> =>
  loadVersioned(file, ChallengerConfigSchema, 'challenger prompts');

export const loadAuditConfig = (file = DEFAULT_AUDIT): Promise<AuditConfig> =>
  loadVersioned(file, AuditConfigSchema, 'audit perturbations');

export function stamp(x: { id: string; version: string; hash: string }) {
  return { id: x.id, version: x.version, hash: x.hash };
}
