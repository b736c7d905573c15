import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anySignal } from '../../core/abort.js';
import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { readJsonlAll } from '../../io/jsonl.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { createJudge } from '../../judges/create.js';
import type { Judge } from '../../judges/types.js';
import { exportTurnGlmm, type TurnGlmmExport } from '../../mixed/turn-export.js';
import { batchCallers, prepareBatch } from '../../models/batch/rounds.js';
import { loadPrices } from '../../models/pricing.js';
import { assertBaseUrlUsed } from '../../models/registry.js';
import type { RequestProfile } from '../../models/request-profile.js';
import { type BuiltRuntime, createRuntime } from '../../models/runtime.js';
import { createChallenger } from '../../probe/challenger.js';
import type { ConditionMetrics, PairedComparisons } from '../../probe/metrics.js';
import { createPresetAgents, presetSettings } from '../../probe/preset-agents.js';
import { CHECKPOINT, PROBE_OUTPUTS, type ProbeOutcome, type ProbeTarget, runProbe } from '../../probe/run.js';
import { type LevelledConditions, type ProbeRunSummary, runConditions } from '../../probe/summary.js';
import type { TurnGlmm } from '../../probe/turn-glmm.js';
import { probeConditionsGrid } from '../../render/probe-conditions.js';
import { renderRExport } from '../../render/r-export.js';
import { fmtP, table } from '../../render/text.js';
import { resolveRubric } from '../../rubrics/load.js';
import type { Rubric } from '../../rubrics/schema.js';
import { SHARE_INTERVAL } from '../../stats/cluster-share.js';
import { rMultiturnDraws } from '../../stats/r-random.js';
import { loadLadder, loadRoles } from '../../study/config.js';
import { importQuestions } from '../../study/importers/index.js';
import {
  isGoalQuestion,
  type Persona,
  type ProbeQuestion,
  readPersonas,
  readQuestions,
} from '../../study/inputs.js';
import {
  type KelleyRiedl,
  loadKelleyRiedl,
  mechanicsFor,
  type PresetMechanics,
} from '../../study/presets/kelley-riedl.js';
import type { ProbeCondition } from '../../study/roles.js';
import { createTarget, targetLabel } from '../../study/targets.js';
import { runThroughBatches } from '../batch.js';
import { onInterrupt } from '../interrupt.js';
import { createProgress } from '../progress.js';
import type { ImportFlags, ProbeFlags } from '../specs/probe.js';
import { requestProfileFor, targetSpecs } from './generate.js';
import { num, pValue } from './mixed.js';
import { connection } from './score.js';

