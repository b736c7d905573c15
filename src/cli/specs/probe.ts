import { z } from 'zod';
import { TURN_JUDGING } from '../../probe/conversation.js';
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
import { apiFlags, batchFlags, jsonFlag, nonceFlag, presetFlag, requestProfileFlag } from './groups.js';
import { exportSpec } from './mixed.js';

/** `--export r DIR`: the multi-turn GLMM's rows and the glmer call, as `plumb mixed --export r`. */
const exportTurns = () =>
  flag(
    '--export <r DIR...>',
    'write DIR/data.csv (the per-turn rows of the multi-turn GLMM) and DIR/fit.R (the same lme4::glmer call) to re-fit in R; DIR/<model>/ per model when there are several',
    exportSpec.optional(),
  );

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

/** The flags `generate` and `probe` share: the preset, several targets, the request profile. */
const studyFlags = (what: string) => ({
  ...presetFlag(
    `the paper's ${what} with the released R code's prompts and settings (docs/kelley-riedl-2026.md); no role prompt — the role is each question's metadata.role`,
  ),
  targets: flag(
    '--targets <list>',
    'several models under test in one run, comma-separated (instead of --target); metadata.model on every line, a block per model in the summary',
    names('target').optional(),
  ),
  ...requestProfileFlag('targets'),
});

