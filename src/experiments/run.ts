import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { countTokens } from '../core/tokens.js';
import { askForEveryReply, generateTasks, runGenerate, targetMessages } from '../generate/run.js';
import { writeFileAtomic } from '../io/atomic.js';
import { createJudge, parseJudgeSpec } from '../judges/create.js';
import { batchCallers, prepareBatch, throughBatches } from '../models/batch/rounds.js';
import { BATCH_DISCOUNT, costOf, loadPrices, type Price, priceOf } from '../models/pricing.js';
import { PROVIDERS, parseModelSpec } from '../models/registry.js';
import type { RequestProfile } from '../models/request-profile.js';
import { type BuiltRuntime, createRuntime } from '../models/runtime.js';
import { contrastPairs, DEFAULT_MATCH } from '../pairwise/inputs.js';
import { runPairwise } from '../pairwise/run.js';
import { createChallenger } from '../probe/challenger.js';
import { createPresetAgents, presetSettings } from '../probe/preset-agents.js';
import { type ProbeTarget, runProbe } from '../probe/run.js';
import { resolvePairwiseRubric, resolveRubric } from '../rubrics/load.js';
import { answerMode } from '../rubrics/pairwise.js';
import { rMultiturnDraws } from '../stats/r-random.js';
import { loadLadder, loadRoles, type Roles } from '../study/config.js';
import { importQuestions } from '../study/importers/index.js';
import {
  isGoalQuestion,
  type Persona,
  type ProbeQuestion,
  readPersonas,
  readQuestions,
} from '../study/inputs.js';
import type { GENERATE_PERSONALIZATIONS } from '../study/personalization.js';
import { type KelleyRiedl, loadKelleyRiedl, mechanicsFor } from '../study/presets/kelley-riedl.js';
import type { ProbeCondition } from '../study/roles.js';
import { createTarget, targetLabel } from '../study/targets.js';
import { levelsOf, planStudy, type Step } from './plan.js';
import { type Study, studyPath } from './schema.js';
import { analyse, writeTables } from './tables.js';

/** `<out>/study-state.json`: which steps finished, for the study file with this hash. */
export interface StudyState {
  kind: 'study-state';
  study: { file: string; hash: string };
  steps: Record<string, { finished_at: string; outputs: string[] }>;
}

export type StudyEvent =
  | { kind: 'step'; step: Step; index: number; total: number; status: 'skipped' | 'running' | 'done' }
  | { kind: 'progress'; step: Step; done: number; total: number; failed: number };

export interface StudyRunOptions {
  /** Overrides the study file's `out` (resolved from the working directory). */
  out?: string;
  /** Refuse before sending when the estimated cost exceeds this; also the run's budget. */
  maxCost?: number;
  signal?: AbortSignal;
  /** Progress, one event per step start/finish and per job. */
  onEvent?: (e: StudyEvent) => void;
  /** The environment models read their keys and base URLs from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** Where the model cache lives (default `<out>/cache`), so a rerun pays nothing twice. */
  cacheDir?: string | null;
  /**
   * Send each step's model calls through the providers' batch APIs (half price): the step's calls
   * are collected, sent in batches answered into the cache, then the step runs from the cache.
   * Every model must have a batch API (OpenAI, Anthropic); scripted models and the lexicon judge
   * send nothing. Resumable like the rest: a rerun collects the batches already submitted.
   */
  batch?: StudyBatchOptions;
}

export interface StudyBatchOptions {
  /** Time between polls of running batches. */
  pollIntervalMs: number;
  /** Requests per batch at most (default: the provider's limit). */
  maxRequests?: number;
  /** Retries of a batch line that errored or expired. */
  maxRetries?: number;
  /** Progress lines of the batches (submissions, waits). */
  log?: (line: string) => void;
}

export interface StudyRunResult {
  out: string;
  complete: boolean;
  /** Why the run stopped early (interrupted, a failure, the budget), in words. */
  stopped: string | null;
  ran: string[];
  skipped: string[];
  tables: string[];
  http_requests: number;
}

export const outOf = (study: Study, o: { out?: string }) =>
  o.out ? resolve(o.out) : studyPath(study, study.out);

const STATE = 'study-state.json';

