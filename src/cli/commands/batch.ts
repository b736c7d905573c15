import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, UsageError } from '../../core/errors.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { exportRequests, importResults } from '../../judges/batch-files.js';
import { createJudge, parseJudgeSpec } from '../../judges/create.js';
import { BatchBroker } from '../../models/batch/broker.js';
import { JudgeCache } from '../../models/cache.js';
import { loadPrices } from '../../models/pricing.js';
import { assertBaseUrlUsed } from '../../models/registry.js';
import { resolveRubric } from '../../rubrics/load.js';
import { runScore } from '../../score/run.js';
import type { BatchExportFlags, BatchImportFlags } from '../specs/batch.js';
import { judgeSpecs, runtimeFor } from './score.js';

/**
 * `plumb batch export`: the judge calls of a `score` command that the cache cannot answer, as an
 * OpenAI batch file for vLLM's run_batch or OpenAI's batch upload. The flags are score's, so the
 * cache keys are the ones the later `plumb score` looks up.
 */
export async function batchExportCommand(flags: BatchExportFlags): Promise<void> {
  const rubric = await resolveRubric(flags.rubric);
  const specs = judgeSpecs(flags);
  if (specs.length !== 1) throw new UsageError('batch export takes one --judge');
  const { provider } = parseJudgeSpec(specs[0]!);
  if (!['openai', 'openai-compatible', 'ollama'].includes(provider))
    throw new UsageError(
      `batch export writes OpenAI batch lines: use an openai:, openai-compatible: or ollama: judge (got ${provider}:; Anthropic judges take score --batch)`,
    );
  if (!flags.cache)
    throw new UsageError('batch export needs the cache (batch import fills it): drop --no-cache');
  if (flags.input === '-') throw new UsageError('batch export needs --input as a file, not -');
  refuseOutputsOverInputs([{ flag: '--out', path: flags.out }], [{ flag: '--input', path: flags.input }]);
  assertBaseUrlUsed(flags.baseUrl, specs);
  const runtime = runtimeFor(flags, await loadPrices(flags.prices));
  const broker = new BatchBroker();
  runtime.broker = broker;
  const judge = await createJudge(specs[0]!, runtime);
  await runScore({
    rubric,
    judges: [judge],
    input: flags.input,
    out: null,
    samples: flags.samples,
    concurrency: flags.concurrency,
    minScored: 0,
  });
  if (broker.requests.size === 0) {
    process.stderr.write(
      'plumb: nothing to export: every judgement of this command is already in the cache\n',
    );
    return;
  }
  const n = await exportRequests({ broker, rubric, cache: runtime.cache!, out: flags.out });
  process.stdout.write(
    `wrote ${n} request(s) to ${flags.out} (custom_id = the cache key; judgements already cached left out)\n` +
      `next: run them (vLLM: python -m vllm.entrypoints.openai.run_batch -i ${flags.out} -o results.jsonl --model ${parseJudgeSpec(specs[0]!).model}),\n` +
      `then: npx plumb batch import results.jsonl${flags.cacheDir !== '.plumb-cache' ? ` --cache-dir ${flags.cacheDir}` : ''}\n`,
  );
}

/** `plumb batch import RESULTS`: a batch engine's output, validated line by line, into the cache. */
export async function batchImportCommand(file: string, flags: BatchImportFlags): Promise<void> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new InputError(file, undefined, 'no such file');
  const cacheDir = resolve(flags.cacheDir);
  if (!existsSync(cacheDir))
    throw new UsageError(
      `no cache at ${flags.cacheDir}: import into the --cache-dir the requests were exported with`,
    );
  const report = await importResults(file, new JudgeCache(cacheDir));
  if (flags.json) process.stdout.write(`${JSON.stringify({ file, ...report }, null, 2)}\n`);
  else
    process.stdout.write(
      `${file}: ${report.lines} line(s); ${report.imported} answer(s) imported into ${flags.cacheDir}` +
        `${report.failed ? `; ${report.failed} failed at the engine` : ''}` +
        `${report.invalid ? `; ${report.invalid} invalid (not matching the rubric's schema)` : ''}\n` +
        (report.failed || report.invalid
          ? 'a new `plumb batch export` with the same flags writes just the ones not imported\n'
          : ''),
    );
  if (report.problems.length) {
    for (const p of report.problems.slice(0, 5))
      process.stderr.write(`plumb: ${file}:${p.line}: ${p.message}\n`);
    if (report.problems.length > 5) process.stderr.write(`plumb: … and ${report.problems.length - 5} more\n`);
    process.exitCode = 2;
    return;
  }
  if (report.imported === 0) {
    process.stderr.write(`plumb: failed: nothing in ${file} could be imported\n`);
    process.exitCode = 1;
  }
}
