import { appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MismatchError, UsageError } from '../../core/errors.js';
import { type Metric, runGateOnFiles } from '../../gate/gate.js';
import { saveBaseline } from '../../gate/summary-file.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { describeIoError } from '../../io/errors.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { toJunit, toMarkdown, toText } from '../../render/gate.js';
import type { BaselineSaveFlags, GateFlags } from '../specs/gate.js';

export async function gateCommand(flags: GateFlags): Promise<void> {
  const baselinePath = await resolveRun(flags.baseline, flags.metric);
  const currentPath = await resolveRun(flags.current, flags.metric);
  refuseOutputsOverInputs(
    [
      ...(flags.junit ? [{ flag: '--junit', path: flags.junit }] : []),
      ...(flags.markdown ? [{ flag: '--markdown', path: flags.markdown }] : []),
    ],
    [
      { flag: '--baseline', path: baselinePath },
      { flag: '--current', path: currentPath },
    ],
  );
  const result = await runGateOnFiles(baselinePath, currentPath, {
    metric: flags.metric as Metric,
    maxDrop: flags.maxDrop,
    alpha: flags.alpha,
    failOnRise: Boolean(flags.failOnRise),
    minPaired: flags.minPaired,
    allowMismatch: Boolean(flags.allowMismatch),
  });
  if (result.refused) {
    if (process.env.GITHUB_ACTIONS === 'true')
      process.stdout.write(`::error title=plumb gate refused::${result.refused}\n`);
    throw new MismatchError(`gate refused: ${result.refused}`);
  }
  if (flags.junit) await writeFileAtomic(flags.junit, toJunit(result));
  const md = toMarkdown(result);
  if (flags.markdown) await writeFileAtomic(flags.markdown, md);
  if (process.env.GITHUB_STEP_SUMMARY) {
    // the verdict matters more than the decoration: a summary that cannot be written is a warning
    await appendFile(process.env.GITHUB_STEP_SUMMARY, md).catch((err) =>
      process.stderr.write(
        `plumb: warning: cannot append to GITHUB_STEP_SUMMARY ${process.env.GITHUB_STEP_SUMMARY} (${describeIoError(err)}); the verdict stands\n`,
      ),
    );
  }
  if (process.env.GITHUB_ACTIONS === 'true') {
    for (const c of result.checks.filter((x) => x.failed))
      process.stdout.write(`::error title=plumb gate ${result.metric} ${c.condition}::${c.reason}\n`);
  }
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${toText(result)}\n`);
  process.exitCode = result.verdict === 'fail' ? 1 : 0;
}

/** A run is a summary file, or a folder holding summary.json (probe) or <metric>.summary.json (score). */
export async function resolveRun(path: string, metric: string): Promise<string> {
  const s = await stat(path).catch(() => null);
  if (!s?.isDirectory()) return path;
  for (const name of ['summary.json', `${metric}.summary.json`]) {
    const candidate = join(path, name);
    if (
      await stat(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new UsageError(`${path}: no summary.json or ${metric}.summary.json in this folder`);
}

export async function baselineSaveCommand(run: string, flags: BaselineSaveFlags): Promise<void> {
  const source = await resolveRun(run, flags.metric);
  refuseOutputsOverInputs([{ flag: '--out', path: flags.out }], [{ flag: 'the run', path: source }]);
  const n = await saveBaseline(source, flags.out);
  process.stdout.write(
    `baseline saved: ${flags.out} (${n} items from ${source}); commit it and gate against it\n`,
  );
}
