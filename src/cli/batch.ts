import { type BatchRoundsOptions, throughBatches } from '../models/batch/rounds.js';
import type { JudgeFlags } from './specs/score.js';

/**
 * A command's run through batches (or as it is, without --batch), with its progress on stderr and
 * its ending as the exit code: 1 when the budget refused the batches or the batch API failed (a bad
 * key, a dead server: one line, no stack trace), 130 when interrupted (the batches go on at the
 * provider; the same command collects them). Null when it stopped.
 */
export async function runThroughBatches<R>(
  flags: Pick<JudgeFlags, 'maxRetries' | 'batchMaxRequests' | 'pollInterval' | 'maxCost'>,
  o: Pick<BatchRoundsOptions, 'runtime' | 'callers' | 'out' | 'fingerprint' | 'signal' | 'maxRounds'>,
  pass: (final: boolean) => Promise<R>,
): Promise<R | null> {
  const log = (line: string) => process.stderr.write(`plumb: ${line}\n`);
  const outcome = await throughBatches(
    {
      ...o,
      maxRetries: flags.maxRetries,
      maxRequests: flags.batchMaxRequests,
      pollIntervalMs: flags.pollInterval * 1000,
      maxCostUsd: flags.maxCost,
      log,
    },
    pass,
  );
  if (outcome.ok) return outcome.value;
  log(`stopped: ${outcome.message}`);
  process.exitCode = outcome.stopped === 'interrupted' ? 130 : 1;
  return null;
}