async function readState(out: string): Promise<StudyState | null> {
  try {
    return JSON.parse(await readFile(resolve(out, STATE), 'utf8')) as StudyState;
  } catch {
    return null;
  }
}

/**
 * A changed study file is **refused**, not re-planned: the finished steps were made from the old
 * one, and mixing them into new tables would report figures no single design produced.
 */
function checkState(state: StudyState | null, study: Study, out: string): StudyState {
  if (state && state.study.hash !== study.hash)
    throw new UsageError(
      `${study.path} has changed since ${out} was started (its sha256 was ${state.study.hash.slice(0, 12)}…, now ${study.hash.slice(0, 12)}…): the finished steps belong to the old study. Run it into another folder (--out DIR), or delete ${resolve(out, STATE)} to start over (the model cache in ${resolve(out, 'cache')} still answers what was already asked).`,
    );
  return state ?? { kind: 'study-state', study: { file: study.path, hash: study.hash }, steps: {} };
}

/** A model spec of the study file: a scripted file's path is resolved from the study's folder. */
const specAt = (study: Study, spec: string) =>
  spec.startsWith('scripted:') ? `scripted:${studyPath(study, spec.slice('scripted:'.length))}` : spec;

/** The request profile of a model: the R code's bodies under the preset (not for anthropic:), else plumb's. */
const profileFor = (study: Study, spec: string): RequestProfile =>
  study.preset && !spec.startsWith('anthropic:') ? 'goalpref-r' : 'plumb';

/**
 * An arm on questions with a correct answer and a counter-claim (MMLU-Pro): under the preset it
 * runs plumb's answer-sycophancy probe, not the preset's GoalPref agents (probeStep).
 */
const isAnswerArm = (questions: readonly ProbeQuestion[]) =>
  questions.every((q) => q.answer !== undefined && q.counter_claim !== undefined);

/** Every model the study sends requests to (lexicon and scripted ones send none). */
function apiModels(study: Study): string[] {
  const all = [
    ...study.targets,
    study.judge.model,
    ...(study.multiturn?.judge ? [study.multiturn.judge] : []),
    ...(study.multiturn?.arms ?? []).flatMap((a) => (a.challenger ? [a.challenger] : [])),
  ];
  return [...new Set(all)].filter((m) => m !== 'lexicon' && !m.startsWith('scripted:'));
}

/**
 * What would fail partway is refused before anything is sent: `--batch` with a model whose
 * provider has no batch API (OpenRouter and other OpenAI-compatible servers, ollama), and, under
 * the preset, a dimension whose rubric answers through a JSON schema the R code's judge body
 * cannot carry.
 */
async function checkStudy(study: Study, batch: boolean): Promise<void> {
  const models = apiModels(study);
  if (batch) {
    const without = models.filter((m) => !PROVIDERS[parseModelSpec(m).provider]?.batchApi);
    if (without.length)
      throw new UsageError(
        `--batch: ${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} no batch API (openai: and anthropic: do; OpenAI-compatible servers such as OpenRouter, and ollama, do not): run the study without --batch`,
      );
  }
  const judge = study.judge.model;
  if (!models.includes(judge) || profileFor(study, judge) !== 'goalpref-r') return;
  for (const d of study.datasets)
    for (const dim of d.dimensions) {
      const rubric = await resolvePairwiseRubric(dim);
      if (answerMode(rubric) !== 'label')
        throw new UsageError(
          `${study.path}: data set '${d.name}', dimension ${dim}: under the preset the judge is sent the R code's bare-answer body, but ${rubric.id}@${rubric.version} answers through a JSON schema — use a rubric with answer: label, or an anthropic: judge (plumb's bodies)`,
        );
    }
}

interface Context {
  study: Study;
  out: string;
  rt: BuiltRuntime;
  batch: StudyBatchOptions | null;
  maxCost?: number;
  preset: KelleyRiedl | null;
  roles: Roles;
  personas: Persona[];
  signal?: AbortSignal;
  onEvent?: (e: StudyEvent) => void;
}

async function importStep(c: Context, s: Extract<Step, { kind: 'import' }>) {
  const questions = await importedQuestions(c.study, s.dataset);
  await writeFileAtomic(s.out, `${questions.map((q) => JSON.stringify(q)).join('\n')}\n`);
}

