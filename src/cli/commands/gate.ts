import { appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MismatchError, UsageError } from '../../errors.js';
import { type Metric, runGate } from '../../gate/gate.js';
import { toJunit, toMarkdown, toText } from '../../gate/report.js';
import { readGateSummary } from '../../gate/summary-file.js';
import { writeFileAtomic } from '../../io/atomic.js';

export interface GateFlags {
  baseline: string;
  current: string;
  metric: string;
  maxDrop: number;
  alpha: number;
  failOnRise?: boolean;
  minPaired: number;
  allowMismatch?: boolean;
  junit?: string;
  markdown?: string;
  json?: boolean;
}

export async function gateCommand(flags: GateFlags): Promise<void> {
  if (flags.metric !== 'eii' && flags.metric !== 'aai')
    throw new UsageError(`--metric must be eii or aai, got '${flags.metric}'`);
  if (!(flags.alpha > 0 && flags.alpha < 1)) throw new UsageError('--alpha must be between 0 and 1');
  if (!(flags.minPaired >= 0 && flags.minPaired <= 1))
    throw new UsageError('--min-paired must be between 0 and 1');
  const baseline = await readGateSummary(await resolveRun(flags.baseline, flags.metric));
  const current = await readGateSummary(await resolveRun(flags.current, flags.metric));
  const result = runGate(baseline, current, {
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
  if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, md);
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

export async function baselineSaveCommand(
  run: string,
  flags: { out: string; metric: string },
): Promise<void> {
  const source = await resolveRun(run, flags.metric);
  const summary = await readGateSummary(source);
  const saved = { ...summary, baseline: { saved_at: new Date().toISOString(), source } };
  await writeFileAtomic(flags.out, `${JSON.stringify(saved, null, 2)}\n`);
  process.stdout.write(
    `baseline saved: ${flags.out} (${Object.keys(summary.items).length} items from ${source}); commit it and gate against it\n`,
  );
}
