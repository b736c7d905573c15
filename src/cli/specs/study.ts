import { bool, defineCommand, type FlagValues, flag, num, text } from '../flags.js';
import { batchFlags, jsonFlag } from './groups.js';

export const studyRunFlags = {
  out: flag(
    '--out <dir>',
    "the study's folder (default: the study file's out:, from its folder)",
    text().optional(),
  ),
  dryRun: flag(
    '--dry-run',
    'print the plan: every step, the requests and estimated cost per model (batch price beside); send nothing',
    bool(),
  ),
  maxCost: flag(
    '--max-cost <usd>',
    'refuse before sending when the estimated cost is over this, and stop the run at it',
    num({ min: 0 }).optional(),
  ),
  ...batchFlags,
  ...jsonFlag('print the result (or the dry run) as JSON'),
};
export type StudyRunFlags = FlagValues<typeof studyRunFlags>;

export const studyRun = defineCommand({
  path: ['study', 'run'],
  args: '<file>',
  description:
    'run a whole study from one file: import → generate → pairwise per dimension → probe → the tables; resumable',
  flags: studyRunFlags,
  examples: [
    'plumb study run studies/mini.yaml --out runs/study-mini',
    'plumb study run studies/mini.yaml --out runs/study-mini --dry-run',
    'OPENAI_COMPATIBLE_API_KEY=... plumb study run studies/kelley-riedl-2026.yaml --max-cost 200',
    'OPENAI_API_KEY=... plumb study run my-study.yaml --batch --poll-interval 300',
  ],
});
