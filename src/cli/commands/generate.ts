import { resolve } from 'node:path';
import { anySignal } from '../../core/abort.js';
import { UsageError } from '../../core/errors.js';
import { countTokens } from '../../core/tokens.js';
import { generateTasks, runGenerate, targetMessages } from '../../generate/run.js';
import { parseJudgeSpec } from '../../judges/create.js';
import { prepareBatch } from '../../models/batch/rounds.js';
import { costOf, loadPrices, PRICES_AS_OF, priceOf } from '../../models/pricing.js';
import { createRuntime } from '../../models/runtime.js';
import { formatCost, table } from '../../render/text.js';
import { loadRoles } from '../../study/config.js';
import { readPersonas, readQuestions } from '../../study/inputs.js';
import { createTarget } from '../../study/targets.js';
import { runThroughBatches } from '../batch.js';
import { onInterrupt } from '../interrupt.js';
import { createProgress } from '../progress.js';
import type { GenerateFlags } from '../specs/probe.js';

export async function generateCommand(flags: GenerateFlags): Promise<void> {
  if (flags.personalization.some((p) => p !== 'none') && !flags.personas)
    throw new UsageError('profile and filler need --personas FILE (e.g. fixtures/personas.jsonl)');
  const questions = await readQuestions(flags.questions);
  const personas = flags.personas ? await readPersonas(flags.personas) : [];
  const roles = await loadRoles(flags.roleFile);
  for (const r of flags.roles)
    if (!roles.roles[r])
      throw new UsageError(`unknown role '${r}' (the role file has: ${Object.keys(roles.roles).join(', ')})`);
  const prices = await loadPrices(flags.prices);
  const base = {
    questions,
    personas,
    roleNames: flags.roles,
    personalizations: flags.personalization,
    samples: flags.samples,
    seed: flags.seed,
  };
  if (flags.dryRun) return dryRun(flags, base, roles, prices);
  const scripted = flags.target.startsWith('scripted:');
  if (flags.maxCost !== undefined && !scripted && !priceOf(parseJudgeSpec(flags.target).model, prices))
    throw new UsageError(`--max-cost needs a price for ${flags.target}: add it with --prices FILE`);

  const rt = createRuntime({
    baseUrl: flags.baseUrl,
    cacheDir: flags.cache ? resolve(flags.cacheDir) : null,
    timeoutMs: flags.timeout,
    maxRetries: flags.maxRetries,
    prices,
    maxCostUsd: flags.maxCost,
  });
  const { circuit, budget } = rt;
  if (flags.batch) prepareBatch(rt, []);
  const target = await createTarget(flags.target, rt, {
    temperature: flags.temperature,
    seed: flags.seed,
    maxTokens: flags.maxTokens,
  });
  if (flags.batch && !target.chat)
    throw new UsageError('--batch needs a model target (a scripted target sends nothing)');
  const interrupt = onInterrupt('finishing what is in flight and keeping what is done…');
  const signal = anySignal(interrupt.signal, circuit.signal);
  const progress = createProgress('generate');
  try {
    if (flags.batch) {
      const collected = await runThroughBatches(
        flags,
        {
          runtime: rt,
          callers: [target.chat!],
          out: flags.out,
          fingerprint: {
            command: 'generate',
            target: target.stamp,
            settings: { temperature: flags.temperature, seed: flags.seed, max_tokens: flags.maxTokens },
          },
          signal,
        },
        // the first pass asks the target for every reply: the broker records those not in the cache
        async (final) => {
          if (final) return true;
          for (const t of generateTasks(base))
            await target.reply(await targetMessages(roles, t), {
              question: t.question,
              condition: t.condition,
              turn: 0,
              challenges: [],
              sample: t.sample,
            });
          return true;
        },
      );
      if (!collected) return;
    }
    const r = await runGenerate({
      ...base,
      questionsFile: flags.questions,
      target,
      roles,
      settings: { temperature: flags.temperature, seed: flags.seed, max_tokens: flags.maxTokens },
      out: flags.out,
      concurrency: flags.concurrency,
      minGenerated: flags.minGenerated,
      signal,
      stopReason: () => (circuit.reason ? 'provider' : budget?.exhausted ? 'budget' : null),
      onProgress: (p) =>
        progress.update({ done: p.done, total: p.total, unscored: p.failed, costUsd: p.costUsd }),
    });
    progress.stop();
    if (r.stoppedBecause) {
      const why =
        r.stoppedBecause === 'provider'
          ? `the target cannot answer: ${circuit.reason}`
          : r.stoppedBecause === 'budget'
            ? `the --max-cost budget of $${flags.maxCost} would have been exceeded ($${budget?.spentUsd.toFixed(4)} spent)`
            : r.stoppedBecause;
      process.stderr.write(
        `plumb: stopped: ${why}, after ${r.done}/${r.total} replies; what is done is in ${r.out}. Re-run the same command to resume from the cache.\n`,
      );
      process.exitCode = r.stoppedBecause === 'interrupted' ? 130 : 1;
      return;
    }
    if (r.failure) {
      process.stderr.write(
        `plumb: failed: ${r.failure}. Nothing was published; the lines are in ${r.out}.\n`,
      );
      process.exitCode = 1;
      return;
    }
    const summary = {
      out: r.out,
      replies: r.done,
      failed: r.failed,
      usage: r.usage,
      http_requests: rt.http!.requests,
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else
      process.stdout.write(
        `generated ${r.done - r.failed} of ${r.total} replies (${questions.length} questions × ${flags.roles.length} roles × ${flags.personalization.length} personalizations × ${flags.samples} sample(s))${r.failed ? `; ${r.failed} failed (kept with an empty response, unscored by score)` : ''}; ${formatCost(r.usage.cost_usd)}\n` +
          `responses: ${r.out}\nnext: npx plumb score --rubric alignment --input ${r.out} --judge <provider:model> --summary runs/alignment.summary.json\n`,
      );
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

/** Output tokens assumed per reply when estimating: GoalPref-Bench asks for about 250 words. */
const ASSUMED_REPLY_TOKENS = 350;

async function dryRun(
  flags: GenerateFlags,
  base: Parameters<typeof generateTasks>[0],
  roles: Awaited<ReturnType<typeof loadRoles>>,
  prices: Awaited<ReturnType<typeof loadPrices>>,
) {
  const tasks = generateTasks(base);
  let input = 0;
  for (const t of tasks)
    input += await countTokens((await targetMessages(roles, t)).map((m) => m.content).join('\n'));
  const model = flags.target.startsWith('scripted:') ? null : parseJudgeSpec(flags.target).model;
  const output = tasks.length * Math.min(ASSUMED_REPLY_TOKENS, flags.maxTokens);
  const cost = model ? costOf(priceOf(model, prices), input, output) : 0;
  const est = {
    dry_run: true,
    requests: tasks.length,
    input_tokens: input,
    output_tokens: output,
    cost_usd: cost,
    prices_as_of: PRICES_AS_OF,
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(est, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `dry run: nothing sent.\n\n${table(
      ['target', 'requests', 'input tokens', 'output tokens (est.)', 'cost (est.)'],
      [[flags.target, String(tasks.length), String(input), String(output), formatCost(cost)]],
    )}\n\nInput counted with o200k_base; output assumed ${Math.min(ASSUMED_REPLY_TOKENS, flags.maxTokens)} tokens a reply. Prices as of ${PRICES_AS_OF}.\n`,
  );
}
