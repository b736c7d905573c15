import { UsageError } from '../../core/errors.js';
import { countTokens } from '../../core/tokens.js';
import { askForEveryReply, generateTasks, runGenerate, targetMessages } from '../../generate/run.js';
import { parseJudgeSpec } from '../../judges/create.js';
import { prepareBatch } from '../../models/batch/rounds.js';
import { costOf, loadPrices, PRICES_AS_OF, priceOf } from '../../models/pricing.js';
import { assertBaseUrlUsed } from '../../models/registry.js';
import { type RequestProfile, sendsSeed } from '../../models/request-profile.js';
import { createRuntime } from '../../models/runtime.js';
import { formatCost, table } from '../../render/text.js';
import { loadRoles } from '../../study/config.js';
import { readPersonas, readQuestions } from '../../study/inputs.js';
import { type KelleyRiedl, loadKelleyRiedl } from '../../study/presets/kelley-riedl.js';
import { createTarget, targetLabel } from '../../study/targets.js';
import { runThroughBatches } from '../batch.js';
import { startRun } from '../interrupt.js';
import type { GenerateFlags } from '../specs/probe.js';
import { connection } from './score.js';

/** `--target` or `--targets`: the models under test, each once. */
export function targetSpecs(flags: { target?: string; targets?: string[] }): string[] {
  if (flags.target && flags.targets)
    throw new UsageError('--target and --targets are two ways to name the models under test: give one');
  const specs = flags.targets ?? (flags.target ? [flags.target] : []);
  if (specs.length === 0) throw new UsageError('--target (or --targets a,b,c) is required');
  return specs;
}

/**
 * The request profile: the flag's, else goalpref-r under the preset (the R code's bodies), else
 * plumb's. Anthropic's API cannot carry the R bodies: a preset run with an anthropic: target must
 * say which way round it goes.
 */
export function requestProfileFor(
  specs: string[],
  flags: { requestProfile?: RequestProfile; preset?: string },
): RequestProfile {
  const profile = flags.requestProfile ?? (flags.preset ? 'goalpref-r' : 'plumb');
  const anthropic = specs.filter((s) => s.startsWith('anthropic:'));
  if (profile === 'goalpref-r' && anthropic.length)
    throw new UsageError(
      `${anthropic.join(', ')}: the released R code's request bodies are OpenAI chat completions — reach the model through an OpenAI-compatible router (openai-compatible:anthropic/<model> --base-url https://openrouter.ai/api/v1, as the paper did), or send plumb's bodies with --request-profile plumb`,
    );
  return profile;
}

type Roles = Awaited<ReturnType<typeof loadRoles>>;
type Prices = Awaited<ReturnType<typeof loadPrices>>;
type Runtime = ReturnType<typeof createRuntime>;
type Target = Awaited<ReturnType<typeof createTarget>>;
type TargetRun = { label: string; target: Target };

/** What generate reads before it sends anything: the inputs, the roles and the reply budget. */
interface GenerateInputs {
  specs: string[];
  profile: RequestProfile;
  preset: KelleyRiedl | null;
  questions: Awaited<ReturnType<typeof readQuestions>>;
  personas: Awaited<ReturnType<typeof readPersonas>>;
  roles: Roles;
  roleNames: string[];
  maxTokens: number;
  prices: Prices;
}

