import { UsageError } from '../../errors.js';
import { createJudge } from '../../judges/create.js';
import type { Judge } from '../../judges/types.js';
import { resolveRubric } from '../../rubrics/load.js';
import { runScore } from '../../score/run.js';
import type { ScoreSummary } from '../../score/summary.js';
import { fmtEstimate, table } from '../format.js';
import { createProgress, formatCost } from '../progress.js';

export interface ScoreFlags {
  rubric: string;
  input: string;
  judge?: string;
  judges?: string;
  out?: string;
  summary?: string;
  concurrency: number;
  samples: number;
  baseUrl?: string;
  cacheDir: string;
  cache: boolean;
  calibration?: string;
  dryRun?: boolean;
  maxCost?: number;
  prices?: string;
  temperature: number;
  seed: number;
  timeout: number;
  maxRetries: number;
  reasks: number;
  rpm?: number;
  tpm?: number;
  json?: boolean;
}

export function judgeSpecs(flags: { judge?: string; judges?: string }): string[] {
  if (flags.judge && flags.judges) throw new UsageError('give either --judge or --judges, not both');
  const list = (flags.judges ?? flags.judge ?? 'lexicon')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new UsageError('--judges names no judge');
  return list;
}

function defaultOut(input: string, rubricId: string): string {
  return `${input.replace(/\.jsonl$/, '')}.${rubricId}.scores.jsonl`;
}

export async function scoreCommand(flags: ScoreFlags): Promise<void> {
  if (flags.samples < 1) throw new UsageError('--samples must be at least 1');
  if (flags.concurrency < 1) throw new UsageError('--concurrency must be at least 1');
  const rubric = await resolveRubric(flags.rubric);
  const judges: Judge[] = [];
  for (const spec of judgeSpecs(flags)) judges.push(await createJudge(spec, { baseUrl: flags.baseUrl }));
  const out = flags.out ?? defaultOut(flags.input, rubric.id);

  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nplumb: interrupted — finishing what is in flight and keeping what is done…\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const progress = createProgress(`score ${rubric.id}@${rubric.version}`);
  try {
    const result = await runScore({
      rubric,
      judges,
      input: flags.input,
      out,
      summaryPath: flags.summary ?? null,
      samples: flags.samples,
      concurrency: flags.concurrency,
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    if (!result.complete) {
      process.stderr.write(
        `plumb: stopped (${result.stoppedBecause ?? 'incomplete'}) after ${result.summary.n.total} items; ` +
          `what is done is in ${result.outPath}. Re-run the same command to resume.\n`,
      );
      process.exitCode = result.stoppedBecause === 'interrupted' ? 130 : 1;
      return;
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${renderSummary(result.summary)}\n`);
    process.stdout.write(
      `\nscores: ${result.outPath}${flags.summary ? `\nsummary: ${flags.summary}` : ''}\n`,
    );
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

/** The human-readable end-of-run summary. */
export function renderSummary(s: ScoreSummary): string {
  const judge = Array.isArray(s.judge)
    ? s.judge.map((j) => `${j.provider}:${j.model}`).join(', ')
    : `${s.judge.provider}:${s.judge.model}`;
  const lines = [
    `rubric ${s.rubric.id}@${s.rubric.version} (sha256 ${s.rubric.hash.slice(0, 12)}…)  judge ${judge}`,
    `items ${s.n.total}: ${s.n.scored} scored, ${s.n.unscored} unscored${
      s.n.unscored
        ? ` (${Object.entries(s.n.unscored_by_kind)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''
    }; ${s.requests} requests, ${s.usage.input_tokens}+${s.usage.output_tokens} tokens, ${formatCost(s.usage.cost_usd)}`,
    '',
    table(
      ['criterion', 'n', 'mean [95% CI]'],
      [
        ...Object.entries(s.criteria).map(([name, e]) => [name, String(e.n), fmtEstimate(e)]),
        ['overall', String(s.overall.n), fmtEstimate(s.overall)],
      ],
    ),
  ];
  for (const [name, idx] of Object.entries(s.indices)) {
    lines.push('', `${name.toUpperCase()} by condition (0–1, mean [95% CI])`);
    lines.push(
      table(
        ['role', 'personalization', 'n', name.toUpperCase()],
        [
          ...idx.conditions.map((c) => [c.role, c.personalization, String(c.n), fmtEstimate(c)]),
          ['all', '', String(idx.overall.n), fmtEstimate(idx.overall)],
        ],
      ),
    );
  }
  return lines.join('\n');
}
