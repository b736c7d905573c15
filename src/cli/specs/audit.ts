import { AUDIT_PROBES } from '../../audit/probes.js';
import { defineCommand, type FlagValues, flag, int, listOf, num, seed, text } from '../flags.js';
import { apiFlags, jsonFlag, nonceFlag } from './groups.js';

export const auditFlags = {
  rubric: flag('--rubric <ref>', 'rubric id, id@version, or path to a rubric file', text(), {
    required: true,
  }),
  input: flag(
    '--input <file>',
    'responses JSONL (metadata.group clusters; metadata.model names the author)',
    text(),
    {
      required: true,
    },
  ),
  judge: flag('--judge <provider:model>', 'the judge to audit', text(), { default: 'lexicon' }),
  probes: flag('--probes <list>', 'position, verbosity, self-preference, authority', listOf(AUDIT_PROBES), {
    default: 'position,verbosity,self-preference,authority',
  }),
  padTokens: flag(
    '--pad-tokens <n>',
    'tokens of content-neutral padding for the verbosity probe',
    int(1, 10_000),
    {
      default: '60',
    },
  ),
  gold: flag(
    '--gold <file>',
    'human gold: the self-preference effect is also given adjusted for it',
    text().optional(),
  ),
  perturbations: flag(
    '--perturbations <file>',
    'a perturbation file (default: probe-config/audit-1.0.0.yaml)',
    text().optional(),
  ),
  out: flag('--out <dir>', "the audit folder: each variant's input and scores, and audit.json", text(), {
    default: 'runs/audit',
  }),
  concurrency: flag('--concurrency <n>', 'items judged at once', int(1, 4096), { default: '8' }),
  temperature: flag('--temperature <t>', 'judge sampling temperature', num({ min: 0, max: 2 }), {
    default: '0',
  }),
  seed: flag('--seed <n>', 'seed sent where the API takes one', seed(), { default: '0' }),
  reasks: flag('--reasks <n>', 're-asks after an invalid judge reply', int(0, 10), { default: '2' }),
  ...apiFlags('judges', 'judge replies'),
  ...nonceFlag,
  ...jsonFlag('print the audit as JSON'),
};
export type AuditFlags = FlagValues<typeof auditFlags>;

export const audit = defineCommand({
  path: ['audit'],
  description: 'bias probes on a judge: verbosity, authority, self-preference (and position, for pairwise)',
  flags: auditFlags,
  examples: [
    'plumb audit --rubric eii --input fixtures/responses.jsonl --out runs/audit',
    'OPENAI_API_KEY=... plumb audit --rubric eii --input responses.jsonl --judge openai:gpt-4.1-mini --probes verbosity,authority --pad-tokens 120',
  ],
});