export const probeFlags = {
  // not commander-required: `probe analyze` and `probe judge` must not inherit them (the schema requires them)
  questions: flag(
    '--questions <file>',
    'probe questions JSONL {id, domain, question, answer?, counter_claim?, context?, goal?, preference?, …} (required)',
    text(),
  ),
  target: flag(
    '--target <provider:model>',
    'model under test: openai:<m>, anthropic:<m>, openai-compatible:<m>, ollama:<m>, or scripted:<file> (this or --targets)',
    text().optional(),
  ),
  ...studyFlags('multi-turn design (10 rounds, one model as defender and challenger)'),
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
    'challenger prompts (default probe-config/challenger-1.1.0.yaml; not used under --preset)',
    text().optional(),
  ),
  stanceRubric: flag(
    '--stance-rubric <ref>',
    'stance (position vs the first answer), goal_alignment (keeps the goal vs accommodates), or auto: goal_alignment when every question has a goal and a preference',
    text(),
    { default: 'auto' },
  ),
  temperature: flag(
    '--temperature <t>',
    "the target's sampling temperature (default 0; 0.7 under --preset, the paper's and the code's)",
    num({ min: 0, max: 2 }).optional(),
  ),
  maxTokens: flag(
    '--max-tokens <n>',
    "the target's longest reply in tokens (default 512; 500 under --preset)",
    int(16, 32_768).optional(),
  ),
  challengerTemperature: flag(
    '--challenger-temperature <t>',
    "the challenger's temperature (default: the challenger prompts file's 0.9; under --preset 0.7, the paper's — the code's is 0.9)",
    num({ min: 0, max: 2 }).optional(),
  ),
  challengerMaxTokens: flag(
    '--challenger-max-tokens <n>',
    "the challenger's longest message in tokens (default: the prompts file's; 500 under --preset)",
    int(16, 32_768).optional(),
  ),
  challengerHistory: flag(
    '--challenger-history <view>',
    'what the challenger sees: full (every turn so far, the paper) or last (the last reply, the code); under --preset, default from --follow',
    oneOf(['full', 'last']).optional(),
  ),
  round0: flag(
    '--round0 <mechanics>',
    "under --preset: clean (the opener is sent and answered, plumb's reading of the paper) or code (the released loop: round 0 sends the system prompt alone, later rounds repeat the challenge around a null assistant turn); default from --follow",
    oneOf(['clean', 'code']).optional(),
  ),
  follow: flag(
    '--follow <source>',
    "under --preset, where the paper and the released code disagree: paper (challenger at 0.7 seeing the full history, a clean round 0; the default) or code (0.9, the last reply, the code's round 0 — the R requests byte for byte)",
    oneOf(['paper', 'code']).optional(),
  ),
  turnJudging: flag(
    '--turn-judging <mode>',
    "graded (the rubric's levels) or binary (the paper's aligned / not aligned: the top level is aligned, every other level not aligned; a two-level rubric is used as it is)",
    oneOf(TURN_JUDGING),
    { default: 'graded' },
  ),
  questionChallenges: flag(
    '--question-challenges <use>',
    "first: a question's own challenges (SYCON-Bench's canned pushbacks) come before the challenger's (the default without a challenger); skip: the challenger from the first challenge (the paper's debate arm; the default with --challenger or --preset). Single-turn items keep their one statement",
    oneOf(['first', 'skip']).optional(),
  ),
  rSample: flag(
    '--r-sample <n>',
    "GoalPref-Bench's own draw (R's set.seed(456)): n of the questions, in file order, as sample(1:N, n), and each one's persona as sample(profiles, 1) (goal_multiturn_*.R); the paper's multi-turn run is --r-sample 100",
    int(1, 1_000_000).optional(),
  ),
  seed: flag('--seed <n>', 'seeds the persona drawn for each question', seed(), { default: '0' }),
  turns: flag(
    '--turns <n>',
    "challenge turns after the first answer (default 5; 10 under --preset, the paper's rounds)",
    int(1, 50).optional(),
  ),
  roles: flag(
    '--roles <list>',
    "plumb's role prompts to cross with every question, its own extension of the paper (default advisor,peer; not under --preset)",
    names('role').optional(),
  ),
  personalization: flag(
    '--personalization <list>',
    'none, profile, filler, demographics, third-person (the controls), profile-plus (Personalized+: the challenger speaks as the persona)',
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
  export: exportTurns(),
  concurrency: flag('--concurrency <n>', 'conversations in flight at once', int(1, 1024), { default: '4' }),
  alpha: flag('--alpha <a>', 'significance level for the comparisons', probability(), { default: '0.05' }),
  ...batchFlags,
  ...apiFlags('targets and judges', 'target replies and judge verdicts'),
  ...nonceFlag,
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
  export: exportTurns(),
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
    'plumb probe --questions fixtures/questions.jsonl --target scripted:fixtures/scripted-target.yaml --personas fixtures/personas.jsonl --out runs/probe --export r runs/probe/r',
    'OPENAI_API_KEY=... plumb probe --questions q.jsonl --target openai:gpt-4.1-mini --judge openai:gpt-4.1 --personas fixtures/personas.jsonl --turns 5',
    'OPENAI_API_KEY=... plumb probe --questions q.jsonl --target openai:gpt-4.1-mini --judge openai:gpt-4.1 --personas fixtures/personas.jsonl --batch --poll-interval 300',
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
  ...nonceFlag,
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
    'model that answers: openai:<m>, anthropic:<m>, openai-compatible:<m>, ollama:<m>, or scripted:<file> (this or --targets)',
    text().optional(),
  ),
  ...studyFlags('single-turn prompt (one user message, 350 tokens, temperature 0.7)'),
  out: flag('--out <file>', 'responses JSONL to write (the input of plumb score)', text(), {
    required: true,
  }),
  roles: flag(
    '--roles <list>',
    "plumb's role prompts to cross with every question, its own extension of the paper (default advisor,peer; not under --preset)",
    names('role').optional(),
  ),
  personalization: flag(
    '--personalization <list>',
    'none, profile, filler, demographics, third-person',
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
  maxTokens: flag(
    '--max-tokens <n>',
    "longest reply, in tokens (default 500; 350 under --preset, the released code's)",
    int(16, 32_768).optional(),
  ),
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
  sample: flag(
    '--sample <n>',
    "keep a seeded subsample of n items (the paper's 250 of OEQ and AITA): the same items whatever the file's order",
    int(1, 10_000_000).optional(),
  ),
  seed: flag('--seed <n>', 'with --sample: chooses which items are kept (default 0)', seed().optional()),
};
export type ImportFlags = FlagValues<typeof importFlags>;

export const importCommand = defineCommand({
  path: ['import'],
  args: '<format> <file>',
  description:
    'convert a public data set into questions: sycophancy-eval, anthropic-evals, sycon, sycon-debate-single, goalpref, elephant-oeq, elephant-aita, mmlu-pro',
  flags: importFlags,
  examples: [
    'plumb import sycophancy-eval are_you_sure.jsonl --out questions.jsonl',
    'plumb import sycon sycon-debate.csv --out debate.jsonl',
    'plumb import goalpref fixtures/goalpref/goal_preference_scenarios.csv --sample 4 --seed 7 --out runs/goalpref-4.jsonl',
    'plumb import elephant-oeq OEQ.csv --sample 250 --seed 1 --out oeq-250.jsonl',
  ],
});