export async function generateCommand(flags: GenerateFlags): Promise<void> {
  const inputs = await readGenerateInputs(flags);
  const { specs, profile, preset, questions, personas, roleNames, maxTokens, prices } = inputs;
  const base = {
    questions,
    personas,
    roleNames,
    personalizations: flags.personalization,
    samples: flags.samples,
    seed: flags.seed,
    preset,
    models: specs,
  };
  if (flags.dryRun) return dryRun(flags, specs, { ...base, maxTokens }, inputs.roles, prices);
  assertPricedForBudget(flags, specs, prices);
  const settings = samplingSettings(flags, profile, maxTokens);

  assertBaseUrlUsed(flags.baseUrl, specs);
  const rt = createRuntime({ ...connection(flags, prices), maxCostUsd: flags.maxCost });
  const { circuit, budget } = rt;
  if (flags.batch) prepareBatch(rt, []);
  const runs = await createTargetRuns(flags, specs, rt, profile, maxTokens);
  const target = runs[0]!.target;
  const { signal, progress, end } = startRun('generate', circuit.signal);
  try {
    if (flags.batch) {
      const fingerprint = {
        command: 'generate',
        target: runs.length > 1 ? runs.map((r) => r.target.stamp) : target.stamp,
        settings,
        ...(preset ? { preset: { id: preset.id, version: preset.version, hash: preset.hash } } : {}),
      };
      const collected = await collectThroughBatches(flags, rt, runs, base, inputs, fingerprint, signal);
      if (!collected) return;
    }
    const r = await runGenerate({
      ...base,
      questionsFile: flags.questions,
      target,
      targets: runs,
      preset,
      roles: inputs.roles,
      settings,
      out: flags.out,
      concurrency: flags.concurrency,
      minGenerated: flags.minGenerated,
      signal,
      stopReason: () => (circuit.reason ? 'provider' : budget?.exhausted ? 'budget' : null),
      onProgress: (p) =>
        progress.update({ done: p.done, total: p.total, unscored: p.failed, costUsd: p.costUsd }),
    });
    progress.stop();
    reportGenerate(flags, inputs, rt, runs.length, r);
  } finally {
    end();
  }
}

/** Checks the flags against each other and reads the questions, personas, roles and prices. */
async function readGenerateInputs(flags: GenerateFlags): Promise<GenerateInputs> {
  if (flags.personalization.some((p) => p !== 'none') && !flags.personas)
    throw new UsageError(
      'profile, filler, demographics and third-person need --personas FILE (e.g. fixtures/personas.jsonl)',
    );
  const specs = targetSpecs(flags);
  if (flags.preset && flags.roles)
    throw new UsageError(
      "--roles crosses plumb's role prompts with every question; --preset sends none (the role is each question's metadata.role): give one",
    );
  const profile = requestProfileFor(specs, flags);
  const preset = flags.preset ? await loadKelleyRiedl() : null;
  const questions = await readQuestions(flags.questions);
  const personas = flags.personas ? await readPersonas(flags.personas) : [];
  const roles = await loadRoles(flags.roleFile);
  const roleNames = flags.roles ?? ['advisor', 'peer'];
  if (!preset)
    for (const r of roleNames)
      if (!roles.roles[r])
        throw new UsageError(
          `unknown role '${r}' (the role file has: ${Object.keys(roles.roles).join(', ')})`,
        );
  const maxTokens = flags.maxTokens ?? (preset ? preset.settings.single_turn.max_tokens : 500);
  const prices = await loadPrices(flags.prices);
  return { specs, profile, preset, questions, personas, roles, roleNames, maxTokens, prices };
}

/** --max-cost can only be kept for models with a known price. */
function assertPricedForBudget(flags: GenerateFlags, specs: string[], prices: Prices): void {
  if (flags.maxCost !== undefined)
    for (const spec of specs)
      if (!spec.startsWith('scripted:') && !priceOf(parseJudgeSpec(spec).model, prices))
        throw new UsageError(`--max-cost needs a price for ${spec}: add it with --prices FILE`);
}

/** What every line records of the sampling: no seed is sent under the R code's request profile. */
function samplingSettings(flags: GenerateFlags, profile: RequestProfile, maxTokens: number) {
  return {
    temperature: flags.temperature,
    seed: sendsSeed(profile) ? flags.seed : null,
    max_tokens: maxTokens,
    ...(profile !== 'plumb' ? { request_profile: profile } : {}),
  };
}

/** One labelled target per model under test, each label once. */
async function createTargetRuns(
  flags: GenerateFlags,
  specs: string[],
  rt: Runtime,
  profile: RequestProfile,
  maxTokens: number,
): Promise<TargetRun[]> {
  const targets = [];
  for (const spec of specs)
    targets.push(
      await createTarget(
        spec,
        rt,
        { temperature: flags.temperature, seed: flags.seed, maxTokens },
        { profile },
      ),
    );
  const runs = targets.map((t) => ({ label: targetLabel(t), target: t }));
  if (new Set(runs.map((r) => r.label)).size < runs.length)
    throw new UsageError(`--targets names one model twice (${runs.map((r) => r.label).join(', ')})`);
  if (flags.batch && targets.some((t) => !t.chat))
    throw new UsageError('--batch needs model targets (a scripted target sends nothing)');
  return runs;
}

