import type { CommandDeclaration, CommandSpec, FlagTable, FlagValues } from '../flags.js';
import { audit } from './audit.js';
import { batchExport, batchImport } from './batch.js';
import { cacheCompact } from './cache.js';
import { calibrate, goldPlan, goldSample } from './calibrate.js';
import { baselineSave, demo, gate } from './gate.js';
import { mixed } from './mixed.js';
import { pairwise } from './pairwise.js';
import { generate, importCommand, probe, probeAnalyze, probeJudge } from './probe.js';
import { rate, report } from './rate.js';
import { rubricsDiff, rubricsList, rubricsShow, rubricsValidate } from './rubrics.js';
import { merge, score } from './score.js';
import { studyRun } from './study.js';
import { view } from './view.js';

/**
 * A declared command with what it runs. The run imports its command module only when it runs,
 * so `plumb --help` loads no more than the declarations.
 */
function withRun<T extends FlagTable>(
  declaration: CommandDeclaration<T>,
  run: (values: FlagValues<T>, args: string[]) => Promise<void>,
): CommandSpec {
  return { ...declaration, run } as unknown as CommandSpec;
}

/** Every command, in the order `plumb --help` lists them. */
export const COMMANDS: CommandSpec[] = [
  withRun(score, async (flags) => (await import('../commands/score.js')).scoreCommand(flags)),
  withRun(pairwise, async (flags) => (await import('../commands/pairwise.js')).pairwiseCommand(flags)),
  withRun(merge, async (flags, [out, ...shards]) =>
    (await import('../commands/merge.js')).mergeCommand(out!, shards, flags),
  ),
  withRun(audit, async (flags) => (await import('../commands/audit.js')).auditCommand(flags)),
  withRun(rate, async (flags, [sheet]) =>
    flags.active
      ? (await import('../commands/rate-active.js')).rateActiveCommand(sheet!, flags)
      : (await import('../commands/rate.js')).rateCommand(sheet!, flags),
  ),
  withRun(report, async (flags, runs) => (await import('../commands/report.js')).reportCommand(runs, flags)),
  withRun(view, async (flags, runs) => (await import('../commands/view.js')).viewCommand(runs, flags)),
  withRun(batchExport, async (flags) => (await import('../commands/batch.js')).batchExportCommand(flags)),
  withRun(batchImport, async (flags, [file]) =>
    (await import('../commands/batch.js')).batchImportCommand(file!, flags),
  ),
  withRun(cacheCompact, async (flags) => (await import('../commands/cache.js')).cacheCompactCommand(flags)),
  withRun(rubricsList, async (flags) => (await import('../commands/rubrics.js')).listCommand(flags)),
  withRun(rubricsShow, async (flags, [ref]) =>
    (await import('../commands/rubrics.js')).showCommand(ref!, flags),
  ),
  withRun(rubricsValidate, async (_flags, [path]) =>
    (await import('../commands/rubrics.js')).validateCommand(path!),
  ),
  withRun(rubricsDiff, async (flags, [a, b]) =>
    (await import('../commands/rubrics.js')).diffCommand(a!, b!, flags),
  ),
  withRun(calibrate, async (flags) => (await import('../commands/calibrate.js')).calibrateCommand(flags)),
  withRun(goldPlan, async (flags) => (await import('../commands/calibrate.js')).goldPlanCommand(flags)),
  withRun(goldSample, async (flags) => (await import('../commands/calibrate.js')).goldSampleCommand(flags)),
  withRun(probe, async (flags) => (await import('../commands/probe.js')).probeCommand(flags)),
  withRun(probeAnalyze, async (flags) =>
    (await import('../commands/probe-analyze.js')).analyzeCommand(flags),
  ),
  withRun(probeJudge, async (flags) => (await import('../commands/probe-analyze.js')).judgeCommand(flags)),
  withRun(generate, async (flags) => (await import('../commands/generate.js')).generateCommand(flags)),
  withRun(importCommand, async (flags, [format, file]) =>
    (await import('../commands/probe.js')).importCommand(format!, file!, flags),
  ),
  withRun(gate, async (flags) => (await import('../commands/gate.js')).gateCommand(flags)),
  withRun(baselineSave, async (flags, [run]) =>
    (await import('../commands/gate.js')).baselineSaveCommand(run!, flags),
  ),
  withRun(demo, async (flags) => (await import('../commands/demo.js')).demoCommand(flags)),
  withRun(mixed, async (flags) => (await import('../commands/mixed.js')).mixedCommand(flags)),
  withRun(studyRun, async (flags, [file]) =>
    (await import('../commands/study.js')).studyRunCommand(file!, flags),
  ),
];

/** Commands that only group others: what their --help says. */
export const GROUPS: Record<string, string> = {
  batch: 'batch files for self-hosted engines (vLLM run_batch) and OpenAI batch files handled by hand',
  cache: 'the judge cache (--cache-dir): compact it',
  rubrics: 'list, show, validate and diff rubrics',
  gold: 'human gold ratings: plan how many, pick which',
  baseline: 'manage gate baselines',
  study: 'whole studies declared in one file (plumb study run STUDY.yaml)',
};
