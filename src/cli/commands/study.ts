import { estimateStudy, runStudy, type StudyEstimate, type StudyEvent } from '../../experiments/run.js';
import { loadStudy } from '../../experiments/schema.js';
import { formatCost, table } from '../../render/text.js';
import { onInterrupt } from '../interrupt.js';
import type { StudyRunFlags } from '../specs/study.js';

function renderEstimate(e: StudyEstimate): string {
  const steps = e.steps.filter((s) => s.kind !== 'import' && s.kind !== 'analysis');
  return [
    `dry run of ${e.study}: nothing sent. Out: ${e.out}`,
    '',
    `Plan: ${e.steps.length} steps (import → generate → pairwise per dimension → probe → analysis)`,
    table(
      ['step', 'requests', 'model'],
      steps.map((s) => [s.id, String(s.requests), s.model ?? '(several)']),
    ),
    '',
    'Per model',
    table(
      ['model', 'as', 'requests', 'input tokens', 'output tokens (est.)', 'cost (est.)', 'batch price'],
      e.per_model.map((m) => [
        m.model,
        m.parts.join(', '),
        String(m.requests),
        String(m.input_tokens),
        String(m.output_tokens),
        formatCost(m.cost_usd),
        formatCost(m.batch_cost_usd),
      ]),
    ),
    '',
    `total: ${e.requests} requests, ${formatCost(e.cost_usd)} (batch ${formatCost(e.batch_cost_usd)})`,
    ...e.assumptions.map((a) => `assumed: ${a}`),
  ].join('\n');
}

function progressLine(e: StudyEvent): string | null {
  if (e.kind === 'step')
    return e.status === 'running'
      ? `[${e.step.kind === 'analysis' ? 'analysis' : `${e.index}`}/${e.total}] ${e.step.id} …`
      : e.status === 'skipped'
        ? `[${e.index}/${e.total}] ${e.step.id}: finished earlier, skipped`
        : `[${e.index}/${e.total}] ${e.step.id}: done`;
  // a job's progress: every tenth of a step, and its end
  const tenth = Math.max(1, Math.floor(e.total / 10));
  if (e.done % tenth !== 0 && e.done !== e.total) return null;
  return `  ${e.step.id}: ${e.done}/${e.total}${e.failed ? ` (${e.failed} failed)` : ''}`;
}

export async function studyRunCommand(file: string, flags: StudyRunFlags): Promise<void> {
  const study = await loadStudy(file);
  if (flags.dryRun) {
    const e = await estimateStudy(study, { out: flags.out });
    process.stdout.write(flags.json ? `${JSON.stringify(e, null, 2)}\n` : `${renderEstimate(e)}\n`);
    return;
  }
  const interrupt = onInterrupt('finishing what is in flight and keeping what is done…');
  try {
    const r = await runStudy(study, {
      out: flags.out,
      maxCost: flags.maxCost,
      ...(flags.batch
        ? {
            batch: {
              pollIntervalMs: flags.pollInterval * 1000,
              maxRequests: flags.batchMaxRequests,
              log: (line: string) => process.stderr.write(`plumb: ${line}\n`),
            },
          }
        : {}),
      signal: interrupt.signal,
      onEvent: (e) => {
        const line = progressLine(e);
        if (line) process.stderr.write(`${line}\n`);
      },
    });
    if (!r.complete) {
      process.stderr.write(
        `plumb: study stopped at ${r.stopped}. What finished is recorded in ${r.out}/study-state.json; run the same command again to resume (calls already made are answered from the cache).\n`,
      );
      process.exitCode = r.stopped?.includes('interrupted') ? 130 : 1;
      return;
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      `study ${study.name}: ${r.ran.length} step(s) run, ${r.skipped.length} finished earlier; ${r.http_requests} HTTP request(s)\n` +
        `tables: ${r.out}/tables/ (pairwise, controls, multiturn; .csv and .md)\nanalysis: ${r.out}/analysis.json\n`,
    );
  } finally {
    interrupt.dispose();
  }
}