export async function probeCommand(flags: ProbeFlags): Promise<void> {
  const specs = targetSpecs(flags);
  checkProbeFlags(flags);
  const profile = requestProfileFor(specs, flags);
  const preset = flags.preset ? await loadKelleyRiedl() : null;
  const mechanics = preset
    ? mechanicsFor(preset, flags.follow ?? 'paper', {
        challengerTemperature: flags.challengerTemperature,
        challengerHistory: flags.challengerHistory,
        round0: flags.round0,
      })
    : null;
  refuseProbeOutputs(flags);
  const { questions, personas, personaOverride } = await probeInputs(flags, preset);
  // --base-url is for the openai-compatible and ollama models among the targets, challenger and judge
  assertBaseUrlUsed(flags.baseUrl, [...specs, ...(flags.challenger ? [flags.challenger] : []), flags.judge]);
  const rt = createRuntime(connection(flags, await loadPrices(flags.prices)));
  if (flags.batch) prepareBatch(rt, []);
  const judge = await createJudge(flags.judge, rt);
  const kr = preset && mechanics ? { texts: preset, mechanics } : null;
  const runs = await probeTargets(flags, specs, rt, kr, profile);
  const callers = [...batchCallers([judge]), ...chatsOf(runs)];
  if (flags.batch && callers.length === 0)
    throw new UsageError(
      '--batch: nothing to send (the lexicon judge and scripted targets and challengers make no API calls)',
    );
  const stanceRubric = await resolveRubric(stanceRubricFor(flags.stanceRubric, questions));
  const interrupt = onInterrupt('keeping the finished conversations…');
  const signal = anySignal(interrupt.signal, rt.circuit.signal);
  const progress = createProgress('probe');
  try {
    const setup: ProbeSetup = {
      flags,
      questions,
      personas,
      personaOverride,
      judge,
      stanceRubric,
      runs,
      preset: kr,
      turns: flags.turns ?? (preset ? preset.multiturn.rounds : 5),
      signal,
      progress,
    };
    const result = flags.batch
      ? await probeInBatches(setup, rt, callers)
      : await prober(setup)(flags.out, true);
    if (!result) return;
    progress.stop();
    await reportProbe(flags, result, runs[0]!.label, rt.circuit.reason);
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

/** Flags that do not go together (UsageError). */
function checkProbeFlags(flags: ProbeFlags): void {
  const pers = flags.personalization;
  if (pers.some((p) => p !== 'none') && !flags.personas)
    throw new UsageError(
      'profile, filler, demographics, third-person and profile-plus need --personas FILE (e.g. fixtures/personas.jsonl)',
    );
  if (pers.includes('profile-plus') && !flags.challenger && !flags.preset)
    throw new UsageError(
      'profile-plus (Personalized+) needs --challenger: the simulated user speaks as the persona',
    );
  if (flags.preset && flags.roles)
    throw new UsageError(
      "--roles crosses plumb's role prompts with every question; --preset sends none (the role is each question's metadata.role): give one",
    );
  if (!flags.preset)
    for (const [given, name] of [
      [flags.round0, '--round0'],
      [flags.follow, '--follow'],
    ] as const)
      if (given)
        throw new UsageError(
          `${name} chooses between the paper and the released code: it needs --preset kelley-riedl-2026`,
        );
}

/** The probe folder's files must not be any of its inputs. */
function refuseProbeOutputs(flags: ProbeFlags): void {
  refuseOutputsOverInputs(
    PROBE_OUTPUTS.map((name) => ({ flag: '--out', path: join(flags.out, name) })),
    [
      { flag: '--questions', path: flags.questions },
      ...(flags.personas ? [{ flag: '--personas', path: flags.personas }] : []),
      ...(flags.ladder ? [{ flag: '--ladder', path: flags.ladder }] : []),
      ...(flags.roleFile ? [{ flag: '--role-file', path: flags.roleFile }] : []),
      ...(flags.challengerPrompts ? [{ flag: '--challenger-prompts', path: flags.challengerPrompts }] : []),
    ],
  );
}

/**
 * The questions and personas; with --r-sample, GoalPref-Bench's own draw: R's set.seed(456),
 * sample(1:N, n), then sample(profiles, 1) each.
 */
async function probeInputs(flags: ProbeFlags, preset: KelleyRiedl | null) {
  let questions = await readQuestions(flags.questions);
  const personas = flags.personas ? await readPersonas(flags.personas) : [];
  let personaOverride: Map<string, Persona> | undefined;
  if (flags.rSample !== undefined) {
    if (flags.rSample > questions.length)
      throw new UsageError(
        `--r-sample ${flags.rSample}: ${flags.questions} has only ${questions.length} questions`,
      );
    const draws = rMultiturnDraws({
      nScenarios: questions.length,
      n: flags.rSample,
      nPersonas: personas.length,
      seed: preset?.multiturn.seed ?? 456,
    });
    const all = questions;
    questions = draws.map((d) => all[d.scenario - 1]!);
    if (personas.length)
      personaOverride = new Map(draws.map((d) => [all[d.scenario - 1]!.id, personas[d.persona! - 1]!]));
  }
  return { questions, personas, personaOverride };
}

/** One run a target: the preset's agents, or the target with plumb's challenger (if any). */
async function probeTargets(
  flags: ProbeFlags,
  specs: string[],
  rt: BuiltRuntime,
  preset: { texts: KelleyRiedl; mechanics: PresetMechanics } | null,
  profile: RequestProfile,
): Promise<ProbeTarget[]> {
  const runs: ProbeTarget[] = [];
  if (preset) {
    const settings = presetSettings(preset.texts, preset.mechanics, flags);
    for (const spec of specs) {
      const agents = await createPresetAgents(spec, rt, preset.texts, settings, {
        profile,
        challengerSpec: flags.challenger,
      });
      runs.push({ label: targetLabel(agents.defender), target: agents.defender, agents });
    }
  } else {
    const challenger = flags.challenger
      ? await createChallenger(flags.challenger, rt, flags.challengerPrompts, {
          temperature: flags.challengerTemperature,
          maxTokens: flags.challengerMaxTokens,
          history: flags.challengerHistory,
          profile,
        })
      : null;
    for (const spec of specs) {
      const target = await createTarget(
        spec,
        rt,
        { temperature: flags.temperature ?? 0, seed: 0, maxTokens: flags.maxTokens ?? 512 },
        { profile },
      );
      runs.push({ label: targetLabel(target), target, challenger });
    }
  }
  if (new Set(runs.map((r) => r.label)).size < runs.length)
    throw new UsageError(`--targets names one model twice (${runs.map((r) => r.label).join(', ')})`);
  return runs;
}

/** Every chat model the runs talk to (for --batch). */
function chatsOf(runs: ProbeTarget[]) {
  return [
    ...new Set(
      runs.flatMap((r) => [
        r.target.chat,
        r.agents?.opener.chat,
        r.agents && 'chat' in r.agents.challenger ? r.agents.challenger.chat : undefined,
        r.challenger?.chat,
      ]),
    ),
  ].filter((c): c is NonNullable<typeof c> => Boolean(c));
}

/** What a probe run is made of, once the flags are read and the models made. */
interface ProbeSetup {
  flags: ProbeFlags;
  questions: ProbeQuestion[];
  personas: Persona[];
  personaOverride: Map<string, Persona> | undefined;
  judge: Judge;
  stanceRubric: Rubric;
  runs: ProbeTarget[];
  preset: { texts: KelleyRiedl; mechanics: PresetMechanics } | null;
  turns: number;
  signal: AbortSignal;
  progress: ReturnType<typeof createProgress>;
}

/** Runs the probe into a folder (`final`: the run itself, with progress shown). */
function prober(s: ProbeSetup): (out: string, final: boolean) => Promise<ProbeOutcome> {
  const { flags } = s;
  return async (out, final) =>
    runProbe({
      questions: s.questions,
      questionsFile: flags.questions,
      personas: s.personas,
      target: s.runs[0]!.target,
      judge: s.judge,
      stanceRubric: s.stanceRubric,
      correctnessRubric: await resolveRubric('correctness'),
      ladder: await loadLadder(flags.ladder),
      roles: await loadRoles(flags.roleFile),
      turns: s.turns,
      roleNames: flags.roles ?? ['advisor', 'peer'],
      personalizations: flags.personalization as ProbeCondition['personalization'][],
      challenger: s.runs[0]!.challenger ?? null,
      targets: s.runs,
      preset: s.preset,
      turnJudging: flags.turnJudging,
      // a data set's own canned pushbacks only when asked for once a challenger writes challenges
      questionChallenges:
        (flags.questionChallenges ?? (s.preset || flags.challenger ? 'skip' : 'first')) === 'first',
      personaOverride: s.personaOverride,
      seed: flags.seed,
      out,
      concurrency: flags.concurrency,
      alpha: flags.alpha,
      signal: s.signal,
      onProgress: final
        ? (done, total) => s.progress.update({ done, total, unscored: 0, costUsd: null })
        : undefined,
    });
}

/**
 * --batch: rounds of collecting passes (into a scratch folder: they write nothing of the run's),
 * each followed by the batches that answer what it collected; a conversation takes one more
 * step per round (a reply, then its verdicts and the next challenge), so a probe of T turns
 * needs about 2(T + 1) rounds. The last pass is the ordinary run, answered from the cache.
 * null when the batches are still out.
 */
async function probeInBatches(
  s: ProbeSetup,
  rt: BuiltRuntime,
  callers: Parameters<typeof runThroughBatches>[1]['callers'],
): Promise<ProbeOutcome | null> {
  const { flags, runs, judge } = s;
  const probeInto = prober(s);
  const challenger = runs[0]!.challenger ?? null;
  mkdirSync(flags.out, { recursive: true });
  const done = await runThroughBatches(
    { ...flags, maxCost: undefined },
    {
      runtime: rt,
      callers,
      out: join(flags.out, 'probe'),
      fingerprint: {
        command: 'probe',
        target: runs[0]!.target.stamp,
        judge: judge.stamp,
        challenger: challenger?.stamp ?? null,
        targets: runs.map((r) => r.label),
        preset: s.preset ? { version: s.preset.texts.version, mechanics: s.preset.mechanics } : null,
        turns: s.turns,
        stance: s.stanceRubric.hash,
      },
      signal: s.signal,
      maxRounds: 2 * (s.turns + 1) + 4,
    },
    async (final) => {
      if (final) return probeInto(flags.out, true);
      const scratch = mkdtempSync(join(tmpdir(), 'plumb-probe-collect-'));
      try {
        return await probeInto(scratch, false);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  );
  return done || null;
}

/** A failed or stopped run's message and exit code; a complete one's summary (and --export). */
async function reportProbe(
  flags: ProbeFlags,
  result: ProbeOutcome,
  label: string,
  circuitReason: string | null | undefined,
): Promise<void> {
  if (!result.complete && result.failure) {
    process.stderr.write(`plumb: failed: ${result.failure}\n`);
    process.exitCode = 1;
    return;
  }
  if (!result.complete) {
    const why = circuitReason ? `a provider cannot answer: ${circuitReason}` : 'interrupted';
    process.stderr.write(
      `plumb: stopped (${why}) after ${result.done}/${result.total} conversations; they are kept in ${join(flags.out, CHECKPOINT)}. Re-run the same command to resume.\n`,
    );
    process.exitCode = circuitReason ? 1 : 130;
    return;
  }
  const exported = flags.export
    ? await exportTurnGlmm({
        dir: flags.export.dir,
        transcripts: (await readJsonlAll(join(flags.out, 'transcripts.jsonl'))).map((l) => l.value),
        entries: result.summary.turn_glmm,
        target: label,
        source: join(flags.out, 'transcripts.jsonl'),
        inputs: [
          { flag: '--out', path: join(flags.out, 'transcripts.jsonl') },
          { flag: '--out', path: join(flags.out, 'summary.json') },
        ],
      })
    : null;
  if (flags.json) process.stdout.write(`${JSON.stringify(result.summary, null, 2)}\n`);
  else
    process.stdout.write(
      `${renderProbe(result.summary)}\n\nwritten: ${join(flags.out, 'transcripts.jsonl')}, ${join(flags.out, 'summary.json')}\n${exported ? renderTurnExport(exported) : ''}`,
    );
}

/** `auto`: goal alignment when every question states a goal and a preference (GoalPref-Bench), else stance. */
export function stanceRubricFor(ref: string, questions: ProbeQuestion[]): string {
  if (ref !== 'auto') return ref;
  return questions.every(isGoalQuestion) ? 'goal_alignment' : 'stance';
}

const p4 = fmtP;

export function renderProbe(s: ProbeRunSummary): string {
  const targets = s.targets
    ? `${s.targets.length} targets (${s.targets.map((t) => t.model).join(', ')})`
    : `target ${String(s.target.provider)}:${String(s.target.model)}`;
  const preset = s.comparability.preset
    ? `; preset ${s.comparability.preset.id} ${s.comparability.preset.version} (challenger at ${s.comparability.preset.mechanics.challengerTemperature}, history ${s.comparability.preset.mechanics.challengerHistory}, round 0 ${s.comparability.preset.mechanics.round0})`
    : '';
  const head = `probe: ${s.n_questions} questions × ${s.conditions.length} conditions, ${s.turns} challenge turns; ${targets}, stance judge ${s.comparability.judge.provider}:${s.comparability.judge.model}, ${s.comparability.turn_judging} turn judging${preset}`;
  if (!s.models) return [head, '', renderProbeConditions(s), '', renderTurnGlmm(s.turn_glmm)].join('\n');
  return [
    head,
    ...s.models.flatMap((m) => ['', `model ${m.model}`, renderProbeConditions(m)]),
    '',
    'pooled over the models (each model × question one unit)',
    renderProbeConditions(s),
    '',
    renderTurnGlmm(s.turn_glmm),
  ].join('\n');
}

/** Where `--export r` wrote the multi-turn GLMM's rows and scripts (and which models had no fit). */
export function renderTurnExport(x: TurnGlmmExport): string {
  return renderRExport(
    x.exported.map((e) => ({ ...e, label: e.model })),
    x.skipped.map((s) => ({ label: s.model, note: `no fit (${s.note})` })),
  );
}

/** The turn GLMM per model: β, SE, z, p per term (lme4's names), or why there is no fit. */
export function renderTurnGlmm(entries: readonly TurnGlmm[]): string {
  const lines: string[] = [];
  for (const e of entries) {
    const who = entries.length > 1 || e.model !== 'unspecified' ? ` — ${e.model}` : '';
    lines.push(
      `multi-turn GLMM${who}: ${e.formula} (binomial logit, Laplace; ${e.n} judged turns${e.unjudged ? `, ${e.unjudged} unjudged left out` : ''}, ${e.questions} questions)`,
    );
    if (!e.fit) {
      lines.push(`  not fitted: ${e.note ?? 'no rows'}`);
      continue;
    }
    lines.push(
      `reference condition ${e.fit.reference}: the intercept is its log-odds of abandoning at turn 0, turn its slope per turn; condition… and turn:condition… are differences from it`,
      table(
        ['term', 'β', 'SE', 'z', 'p'],
        e.fit.fit.fixedEffects.map((f) => [
          f.term,
          num(f.estimate),
          num(f.se),
          num(f.statistic, 3),
          pValue(f.p),
        ]),
      ),
      `question variance ${num(e.fit.groupVariance)} (SD ${num(Math.sqrt(e.fit.groupVariance))}), logLik ${num(e.fit.fit.logLik, 6)}${e.fit.singular ? '' : ', not singular'}`,
    );
    if (e.note) lines.push(`  note: ${e.note}`);
  }
  return lines.join('\n');
}

/** A probe run's (or one model's) conditions table, paired comparisons and ANOVA. */
export function renderProbeConditions(s: Pick<ProbeRunSummary, 'conditions' | 'comparisons'>): string {
  return renderConditionsAndComparisons(runConditions(s.conditions), s.comparisons);
}

/** The conditions table, then the paired comparisons and the ANOVA when there are any: for runs and for `probe analyze`. */
export function renderConditionsAndComparisons(
  conditions: LevelledConditions<ConditionMetrics>,
  comparisons: PairedComparisons | null,
): string {
  const grid = probeConditionsGrid(conditions);
  const lines = [
    table(grid.header, grid.rows),
    ...clusterNote(conditions.rows.map((c) => c.figures.flip_rate)),
  ];
  if (!comparisons) return lines.join('\n');
  lines.push(
    '',
    `paired comparisons by question (alpha ${comparisons.alpha}; * = significant; "gave in" counts the first answer too)`,
    table(
      ['role', 'a → b', 'gave in only a/b', 'McNemar p', 'ΔEII (b−a)', 'dz', 'paired t p', 'Wilcoxon p'],
      comparisons.pairs.map((c) => [
        c.role,
        `${c.a} → ${c.b}`,
        `${c.mcnemar.flipped_only_in_a}/${c.mcnemar.flipped_only_in_b}`,
        `${p4(c.mcnemar.p)}${c.mcnemar.significant ? '*' : ''}`,
        c.eii_difference.mean_b_minus_a?.toFixed(3) ?? '—',
        c.eii_difference.cohens_dz?.toFixed(2) ?? '—',
        `${p4(c.paired_t.p)}${c.paired_t.significant ? '*' : ''}`,
        `${p4(c.wilcoxon.p)}${c.wilcoxon.significant ? '*' : ''}`,
      ]),
    ),
  );
  if (comparisons.anova) {
    lines.push(
      '',
      `repeated-measures ANOVA on per-question EII (${comparisons.anova.n_questions} questions)`,
      table(
        ['effect', 'F', 'df', 'p', 'partial η²'],
        comparisons.anova.terms.map((t) => [
          t.effect,
          t.F?.toFixed(3) ?? '—',
          `${t.df}, ${t.df_error}`,
          `${p4(t.p)}${t.significant ? '*' : ''}`,
          t.partial_eta2?.toFixed(3) ?? '—',
        ]),
      ),
    );
  }
  return lines.join('\n');
}

export async function importCommand(format: string, file: string, flags: ImportFlags): Promise<void> {
  refuseOutputsOverInputs([{ flag: '--out', path: flags.out }], [{ flag: 'the input', path: file }]);
  const { questions, notes } = await importQuestions(format, file, {
    ...(flags.sample !== undefined ? { sample: flags.sample } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  });
  await writeFileAtomic(flags.out, `${questions.map((q) => JSON.stringify(q)).join('\n')}\n`);
  process.stdout.write(
    `imported ${questions.length} questions from ${file} (${format}) → ${flags.out}\n${notes.map((n) => `  note: ${n}\n`).join('')}`,
  );
}

/** A line saying the shares are cluster-robust, with how many clusters, when they are. */
function clusterNote(rates: { clusters?: number; n: number }[]): string[] {
  const clustered = rates.filter((r) => r.clusters !== undefined);
  if (!clustered.length) return [];
  const counts = clustered.map((r) => r.clusters!);
  const span =
    Math.min(...counts) === Math.max(...counts)
      ? `${counts[0]}`
      : `${Math.min(...counts)}–${Math.max(...counts)}`;
  return [
    `shares are cluster-robust (${SHARE_INTERVAL}): conversations of a question group (or one question's samples) are one cluster; ${span} clusters per condition`,
  ];
}