async function importedQuestions(study: Study, d: Extract<Step, { kind: 'import' }>['dataset']) {
  const { questions } = await importQuestions(d.importer, studyPath(study, d.file), {
    ...(d.sample !== undefined ? { sample: d.sample, seed: d.seed ?? 0 } : {}),
  });
  // the data set's context, as the study names it
  return d.role ? questions.map((q) => ({ ...q, metadata: { ...q.metadata, role: d.role } })) : questions;
}

const maxTokensOf = (c: Pick<Context, 'study' | 'preset'>) =>
  c.study.generation.max_tokens ?? (c.preset ? c.preset.settings.single_turn.max_tokens : 500);

function generateBase(c: Pick<Context, 'study' | 'preset' | 'personas'>, questions: ProbeQuestion[]) {
  return {
    questions,
    personas: c.personas,
    roleNames: c.study.roles,
    personalizations: levelsOf(c.study) as (typeof GENERATE_PERSONALIZATIONS)[number][],
    samples: c.study.generation.samples,
    seed: c.study.generation.seed,
    preset: c.preset,
  };
}

function stopped(
  r: { stoppedBecause?: string | null; failure?: string | null; complete: boolean },
  c: Context,
) {
  if (r.complete) return null;
  if (r.failure) return `failed: ${r.failure}`;
  const why = r.stoppedBecause;
  return why === 'provider'
    ? `the provider cannot answer: ${c.rt.circuit.reason}`
    : why === 'budget'
      ? `the --max-cost budget would have been exceeded ($${c.rt.budget?.spentUsd.toFixed(4)} spent)`
      : (why ?? 'interrupted');
}

/**
 * A step's run, through batches when the study runs with `batch` (throughBatches: collecting
 * passes whose calls the broker records, the batches that answer them into the cache, then the
 * final pass from the cache), else as it is. A string when it stopped: why.
 */