/** --batch: sends every reply through the provider's batch API first; false when not yet collected. */
function collectThroughBatches(
  flags: GenerateFlags,
  rt: Runtime,
  runs: TargetRun[],
  base: Parameters<typeof generateTasks>[0],
  inputs: GenerateInputs,
  fingerprint: Record<string, unknown>,
  signal: AbortSignal,
) {
  const target = runs[0]!.target;
  return runThroughBatches(
    flags,
    {
      runtime: rt,
      callers: runs.map((r) => r.target.chat!),
      out: flags.out,
      fingerprint,
      signal,
    },
    // the first pass asks the target for every reply: the broker records those not in the cache
    async (final) => {
      if (final) return true;
      const byLabel = new Map(runs.map((r) => [r.label, r.target]));
      await askForEveryReply(
        generateTasks({ ...base, models: runs.map((r) => r.label) }),
        (t) => (t.model ? byLabel.get(t.model)! : target),
        inputs.roles,
        inputs.preset,
      );
      return true;
    },
  );
}

/** Tells how the run ended: stopped, failed, or the summary and the next command. */
function reportGenerate(
  flags: GenerateFlags,
  inputs: GenerateInputs,
  rt: Runtime,
  models: number,
  r: Awaited<ReturnType<typeof runGenerate>>,
): void {
  const { circuit, budget } = rt;
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
    process.stderr.write(`plumb: failed: ${r.failure}. Nothing was published; the lines are in ${r.out}.\n`);
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
  const { preset, questions, roleNames } = inputs;
  if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else
    process.stdout.write(
      `generated ${r.done - r.failed} of ${r.total} replies (${models > 1 ? `${models} models × ` : ''}${questions.length} questions × ${preset ? "each question's own role (the preset sends no role prompt)" : `${roleNames.length} roles`} × ${flags.personalization.length} personalizations × ${flags.samples} sample(s))${r.failed ? `; ${r.failed} failed (kept with an empty response, unscored by score)` : ''}; ${formatCost(r.usage.cost_usd)}\n` +
        `responses: ${r.out}\nnext: npx plumb score --rubric alignment --input ${r.out} --judge <provider:model> --summary runs/alignment.summary.json\n`,
    );
}

/** Output tokens assumed per reply when estimating: GoalPref-Bench asks for about 250 words. */
const ASSUMED_REPLY_TOKENS = 350;

async function dryRun(
  flags: GenerateFlags,
  specs: string[],
  base: Parameters<typeof generateTasks>[0] & { preset: KelleyRiedl | null; maxTokens: number },
  roles: Roles,
  prices: Prices,
) {
  // the requests of one model: every model of --targets sends the same
  const tasks = generateTasks({ ...base, models: undefined });
  let input = 0;
  for (const t of tasks)
    input += await countTokens(
      (await targetMessages(roles, t, base.preset)).map((m) => m.content).join('\n'),
    );
  const output = tasks.length * Math.min(ASSUMED_REPLY_TOKENS, base.maxTokens);
  const rows = specs.map((spec) => {
    const model = spec.startsWith('scripted:') ? null : parseJudgeSpec(spec).model;
    return { target: spec, cost: model ? costOf(priceOf(model, prices), input, output) : 0 };
  });
  const est = {
    dry_run: true,
    requests: tasks.length * specs.length,
    input_tokens: input * specs.length,
    output_tokens: output * specs.length,
    cost_usd: rows.some((r) => r.cost === null) ? null : rows.reduce((a, r) => a + (r.cost ?? 0), 0),
    per_model: rows.map((r) => ({
      target: r.target,
      requests: tasks.length,
      input_tokens: input,
      output_tokens: output,
      cost_usd: r.cost,
    })),
    prices_as_of: PRICES_AS_OF,
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(est, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `dry run: nothing sent.\n\n${table(
      ['target', 'requests', 'input tokens', 'output tokens (est.)', 'cost (est.)'],
      rows.map((r) => [r.target, String(tasks.length), String(input), String(output), formatCost(r.cost)]),
    )}\n\nInput counted with o200k_base; output assumed ${Math.min(ASSUMED_REPLY_TOKENS, base.maxTokens)} tokens a reply. Prices as of ${PRICES_AS_OF}.\n`,
  );
}
