import { z } from 'zod';
import { GENERATE_PERSONALIZATIONS, PERSONALIZATIONS } from '../../study/personalization.js';
import {
  defineCommand,
  type FlagValues,
  flag,
  int,
  listOf,
  names,
  num,
  oneOf,
  probability,
  seed,
  text,
} from '../flags.js';
import { apiFlags, batchFlags, jsonFlag } from './groups.js';

/** `--by role,personalization`: one or two grouping fields. */
const fieldList = () =>
  z
    .string()
    .transform((raw, ctx) => {
      const fields = [
        ...new Set(
          raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      if (fields.length < 1 || fields.length > 2) {
        ctx.addIssue({
          code: 'custom',
          message: `takes one or two grouping fields (e.g. role,personalization), got '${raw}'`,
        });
        return z.NEVER;
      }
      return fields;
    })
    .optional();

export const probeFlags = {
  // not commander-required: `probe analyze` and `probe judge` must not inherit them (the schema requires them)
  questions: flag(
    '--questions <file>',
    'probe questions JSONL {id, domain, question, answer?, counter_claim?, context?, goal?, preference?, …} (required)',
    text(),
  ),
  target: flag(
    '--target <provider:model>',
    'model under test: openai:<m>, anthropic:<m>, openai-compatible:<m>, ollama:<m>, or scripted:<file> (required)',
    text(),
  ),
  judge: flag('--judge <provider:model>', 'stance judge (applies the stance rubric each turn)', text(), {
    default: 'lexicon',
  }),
  challenger: flag(
    '--challenger <provider:model>',
    'an LLM (or scripted:<file>) that writes each challenge as the user, from the question and the last reply',
    text().optional(),
  ),
  challengerPrompts: flag(
    '--challenger-prompts <file>',
    'challenger prompts (default probe-config/challenger-1.0.0.yaml)',
    text().optional(),
  ),
  stanceRubric: flag(
    '--stance-rubric <ref>',
    'stance (position vs the first answer), goal_alignment (keeps the goal vs accommodates), or auto: goal_alignment when every question has a goal and a preference',
    text(),
    { default: 'auto' },
  ),
  seed: flag('--seed <n>', 'seeds the persona drawn for each question', seed(), { default: '0' }),
  turns: flag('--turns <n>', 'challenge turns after the first answer', int(1, 50), { default: '5' }),
  roles: flag('--roles <list>', 'roles to run', names('role'), { default: 'advisor,peer' }),
  personalization: flag(
    '--personalization <list>',
    'none, profile, filler, profile-plus (Personalized+: the challenger speaks as the persona)',
    listOf(PERSONALIZATIONS),
    { default: 'none,profile,filler' },
  ),
  personas: flag(
    '--personas <file>',
    'personas for profile, filler and profile-plus: plumb JSONL {id, profile}, or GoalPref-Bench all_personas_first_person.json',
    text().optional(),
  ),
  ladder: flag(
    '--ladder <file>',
    'challenge ladder (default probe-config/ladder-1.1.0.yaml)',
    text().optional(),
  ),
  roleFile: flag(
    '--role-file <file>',
    "plumb's role system prompts, its own extension of the paper (default probe-config/roles-1.2.0.yaml; not used under --preset)",
    text().optional(),
  ),
  out: flag('--out <dir>', 'run folder: transcripts.jsonl and summary.json', text(), {
    default: 'runs/probe',
  }),
  concurrency: flag('--concurrency <n>', 'conversations in flight at once', int(1, 1024), { default: '4' }),
  alpha: flag('--alpha <a>', 'significance level for the comparisons', probability(), { default: '0.05' }),
  ...batchFlags,
  ...apiFlags('targets and judges', 'target replies and judge verdicts'),
  ...jsonFlag(),
};
export type ProbeFlags = FlagValues<typeof probeFlags>;

const convention = () =>
  flag(
    '--convention <name>',
    "plumb, or sycon (SYCON-Bench's Turn of Flip and Number of Flips, exactly as its code)",
    oneOf(['plumb', 'sycon']),
    { default: 'plumb' },
  );
const alpha = () =>
  flag('--alpha <a>', 'significance level for the comparisons', probability(), { default: '0.05' });

export const probeAnalyzeFlags = {
  labels: flag(
    '--labels <file>',
    'JSONL or CSV: conversation, turn (0 = first answer), stance (maintained|hedged|abandoned), grouping fields',
    text(),
    { required: true },
  ),
  by: flag(
    '--by <fields>',
    'grouping fields, at most two (default: role,personalization when present)',
    fieldList(),
  ),
  convention: convention(),
  alpha: alpha(),
  out: flag('--out <dir>', 'write DIR/summary.json', text().optional()),
  ...jsonFlag('print the analysis as JSON'),
};
export type ProbeAnalyzeFlags = FlagValues<typeof probeAnalyzeFlags>;

export const probe = defineCommand({
  path: ['probe'],
  description:
    'challenge a model over several turns under role × personalization and measure how often it abandons its answer',
  flags: probeFlags,
  examples: [
    'plumb probe --questions fixtures/questions.jsonl --target scripted:fixtures/scripted-target.yaml --personas fixtures/personas.jsonl --out runs/probe',
    'OPENAI_API_KEY=... plumb probe --questions q.jsonl --target openai:gpt-4.1-mini --judge openai:gpt-4.1 --personas fixtures/personas.jsonl --turns 5',
    'OPENAI_API_KEY=... plumb probe --questions q.jsonl --target openai:gpt-4.1-mini --judge openai:gpt-4.1 --batch --poll-interval 300',
  ],
});

export const probeAnalyze = defineCommand({
  path: ['probe', 'analyze'],
  description: 'every probe metric and comparison from per-turn stance labels made elsewhere',
  flags: probeAnalyzeFlags,
  examples: [
    'plumb probe analyze --labels labels.csv --by role,personalization',
    'plumb probe analyze --labels sycon-labels.jsonl --convention sycon --json',
  ],
});

export const probeJudgeFlags = {
  transcripts: flag('--transcripts <file>', 'the transcripts', text(), { required: true }),
  judge: flag('--judge <provider:model>', 'the judge', text(), { default: 'lexicon' }),
  stanceRubric: flag(
    '--stance-rubric <ref>',
    'stance, goal_alignment, or auto (goal_alignment when every conversation has a goal)',
    text(),
    { default: 'auto' },
  ),
  questions: flag(
    '--questions <file>',
    'imported questions, for goals or assigned stances the transcripts do not carry',
    text().optional(),
  ),
  out: flag('--out <dir>', 'run folder: labels.jsonl and summary.json', text(), {
    default: 'runs/probe-judge',
  }),
  concurrency: flag('--concurrency <n>', 'judge calls in flight at once', int(1, 4096), { default: '8' }),
  by: flag('--by <fields>', 'grouping fields for the analysis (default: role,personalization)', fieldList()),
  convention: flag('--convention <name>', 'plumb or sycon', oneOf(['plumb', 'sycon']), {
    default: 'plumb',
  }),
  alpha: alpha(),
  ...apiFlags('judges', 'judge verdicts'),
  ...jsonFlag('print the analysis as JSON'),
};
export type ProbeJudgeFlags = FlagValues<typeof probeJudgeFlags>;

export const probeJudge = defineCommand({
  path: ['probe', 'judge'],
  description:
    "apply the stance (or goal-alignment) judge to transcripts collected elsewhere (GoalPref-Bench's multi-turn CSV, SYCON-Bench's Response_k CSV, plumb's transcripts.jsonl), then analyze them",
  flags: probeJudgeFlags,
  examples: [
    'plumb probe judge --transcripts multiturn_detailed_gpt-4o.csv --judge openai:gpt-4.1-mini --out runs/gp-judged',
    'plumb probe judge --transcripts prompt0.csv --questions sycon-debate.jsonl --convention sycon',
  ],
});

export const generateFlags = {
  questions: flag('--questions <file>', 'questions JSONL (e.g. from plumb import goalpref)', text(), {
    required: true,
  }),
  target: flag(
    '--target <provider:model>',
    'model that answers: openai:<m>, anthropic:<m>, openai-compatible:<m>, ollama:<m>, or scripted:<file>',
    text(),
    { required: true },
  ),
  out: flag('--out <file>', 'responses JSONL to write (the input of plumb score)', text(), {
    required: true,
  }),
  roles: flag('--roles <list>', 'roles to run', names('role'), { default: 'advisor,peer' }),
  personalization: flag(
    '--personalization <list>',
    'none, profile, filler',
    listOf(GENERATE_PERSONALIZATIONS, ' (profile-plus needs a challenger: use plumb probe)'),
    { default: 'none,profile,filler' },
  ),
  personas: flag(
    '--personas <file>',
    'personas: plumb JSONL or GoalPref-Bench all_personas_first_person.json',
    text().optional(),
  ),
  roleFile: flag(
    '--role-file <file>',
    "plumb's role system prompts, its own extension of the paper (default probe-config/roles-1.2.0.yaml; not used under --preset)",
    text().optional(),
  ),
  samples: flag('--samples <k>', 'independent replies per question × condition', int(1, 100), {
    default: '1',
  }),
  seed: flag('--seed <n>', 'seeds the persona drawn for each question, and the API seed', seed(), {
    default: '0',
  }),
  temperature: flag(
    '--temperature <t>',
    "the target's sampling temperature (GoalPref-Bench: 0.7)",
    num({ min: 0, max: 2 }),
    { default: '0.7' },
  ),
  maxTokens: flag('--max-tokens <n>', 'longest reply, in tokens', int(16, 32_768), { default: '500' }),
  concurrency: flag('--concurrency <n>', 'requests in flight at once', int(1, 4096), { default: '8' }),
  maxCost: flag(
    '--max-cost <usd>',
    'stop before spending more than this many US dollars',
    num({ min: 0 }).optional(),
  ),
  minGenerated: flag(
    '--min-generated <n>',
    'fail (exit 1) when fewer replies than this are generated',
    int(0),
    { default: '1' },
  ),
  dryRun: flag(
    '--dry-run',
    'print estimated requests, tokens and cost; send nothing',
    z.boolean().optional(),
  ),
  ...batchFlags,
  ...apiFlags('targets', 'target replies'),
  ...jsonFlag('print the result as JSON'),
};
export type GenerateFlags = FlagValues<typeof generateFlags>;

export const generate = defineCommand({
  path: ['generate'],
  description:
    'make the responses score judges: each question under role × personalization, answered by a target model',
  flags: generateFlags,
  examples: [
    'plumb import goalpref fixtures/goalpref/goal_preference_scenarios.json --out runs/goalpref/questions.jsonl',
    'plumb generate --questions runs/goalpref/questions.jsonl --target scripted:fixtures/goalpref/scripted-target.yaml --personas fixtures/goalpref/all_personas_first_person.json --out runs/goalpref/responses.jsonl',
    'OPENAI_API_KEY=... plumb generate --questions gp.jsonl --target openai:gpt-4.1-mini --personas all_personas_first_person.json --out runs/gp/responses.jsonl --max-cost 5',
  ],
});

export const importFlags = {
  out: flag('--out <file>', 'questions JSONL to write', text(), { required: true }),
};
export type ImportFlags = FlagValues<typeof importFlags>;

export const importCommand = defineCommand({
  path: ['import'],
  args: '<format> <file>',
  description:
    'convert a public sycophancy set into probe questions: sycophancy-eval, anthropic-evals, sycon, goalpref',
  flags: importFlags,
  examples: [
    'plumb import sycophancy-eval are_you_sure.jsonl --out questions.jsonl',
    'plumb import sycon sycon-debate.csv --out debate.jsonl',
  ],
});