async function throughStepBatches<R>(
  c: Context,
  s: Step,
  models: unknown[],
  fingerprint: Record<string, unknown>,
  pass: (final: boolean) => Promise<R>,
  more: { maxRounds?: number } = {},
): Promise<R | { stopped: string }> {
  if (!c.batch) return pass(true);
  // each step's batch manifest: <out>/batches/<step id>.batches.jsonl (what was submitted, for a resume)
  await mkdir(resolve(c.out, 'batches'), { recursive: true });
  const outcome = await throughBatches(
    {
      runtime: c.rt,
      callers: batchCallers(models),
      out: resolve(c.out, 'batches', s.id.replace(/\//g, '__')),
      fingerprint: { step: s.id, study: c.study.hash, ...fingerprint },
      signal: c.signal ?? new AbortController().signal,
      maxRetries: c.batch.maxRetries ?? 4,
      maxRequests: c.batch.maxRequests,
      pollIntervalMs: c.batch.pollIntervalMs,
      maxCostUsd: c.maxCost,
      log: c.batch.log ?? (() => {}),
      ...more,
    },
    pass,
  );
  return outcome.ok
    ? outcome.value
    : { stopped: outcome.stopped === 'interrupted' ? `interrupted (${outcome.message})` : outcome.message };
}

const isStopped = (r: unknown): r is { stopped: string } =>
  typeof r === 'object' && r !== null && 'stopped' in r && Object.keys(r).length === 1;

async function generateStep(c: Context, s: Extract<Step, { kind: 'generate' }>): Promise<string | null> {
  const questions = await readQuestions(s.questions);
  const profile = profileFor(c.study, s.target);
  const g = c.study.generation;
  const maxTokens = maxTokensOf(c);
  const target = await createTarget(
    specAt(c.study, s.target),
    c.rt,
    { temperature: g.temperature, seed: g.seed, maxTokens },
    { profile },
  );
  const base = generateBase(c, questions);
  const collected = await throughStepBatches(
    c,
    s,
    [target.chat],
    { target: target.stamp, max_tokens: maxTokens, temperature: g.temperature },
    // the collecting pass asks the target for every reply: the broker records those not in the cache
    async (final) => {
      if (final) return true;
      await askForEveryReply(generateTasks(base), () => target, c.roles, c.preset);
      return true;
    },
  );
  if (isStopped(collected)) return collected.stopped;
  const r = await runGenerate({
    ...base,
    questionsFile: s.questions,
    target,
    targets: [{ label: targetLabel(target), target }],
    roles: c.roles,
    settings: {
      temperature: g.temperature,
      seed: profile === 'plumb' ? g.seed : null,
      max_tokens: maxTokens,
      ...(profile !== 'plumb' ? { request_profile: profile } : {}),
    },
    out: s.out,
    concurrency: c.study.concurrency,
    signal: c.signal,
    stopReason: () => (c.rt.circuit.reason ? 'provider' : c.rt.budget?.exhausted ? 'budget' : null),
    onProgress: (p) =>
      c.onEvent?.({ kind: 'progress', step: s, done: p.done, total: p.total, failed: p.failed }),
  });
  return stopped(r, c);
}

async function pairwiseStep(c: Context, s: Extract<Step, { kind: 'pairwise' }>): Promise<string | null> {
  const rubric = await resolvePairwiseRubric(s.dimension);
  // under the preset, the released judge's bodies (an anthropic: judge keeps plumb's)
  const judge = await createJudge(specAt(c.study, c.study.judge.model), c.rt, {
    profile: profileFor(c.study, c.study.judge.model),
  });
  const source = await contrastPairs(
    s.responses,
    { field: 'personalization', a: 'none', b: s.level },
    DEFAULT_MATCH,
  );
  const r = await throughStepBatches(
    c,
    s,
    [judge],
    { rubric: rubric.hash, judge: judge.pairStamp() },
    (final) =>
      runPairwise({
        rubric,
        judges: [judge],
        source,
        // a collecting pass writes nothing
        out: final ? s.out : null,
        summaryPath: final ? s.summary : null,
        orders: c.study.judge.orders,
        samples: c.study.judge.samples,
        seed: c.study.judge.seed,
        concurrency: c.study.concurrency,
        signal: c.signal,
        stopReason: () => (c.rt.circuit.reason ? 'provider' : c.rt.budget?.exhausted ? 'budget' : null),
        httpRequests: () => c.rt.http.requests,
        onProgress: final
          ? (p) =>
              c.onEvent?.({ kind: 'progress', step: s, done: p.done, total: p.total, failed: p.unscored })
          : undefined,
      }),
  );
  if (isStopped(r)) return r.stopped;
  return stopped(r, c);
}

/** The questions an arm runs (R's draw with r_sample) and, with it, each one's persona. */
function armQuestions(
  arm: Extract<Step, { kind: 'probe' }>['arm'],
  all: ProbeQuestion[],
  personas: Persona[],
) {
  if (arm.r_sample === undefined) return { questions: all, personaOverride: undefined };
  if (arm.r_sample > all.length)
    throw new UsageError(
      `arm '${arm.name}': r_sample ${arm.r_sample} but the data set has ${all.length} questions`,
    );
  const draws = rMultiturnDraws({
    nScenarios: all.length,
    n: arm.r_sample,
    nPersonas: personas.length,
    seed: 456,
  });
  return {
    questions: draws.map((d) => all[d.scenario - 1]!),
    personaOverride: personas.length
      ? new Map(draws.map((d) => [all[d.scenario - 1]!.id, personas[d.persona! - 1]!]))
      : undefined,
  };
}

/** The arm's models under test: the preset's agents for each, or a target with the arm's challenger (if any). */
async function armTargets(
  c: Context,
  arm: Extract<Step, { kind: 'probe' }>['arm'],
  preset: { texts: KelleyRiedl; mechanics: ReturnType<typeof mechanicsFor> } | null,
): Promise<ProbeTarget[]> {
  const runs: ProbeTarget[] = [];
  for (const spec of arm.targets ?? c.study.targets) {
    const profile = profileFor(c.study, spec);
    if (preset) {
      const agents = await createPresetAgents(
        specAt(c.study, spec),
        c.rt,
        preset.texts,
        presetSettings(preset.texts, preset.mechanics, {}),
        { profile, challengerSpec: arm.challenger ? specAt(c.study, arm.challenger) : undefined },
      );
      runs.push({ label: targetLabel(agents.defender), target: agents.defender, agents });
      continue;
    }
    const challenger = arm.challenger
      ? await createChallenger(specAt(c.study, arm.challenger), c.rt, undefined, { profile })
      : null;
    const target = await createTarget(
      specAt(c.study, spec),
      c.rt,
      { temperature: c.study.generation.temperature, seed: 0, maxTokens: 512 },
      { profile },
    );
    runs.push({ label: targetLabel(target), target, challenger });
  }
  return runs;
}

async function probeStep(c: Context, s: Extract<Step, { kind: 'probe' }>): Promise<string | null> {
  const { arm } = s;
  const { questions, personaOverride } = armQuestions(arm, await readQuestions(s.questions), c.personas);
  const judge = await createJudge(specAt(c.study, c.study.multiturn?.judge ?? c.study.judge.model), c.rt);
  // the preset's multi-turn design is GoalPref's (a goal, a preference, its challenger prompts); a
  // data set of questions with a correct answer (MMLU-Pro, the paper's domain-knowledge control)
  // runs plumb's answer-sycophancy probe instead: its own challenges toward the counter-claim
  const preset = isAnswerArm(questions) ? null : c.preset;
  const mechanics = preset ? mechanicsFor(preset, arm.follow) : null;
  const runs = await armTargets(c, arm, preset && mechanics ? { texts: preset, mechanics } : null);
  const stanceRubric = await resolveRubric(questions.every(isGoalQuestion) ? 'goal_alignment' : 'stance');
  const correctnessRubric = await resolveRubric('correctness');
  const ladder = await loadLadder();
  const probeInto = (dir: string, final: boolean) =>
    runProbe({
      questions,
      questionsFile: s.questions,
      personas: c.personas,
      target: runs[0]!.target,
      judge,
      stanceRubric,
      correctnessRubric,
      ladder,
      roles: c.roles,
      turns: arm.turns,
      roleNames: c.study.roles,
      // a preset study sends no role prompt, in the answer arm too (the role is the data set's)
      ...(c.preset ? { rolePrompt: false } : {}),
      personalizations: arm.conditions as ProbeCondition['personalization'][],
      challenger: runs[0]!.challenger ?? null,
      targets: runs,
      preset: preset && mechanics ? { texts: preset, mechanics } : null,
      turnJudging: arm.turn_judging,
      questionChallenges: !(preset || arm.challenger),
      ...(personaOverride ? { personaOverride } : {}),
      seed: c.study.generation.seed,
      out: dir,
      concurrency: c.study.concurrency,
      alpha: 0.05,
      signal: c.signal,
      onProgress: final
        ? (done, total) => c.onEvent?.({ kind: 'progress', step: s, done, total, failed: 0 })
        : undefined,
    });
  const models = [
    judge,
    ...runs.flatMap((r) => [
      r.target.chat,
      r.agents?.opener.chat,
      r.agents && 'chat' in r.agents.challenger ? r.agents.challenger.chat : undefined,
      r.challenger?.chat,
    ]),
  ];
  // a conversation takes one more step per round (a reply, then its verdicts and the next
  // challenge): collecting passes go into a scratch folder, the last pass is the ordinary run
  const r = await throughStepBatches(
    c,
    s,
    [...new Set(models)],
    { targets: runs.map((x) => x.label), judge: judge.stamp, turns: arm.turns },
    async (final) => {
      if (final) return probeInto(s.out, true);
      const scratch = await mkdtemp(join(tmpdir(), 'plumb-study-probe-collect-'));
      try {
        return await probeInto(scratch, false);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
    { maxRounds: 2 * (arm.turns + 1) + 4 },
  );
  if (isStopped(r)) return r.stopped;
  return r.complete ? null : r.failure ? `failed: ${r.failure}` : 'interrupted';
}

async function context(study: Study, o: StudyRunOptions, out: string): Promise<Context> {
  const prices = await loadPrices(study.prices ? studyPath(study, study.prices) : undefined);
  const rt = createRuntime({
    ...(study.base_url ? { baseUrl: study.base_url } : {}),
    cacheDir: o.cacheDir === undefined ? resolve(out, 'cache') : o.cacheDir,
    prices,
    ...(o.maxCost !== undefined ? { maxCostUsd: o.maxCost } : {}),
    ...(o.env ? { env: o.env } : {}),
  });
  // checked before anything runs (the cache is where batch answers wait)
  if (o.batch) prepareBatch(rt, []);
  return {
    study,
    out,
    rt,
    batch: o.batch ?? null,
    maxCost: o.maxCost,
    preset: study.preset ? await loadKelleyRiedl() : null,
    roles: await loadRoles(),
    personas: study.personas ? await readPersonas(studyPath(study, study.personas)) : [],
    signal: o.signal,
    onEvent: o.onEvent,
  };
}

/** Every step's outputs, for the state file. */
function outputsOf(s: Step): string[] {
  if (s.kind === 'pairwise') return [s.out, s.summary];
  if (s.kind === 'analysis') return [resolve(s.out, 'analysis.json'), resolve(s.out, 'tables')];
  return [s.out];
}

/**
 * Runs a study: each step through the library (import, generate, pairwise, probe), then the
 * analysis. A finished step is recorded in `<out>/study-state.json` (written atomically after its
 * outputs are published) and skipped on a rerun; a step cut short (kill -9, Ctrl-C, the budget)
 * runs again, answered from the model cache for every call already made.
 */
export async function runStudy(study: Study, o: StudyRunOptions = {}): Promise<StudyRunResult> {
  await checkStudy(study, Boolean(o.batch));
  const out = outOf(study, o);
  await mkdir(out, { recursive: true });
  const state = checkState(await readState(out), study, out);
  const steps = planStudy(study, out);
  if (o.maxCost !== undefined) {
    const est = await estimateStudy(study, o);
    if (est.cost_usd === null)
      throw new UsageError(
        `--max-cost needs a price for every model (${est.per_model
          .filter((m) => m.cost_usd === null)
          .map((m) => m.model)
          .join(', ')} has none): add it with prices: FILE in the study`,
      );
    if (est.cost_usd > o.maxCost)
      throw new UsageError(
        `the study is estimated at $${est.cost_usd.toFixed(2)}, over --max-cost $${o.maxCost}: nothing was sent (see --dry-run)`,
      );
  }
  const c = await context(study, o, out);
  const ran: string[] = [];
  const skipped: string[] = [];
  let tables: string[] = [];
  for (const [i, s] of steps.entries()) {
    const ev = (status: 'skipped' | 'running' | 'done') =>
      o.onEvent?.({ kind: 'step', step: s, index: i + 1, total: steps.length, status });
    if (state.steps[s.id] && s.kind !== 'analysis') {
      skipped.push(s.id);
      ev('skipped');
      continue;
    }
    ev('running');
    // a fresh broker per step, put in before the step makes its models (they send through it):
    // a broker settles at the end of its run and answers nothing after
    if (o.batch) prepareBatch(c.rt, []);
    let why: string | null = null;
    if (s.kind === 'import') await importStep(c, s);
    else if (s.kind === 'generate') why = await generateStep(c, s);
    else if (s.kind === 'pairwise') why = await pairwiseStep(c, s);
    else if (s.kind === 'probe') why = await probeStep(c, s);
    else {
      const analysis = await analyse(study, steps, out);
      tables = await writeTables(analysis, out);
    }
    if (why)
      return {
        out,
        complete: false,
        stopped: `${s.id}: ${why}`,
        ran,
        skipped,
        tables,
        http_requests: c.rt.http.requests,
      };
    state.steps[s.id] = { finished_at: new Date().toISOString(), outputs: outputsOf(s) };
    await writeFileAtomic(resolve(out, STATE), `${JSON.stringify(state, null, 2)}\n`);
    ran.push(s.id);
    ev('done');
  }
  return { out, complete: true, stopped: null, ran, skipped, tables, http_requests: c.rt.http.requests };
}

export interface ModelEstimate {
  model: string;
  /** What the model does in the study: target, judge, or both. */
  parts: string[];
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  batch_cost_usd: number | null;
}

export interface StudyEstimate {
  dry_run: true;
  study: string;
  out: string;
  steps: { id: string; kind: Step['kind']; requests: number; model: string | null }[];
  per_model: ModelEstimate[];
  requests: number;
  cost_usd: number | null;
  batch_cost_usd: number | null;
  assumptions: string[];
}

/** Output tokens assumed per reply (about 250 words asked for), per label judgement, per probe turn. */
const ASSUMED_REPLY = 350;
const ASSUMED_JUDGEMENT = 200;

/**
 * What a study would send, without sending anything: the data sets are imported in memory (a
 * local read), every generation prompt is rendered and counted (o200k_base), judge prompts are
 * the rubric's text plus the question and two replies of the assumed length.
 */
export async function estimateStudy(
  study: Study,
  o: Pick<StudyRunOptions, 'out'> = {},
): Promise<StudyEstimate> {
  const out = outOf(study, o);
  await checkStudy(study, false);
  const steps = planStudy(study, out);
  const prices = await loadPrices(study.prices ? studyPath(study, study.prices) : undefined);
  const preset = study.preset ? await loadKelleyRiedl() : null;
  const c = {
    study,
    preset,
    personas: study.personas ? await readPersonas(studyPath(study, study.personas)) : [],
  };
  const questions = new Map<string, ProbeQuestion[]>();
  for (const d of study.datasets) questions.set(d.name, await importedQuestions(study, d));
  const gen = await generationPrompts(c, questions, await loadRoles());
  const tally = new ModelTally();
  const rows: StudyEstimate['steps'] = [];
  for (const s of steps) {
    if (s.kind === 'generate') {
      const g = gen.get(s.dataset.name)!;
      const reply = Math.min(ASSUMED_REPLY, maxTokensOf(c));
      rows.push({ id: s.id, kind: s.kind, requests: isFree(s.target) ? 0 : g.requests, model: s.target });
      if (!isFree(s.target)) tally.add(s.target, 'target', g.requests, g.input, g.requests * reply);
    } else if (s.kind === 'pairwise') {
      const requests = await estimatePairwise(study, s, gen.get(s.dataset.name)!, tally);
      rows.push({ id: s.id, kind: s.kind, requests, model: study.judge.model });
    } else if (s.kind === 'probe') {
      const requests = estimateProbe(
        study,
        s,
        questions.get(s.dataset.name)!,
        gen.get(s.dataset.name)!,
        tally,
      );
      rows.push({ id: s.id, kind: s.kind, requests, model: null });
    } else rows.push({ id: s.id, kind: s.kind, requests: 0, model: null });
  }
  const per_model = tally.priced(prices);
  const sum = (k: 'cost_usd' | 'batch_cost_usd') =>
    per_model.some((m) => m[k] === null) ? null : per_model.reduce((a, m) => a + (m[k] ?? 0), 0);
  return {
    dry_run: true,
    study: study.path,
    out,
    steps: rows,
    per_model,
    requests: per_model.reduce((a, m) => a + m.requests, 0),
    cost_usd: sum('cost_usd'),
    batch_cost_usd: sum('batch_cost_usd'),
    assumptions: [
      'input tokens counted with o200k_base on the rendered generation prompts',
      `a reply is assumed ${ASSUMED_REPLY} tokens (judge prompts carry two), a structured judgement ${ASSUMED_JUDGEMENT} tokens (a bare-label rubric its max_tokens)`,
      'a probe turn carries the opening and every earlier exchange at the assumed length',
      `batch price: ${BATCH_DISCOUNT * 100} % of list (OpenAI and Anthropic batch APIs)`,
      'requests the model cache already answered are counted: a resumed study costs less',
    ],
  };
}

/** Lexicon and scripted models send no request. */
const isFree = (spec: string) => spec === 'lexicon' || spec.startsWith('scripted:');

/** Per data set, the generation prompts of one target, counted once: requests, input tokens, the mean opening. */
type GenerationCount = { requests: number; input: number; opening: number };

async function generationPrompts(
  c: Parameters<typeof generateBase>[0],
  questions: Map<string, ProbeQuestion[]>,
  roles: Roles,
): Promise<Map<string, GenerationCount>> {
  const gen = new Map<string, GenerationCount>();
  for (const d of c.study.datasets) {
    const tasks = generateTasks(generateBase(c, questions.get(d.name)!));
    let input = 0;
    for (const t of tasks)
      input += await countTokens((await targetMessages(roles, t, c.preset)).map((m) => m.content).join('\n'));
    gen.set(d.name, { requests: tasks.length, input, opening: tasks.length ? input / tasks.length : 0 });
  }
  return gen;
}

/** Requests and tokens per model, and what each does in the study; priced at the end. */
class ModelTally {
  private readonly acc = new Map<string, ModelEstimate>();

  add(model: string, part: string, requests: number, input: number, output: number): void {
    const m = this.acc.get(model) ?? {
      model,
      parts: [],
      requests: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
      batch_cost_usd: 0,
    };
    if (!m.parts.includes(part)) m.parts.push(part);
    m.requests += requests;
    m.input_tokens += Math.round(input);
    m.output_tokens += Math.round(output);
    this.acc.set(model, m);
  }

  priced(prices: Awaited<ReturnType<typeof loadPrices>>): ModelEstimate[] {
    return [...this.acc.values()].map((m) => {
      const price: Price | undefined = priceOf(parseJudgeSpec(m.model).model, prices);
      const cost = costOf(price, m.input_tokens, m.output_tokens);
      return { ...m, cost_usd: cost, batch_cost_usd: cost === null ? null : cost * BATCH_DISCOUNT };
    });
  }
}

/** One pairwise step: a request per pair, order and sample; the prompt is the rubric's, the opening and two replies. */
async function estimatePairwise(
  study: Study,
  s: Extract<Step, { kind: 'pairwise' }>,
  g: GenerationCount,
  tally: ModelTally,
): Promise<number> {
  const rubric = await resolvePairwiseRubric(s.dimension);
  const pairs = g.requests / levelsOf(study).length;
  const perPair = (study.judge.orders === 'both' ? 2 : 1) * study.judge.samples;
  const requests = isFree(study.judge.model) ? 0 : pairs * perPair;
  const prompt =
    (await countTokens(`${rubric.instructions}\n${rubric.user_template ?? ''}`)) +
    g.opening +
    2 * ASSUMED_REPLY;
  if (requests)
    tally.add(
      study.judge.model,
      'judge',
      requests,
      requests * prompt,
      requests * (rubric.max_tokens ?? ASSUMED_JUDGEMENT),
    );
  return requests;
}

/**
 * One multi-turn arm: per conversation, T + 1 target turns and as many judgements, T challenges
 * from the challenger model when there is one (the preset's: the target itself; an answer arm and
 * a study without the preset use plumb's ladder unless the arm names a challenger).
 */
function estimateProbe(
  study: Study,
  s: Extract<Step, { kind: 'probe' }>,
  questions: ProbeQuestion[],
  g: GenerationCount,
  tally: ModelTally,
): number {
  const conversations = (s.arm.r_sample ?? questions.length) * s.arm.conditions.length;
  const T = s.arm.turns;
  // turn k's request carries the opening and k earlier exchanges of the assumed length
  let targetIn = 0;
  for (let k = 0; k <= T; k++) targetIn += g.opening + k * 2 * ASSUMED_REPLY;
  const presetAgents = Boolean(study.preset) && !isAnswerArm(questions);
  const judge = study.multiturn?.judge ?? study.judge.model;
  let total = 0;
  for (const spec of s.arm.targets ?? study.targets) {
    const challenger = s.arm.challenger ?? (presetAgents ? spec : null);
    // per conversation: requests, input tokens, output tokens
    const parts: [model: string | null, part: string, requests: number, input: number, output: number][] = [
      [spec, 'target', T + 1, targetIn, (T + 1) * ASSUMED_REPLY],
      [challenger, 'challenger', T, targetIn - g.opening, T * ASSUMED_REPLY],
      [judge, 'judge', T + 1, targetIn, (T + 1) * ASSUMED_JUDGEMENT],
    ];
    for (const [model, part, requests, input, output] of parts) {
      if (!model || isFree(model)) continue;
      tally.add(model, part, conversations * requests, conversations * input, conversations * output);
      total += conversations * requests;
    }
  }
  return total;
}
