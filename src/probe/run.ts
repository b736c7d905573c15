import { type FileHandle, open as openFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../core/canonical.js';
import { compareConditions, conditionKey } from '../core/conditions.js';
import { UsageError } from '../core/errors.js';
import { gitStamp } from '../core/git.js';
import { redact } from '../core/secrets.js';
import { addUsage, type Usage, ZERO_USAGE } from '../core/types.js';
import { AtomicLineWriter, commitTogether, ensureParent, lockOutput, writeFileAtomic } from '../io/atomic.js';
import { outputError } from '../io/errors.js';
import { assertNotAnInput } from '../io/guard.js';
import { releaseLock } from '../io/lock.js';
import type { Judge } from '../judges/types.js';
import type { Rubric } from '../rubrics/schema.js';
import { stampOf } from '../rubrics/schema.js';
import { mapOrdered } from '../runs/ordered-pool.js';
import { type Ladder, type Roles, stamp } from '../study/config.js';
import { assertControlsPossible } from '../study/controls.js';
import type { Persona, ProbeQuestion } from '../study/inputs.js';
import { personaFor } from '../study/inputs.js';
import type { KelleyRiedl, PresetMechanics } from '../study/presets/kelley-riedl.js';
import type { ProbeCondition } from '../study/roles.js';
import type { Target } from '../study/target-types.js';
import { targetLabel } from '../study/targets.js';
import type { Challenger } from './challenger.js';
import {
  type ConversationTask,
  judgesFirstAnswer,
  runConversation,
  type TurnJudging,
} from './conversation.js';
import { type Conversation, compareConditionsPaired, conditionMetrics, stanceStability } from './metrics.js';
import { type PresetAgents, runPresetConversation } from './preset-conversation.js';
import type { ProbeRunSettings, ProbeRunSummary } from './summary.js';
import { isTranscriptLine, type TranscriptLine } from './transcript.js';
import { turnGlmm } from './turn-glmm.js';

export interface ProbeOptions {
  questions: ProbeQuestion[];
  questionsFile: string;
  personas: Persona[];
  target: Target;
  judge: Judge;
  stanceRubric: Rubric;
  correctnessRubric: Rubric;
  ladder: Ladder;
  roles: Roles;
  turns: number;
  roleNames: string[];
  personalizations: ProbeCondition['personalization'][];
  /** Writes each challenge as the user (GoalPref's multi-turn simulator); the ladder when absent. */
  challenger?: Challenger | null;
  /** Seeds the persona drawn for each question. */
  seed?: number;
  out: string;
  concurrency: number;
  alpha: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /**
   * Several models under test in one run (`--targets a,b,c`): every question × condition for each.
   * Each line carries its model's label; the summary adds a block per model. When absent, the run
   * has the one `target` (and `challenger`).
   */
  targets?: ProbeTarget[];
  /** `--preset kelley-riedl-2026`: the paper's multi-turn design with the released code's requests. */
  preset?: { texts: KelleyRiedl; mechanics: PresetMechanics } | null;
  /** graded (the rubric's levels) or binary (aligned / not aligned; conversation.ts). */
  turnJudging?: TurnJudging;
  /** Whether a question's own challenges (SYCON's canned pushbacks) come first (default yes). */
  questionChallenges?: boolean;
  /** A persona per question id that overrides the seeded draw (R's Personalized+ draw). */
  personaOverride?: Map<string, Persona>;
  /**
   * False: no role prompt and no crossing with `roleNames` — each question's role is its own
   * (metadata.role), as under the preset, but with plumb's conversation (conversation.ts).
   */
  rolePrompt?: boolean;
}

/** One model under test of a run: its label (`metadata.model`), its target, and who challenges it. */
export interface ProbeTarget {
  label: string;
  target: Target;
  challenger?: Challenger | null;
  /** Under the preset: the same model as opener and challenger. */
  agents?: PresetAgents;
}

type Task = ConversationTask & { run: ProbeTarget };

/**
 * Runs the probe: every question under every selected role × personalization (a within-question
 * design, so comparisons pair by question), an initial answer and `turns` escalating challenges,
 * the stance judged at every turn. Completed conversations are appended to a checkpoint as they
 * finish; a re-run with the same settings skips them (and the judge and target caches make any
 * repeated call free).
 */
export type ProbeOutcome =
  | { complete: false; failure: string | null; done: number; total: number; out: string }
  | { complete: true; summary: ProbeRunSummary; done: number; total: number; out: string };

export async function runProbe(o: ProbeOptions): Promise<ProbeOutcome> {
  const runs = checkedRuns(o);
  const several = runs.length > 1;
  const tasks = planTasks(o, runs);
  assertControlsPossible(tasks.map((t) => ({ ...t, personalization: t.condition.personalization })));
  await claimFolder(o, runs);

  // resume: complete conversations in the checkpoint (or a finished run) are kept as they are
  const checkpointPath = join(o.out, CHECKPOINT);
  const kept = await readCheckpoint(checkpointPath, join(o.out, 'transcripts.jsonl'), o.turns);
  // one run per folder at a time; the final files are written (lock-free) under this lock
  const lockPath = lockOutput(join(o.out, 'transcripts.jsonl'));
  let conversationsRun: Awaited<ReturnType<typeof runConversations>>;
  try {
    conversationsRun = await runConversations(o, tasks, kept, checkpointPath);
  } catch (err) {
    releaseLock(lockPath);
    throw err;
  }
  const { finished, done, interrupted, usage } = conversationsRun;
  const incomplete = (failure: string | null): ProbeOutcome => {
    releaseLock(lockPath);
    return { complete: false, failure, done, total: tasks.length, out: o.out };
  };
  if (interrupted || o.signal?.aborted || done < tasks.length) return incomplete(null);
  // several models: a conversation's unit is model × question, so pairs never cross models
  const conversations = tasks.map((t) => {
    const c = toConversation(t, finished.get(t.key)!);
    return several ? { ...c, question_id: `${t.run.label}|${c.question_id}` } : c;
  });
  if (!conversations.some((c) => c.stances.some((x) => x !== null) || c.initial !== null))
    return incomplete(nothingJudged(finished, tasks.length, checkpointPath));
  const summary = buildSummary(o, runs, tasks, conversations, finished, usage, await gitStamp());
  try {
    await writeOutputs(o, tasks, finished, summary);
  } finally {
    releaseLock(lockPath);
  }
  await rm(checkpointPath, { force: true });
  return { complete: true, summary, done, total: tasks.length, out: o.out };
}

/** The options checked, and the model(s) under test (one, or --targets). */
function checkedRuns(o: ProbeOptions): ProbeTarget[] {
  if (o.turns < 1) throw new UsageError('--turns must be at least 1');
  if (
    o.personalizations.includes('profile-plus') &&
    !o.preset &&
    !(o.targets?.length ? o.targets.every((t) => t.challenger) : o.challenger)
  )
    throw new UsageError(
      'profile-plus (Personalized+) needs a challenger that speaks as the persona: add --challenger',
    );
  if (o.personalizations.some((p) => p !== 'none') && o.personas.length === 0)
    throw new UsageError(
      'profile, filler, demographics, third-person and profile-plus need personas (--personas FILE)',
    );
  for (const r of o.preset || o.rolePrompt === false ? [] : o.roleNames)
    if (!o.roles.roles[r])
      throw new UsageError(
        `unknown role '${r}' (the role file has: ${Object.keys(o.roles.roles).join(', ')})`,
      );
  o.judge.assertSupports(o.stanceRubric);
  o.judge.assertSupports(o.correctnessRubric);
  const runs: ProbeTarget[] = o.targets?.length
    ? o.targets
    : [{ label: targetLabel(o.target), target: o.target, challenger: o.challenger ?? null }];
  const labels = new Set<string>();
  for (const r of runs) {
    if (labels.has(r.label)) throw new UsageError(`the target ${r.label} is given twice`);
    labels.add(r.label);
    if (o.preset && !r.agents) throw new Error(`the preset needs the agents of ${r.label}`);
  }

  return runs;
}

/** One conversation per model × question × role × personalization, in that order. */
function planTasks(o: ProbeOptions, runs: ProbeTarget[]): Task[] {
  const several = runs.length > 1;
  const tasks: Task[] = [];
  for (const run of runs)
    for (const question of o.questions) {
      const persona = o.personaOverride?.get(question.id) ?? personaFor(question, o.personas, o.seed ?? 0);
      // under the preset the role is the data set's context, and no role prompt is sent
      const roleNames = o.preset || o.rolePrompt === false ? [presetRole(question)] : o.roleNames;
      for (const role of roleNames) {
        for (const personalization of o.personalizations) {
          const condition = { role, personalization };
          const key = `${several ? `${run.label}|` : ''}${question.id}|${conditionKey(condition)}`;
          tasks.push({ question, condition, persona, key, run });
        }
      }
    }

  return tasks;
}

/** Records the run's settings in the folder; a folder holding a run with other settings is refused. */
async function claimFolder(o: ProbeOptions, runs: ProbeTarget[]): Promise<void> {
  const several = runs.length > 1;
  const config: ProbeRunSettings = {
    kind: 'probe-run',
    questions: sha256(canonicalJson(o.questions)),
    personas: sha256(canonicalJson(o.personas)),
    target: several ? runs.map((r) => r.target.stamp) : runs[0]!.target.stamp,
    judge: o.judge.stamp,
    ...(o.preset
      ? {
          preset: { ...stamp(o.preset.texts), mechanics: o.preset.mechanics },
          agents: runs.map((r) => ({
            opener: r.agents!.opener.stamp,
            challenger:
              'chat' in r.agents!.challenger
                ? { ...r.agents!.challenger.chat.stamp, params: r.agents!.challenger.chat.params }
                : r.agents!.challenger.scripted.stamp,
          })),
        }
      : {}),
    ...(o.turnJudging && o.turnJudging !== 'graded' ? { turn_judging: o.turnJudging } : {}),
    ...(o.questionChallenges === false ? { question_challenges: 'skip' } : {}),
    ...(o.rolePrompt === false ? { role_prompt: false } : {}),
    ...(o.personaOverride ? { persona_draw: 'r' } : {}),
    stance: stampOf(o.stanceRubric),
    correctness: stampOf(o.correctnessRubric),
    ladder: stamp(o.ladder),
    roles: stamp(o.roles),
    challenger: several ? runs.map(challengerStamp) : challengerStamp(runs[0]!),
    seed: o.seed ?? 0,
    turns: o.turns,
  };
  const configPath = join(o.out, 'probe-run.json');
  const previous = await readFile(configPath, 'utf8').then(
    (t) => JSON.parse(t),
    () => null,
  );
  if (previous && canonicalJson(previous) !== canonicalJson(config)) {
    throw new UsageError(
      `${o.out} holds a probe run with different settings (${configPath}); use another --out or remove it`,
    );
  }
  await writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
}

/** Runs (or takes from the checkpoint) every conversation, appending each to the checkpoint as it ends. */
async function runConversations(
  o: ProbeOptions,
  tasks: Task[],
  kept: Map<string, TranscriptLine[]>,
  checkpointPath: string,
) {
  const checkpoint = await Checkpoint.open(checkpointPath);
  let done = 0;
  let interrupted = false;
  const finished = new Map<string, TranscriptLine[]>();
  let usage: Usage = ZERO_USAGE;
  const countUsage = (u: Usage) => {
    usage = addUsage(usage, u);
  };
  const runOne = async (task: Task): Promise<TranscriptLine[] | null> => {
    const cached = kept.get(task.key);
    if (cached) return cached;
    if (o.signal?.aborted) return null; // start nothing new after an interrupt
    if (o.preset)
      return runPresetConversation(task, {
        preset: o.preset.texts,
        mechanics: o.preset.mechanics,
        agents: task.run.agents!,
        judge: o.judge,
        stanceRubric: o.stanceRubric,
        correctnessRubric: o.correctnessRubric,
        turns: o.turns,
        fillerSource: o.roles.filler_source,
        turnJudging: o.turnJudging,
        model: task.run.label,
        questionChallenges: o.questionChallenges,
        signal: o.signal,
        addUsage: countUsage,
      });
    return runConversation(task, {
      target: task.run.target,
      judge: o.judge,
      stanceRubric: o.stanceRubric,
      correctnessRubric: o.correctnessRubric,
      ladder: o.ladder,
      roles: o.roles,
      challenger: task.run.challenger ?? null,
      turns: o.turns,
      signal: o.signal,
      addUsage: countUsage,
      turnJudging: o.turnJudging,
      model: task.run.label,
      questionChallenges: o.questionChallenges,
      rolePrompt: o.rolePrompt,
    });
  };

  try {
    await mapOrdered(
      (async function* () {
        yield* tasks;
      })(),
      runOne,
      async (lines, task) => {
        if (lines === null) {
          interrupted = true;
          return;
        }
        // appended as each conversation finishes: a kill at any moment never shrinks the checkpoint
        if (!kept.has(task.key)) await checkpoint.append(lines);
        finished.set(task.key, lines);
        done += 1;
        o.onProgress?.(done, tasks.length);
      },
      { concurrency: o.concurrency, shouldStop: () => Boolean(o.signal?.aborted) },
    );
  } finally {
    await checkpoint.close();
  }
  return { finished, done, interrupted, usage };
}

/** Why a run where no conversation has a judged turn failed: the first problem recorded. */
function nothingJudged(
  finished: Map<string, TranscriptLine[]>,
  total: number,
  checkpointPath: string,
): string {
  const problems = [...finished.values()]
    .flat()
    .map((l) => l.error ?? (l.stance as { error?: unknown } | undefined)?.error)
    .filter((e) => e !== undefined);
  const first = problems[0];
  return `none of the ${total} conversations has a challenged turn that could be judged${first !== undefined ? ` (first problem: ${typeof first === 'string' ? first : JSON.stringify(first)})` : ''}; the conversations are kept in ${checkpointPath}`;
}

/** The run's summary: conditions, comparisons and items pooled, per model with several, and the GLMM. */
function buildSummary(
  o: ProbeOptions,
  runs: ProbeTarget[],
  tasks: Task[],
  conversations: Conversation[],
  finished: Map<string, TranscriptLine[]>,
  usage: Usage,
  git: Awaited<ReturnType<typeof gitStamp>>,
): ProbeRunSummary {
  const several = runs.length > 1;
  const blockOf = (convs: Conversation[]) => {
    const items: Record<string, { role: string; personalization: string; eii: number | null }> = {};
    for (const c of convs)
      items[`${c.question_id}|${c.role}/${c.personalization}`] = {
        role: c.role,
        personalization: c.personalization,
        eii: stanceStability(c),
      };
    return {
      conditions: groupConditions(convs).map(([cond, cs]) => ({ ...cond, ...conditionMetrics(cs, o.turns) })),
      comparisons: compareConditionsPaired(convs, { alpha: o.alpha }),
      items,
    };
  };
  const pooled = blockOf(conversations);
  const stanceJudgedAtTurn0 = judgesFirstAnswer(o.stanceRubric);
  // the model dimension: one block per model under test (its own conditions and comparisons)
  const models = several
    ? runs.map((r) => {
        const mine = conversations.filter((_, i) => tasks[i]!.run === r);
        return { model: r.label, target: r.target.stamp, ...blockOf(mine) };
      })
    : null;
  return {
    kind: 'probe',
    created_at: new Date().toISOString(),
    git,
    comparability: {
      rubric: stampOf(o.stanceRubric),
      judge: o.judge.stamp,
      samples: 1,
      calibration: null,
      // what the model was put through: the ladder (or the challenger), the turns, the role prompts
      ladder: {
        ...stamp(o.ladder),
        turns: o.turns,
        roles: stamp(o.roles),
        challenger: several ? runs.map(challengerStamp) : challengerStamp(runs[0]!),
      },
      ...(o.preset
        ? {
            preset: { ...stamp(o.preset.texts), mechanics: o.preset.mechanics },
            role_prompts: 'none: role is each question metadata.role (the data set context)',
          }
        : {}),
      turn_judging: o.turnJudging ?? 'graded',
    },
    target: runs[0]!.target.stamp,
    ...(several ? { targets: runs.map((r) => ({ model: r.label, target: r.target.stamp })) } : {}),
    questions: o.questionsFile,
    n_questions: o.questions.length,
    turns: o.turns,
    /** Whether the first answer got a stance verdict (goal alignment: yes; `stance`: only via correctness). */
    first_answer_judged: stanceJudgedAtTurn0,
    usage,
    /** With several models: pooled over them, each model × question one unit (see `models`). */
    conditions: pooled.conditions,
    comparisons: pooled.comparisons,
    items: pooled.items,
    ...(models ? { models } : {}),
    /**
     * The paper's multi-turn GLMM, abandoned ~ turn * condition + (1 | question), one entry per
     * model under test (turn-glmm.ts); an entry's fit is null, with the reason, when it cannot be fitted.
     */
    turn_glmm: turnGlmm(
      tasks.flatMap((t) => finished.get(t.key)!),
      { target: runs[0]!.label },
    ),
  };
}

/** Transcripts, stance scores and summary are one run: complete together, in task order, or not at all. */
async function writeOutputs(
  o: ProbeOptions,
  tasks: Task[],
  finished: Map<string, TranscriptLine[]>,
  summary: ProbeRunSummary,
): Promise<void> {
  const outputs: AtomicLineWriter[] = [];
  try {
    const transcripts = await AtomicLineWriter.open(join(o.out, 'transcripts.jsonl'), { lock: false });
    outputs.push(transcripts);
    // the stance verdicts again, in the scores format, so the stance judge can be checked against
    // human stance labels with `plumb gold sample` and `plumb calibrate` like any other judge
    const stanceScores = await AtomicLineWriter.open(join(o.out, 'stance.scores.jsonl'), { lock: false });
    outputs.push(stanceScores);
    const summaryFile = await AtomicLineWriter.open(join(o.out, 'summary.json'), { lock: false });
    outputs.push(summaryFile);
    for (const t of tasks) {
      const lines = finished.get(t.key)!;
      const initial = typeof lines[0]?.reply === 'string' ? (lines[0].reply as string) : '';
      for (const l of lines) {
        await transcripts.write(JSON.stringify(l));
        const stanceLine = stanceScoreLine(l, o, t.question.question, initial);
        if (stanceLine) await stanceScores.write(JSON.stringify(stanceLine));
      }
    }
    await summaryFile.write(JSON.stringify(summary, null, 2));
    await commitTogether(outputs);
  } catch (err) {
    for (const w of outputs) await w.abandon().catch(() => {});
    throw err;
  }
}

/** One transcript turn as a scores-format line of the stance rubric (null for turn 0 or no reply). */
function stanceScoreLine(
  l: TranscriptLine,
  o: ProbeOptions,
  question: string,
  initialAnswer: string,
): Record<string, unknown> | null {
  if (l.turn === 0 || l.reply === null) return null;
  const stance = l.stance;
  const value = typeof stance?.value === 'number' ? stance.value : null;
  return {
    id: `${l.conversation}|t${l.turn}`,
    prompt: l.prompt,
    response: l.reply,
    metadata: {
      ...(l.model !== undefined ? { model: l.model } : {}),
      role: l.role,
      personalization: l.personalization,
      question_id: l.question_id,
      turn: l.turn,
      group: l.question_id,
      // what a human rating this stance needs beside the reply: the question and the first answer
      question,
      initial_answer: initialAnswer,
    },
    rubric: stampOf(o.stanceRubric),
    judge: { ...o.judge.stamp, samples: 1 },
    scores: value === null ? null : { stance: value },
    overall: value,
    rationale: stance?.rationale ?? '',
    ...(value === null && stance?.error ? { error: stance.error } : {}),
  };
}

function toConversation(task: Task, lines: TranscriptLine[]): Conversation {
  const byTurn = [...lines].sort((a, b) => (a.turn as number) - (b.turn as number));
  const stance = (l: TranscriptLine) => {
    const v = l.stance?.value;
    return typeof v === 'number' ? v : null;
  };
  const correct = (l: TranscriptLine | undefined) => {
    const c = l?.correctness?.correct;
    return typeof c === 'boolean' ? c : null;
  };
  // the first answer's own verdict: the stance rubric's when it judges first answers (goal
  // alignment), else — when the opening already pushed a view — whether it kept the right answer
  const first = byTurn[0];
  const correctFirst = correct(first);
  const initial =
    first && stance(first) !== null
      ? stance(first)
      : task.question.opening_view && correctFirst !== null
        ? correctFirst
          ? 2
          : 0
        : null;
  return {
    question_id: task.question.id,
    cluster: task.question.group ?? task.question.id,
    domain: task.question.domain,
    role: task.condition.role,
    personalization: task.condition.personalization,
    initial,
    stances: byTurn.slice(1).map(stance),
    correct_before: correctFirst,
    correct_after: correct(byTurn[byTurn.length - 1]),
  };
}

/** Who challenged a model: its challenger, or (preset) the model itself with the challenger's settings. */
function challengerStamp(r: ProbeTarget): Record<string, unknown> | null {
  if (r.agents)
    return 'chat' in r.agents.challenger
      ? { ...r.agents.challenger.chat.stamp, params: r.agents.challenger.chat.params }
      : r.agents.challenger.scripted.stamp;
  return r.challenger?.stamp ?? null;
}

/** A question's role under the preset (or without role prompts): its data set's context (metadata.role). */
function presetRole(q: ProbeQuestion): string {
  const r = q.metadata?.role;
  return typeof r === 'string' && r ? r : 'unspecified';
}

function groupConditions(convs: Conversation[]): [ProbeCondition, Conversation[]][] {
  const m = new Map<string, [ProbeCondition, Conversation[]]>();
  for (const c of convs) {
    const cond = { role: c.role, personalization: c.personalization as ProbeCondition['personalization'] };
    const k = conditionKey(cond);
    if (!m.has(k)) m.set(k, [cond, []]);
    m.get(k)![1].push(c);
  }
  return [...m.values()].sort((a, b) => compareConditions(a[0], b[0]));
}

/** The files a probe run writes in its folder (the CLI refuses any that resolves to an input). */
export const CHECKPOINT = 'transcripts.jsonl.partial';
export const PROBE_OUTPUTS = [
  'transcripts.jsonl',
  'stance.scores.jsonl',
  'summary.json',
  'probe-run.json',
  CHECKPOINT,
];

/**
 * Removes a probe run's own files from a folder (not the folder, nor anything else in it): for
 * `plumb demo`, whose run folders are regenerated on every run, even after plumb itself changed.
 */
export async function clearProbeRun(dir: string): Promise<void> {
  for (const f of PROBE_OUTPUTS) {
    assertNotAnInput(join(dir, f), 'clearing the run folder');
    await rm(join(dir, f), { force: true });
  }
}

/**
 * Complete conversations from an earlier, interrupted run (the checkpoint), or from a finished one
 * (transcripts.jsonl). A torn last line — a kill in the middle of a write — is skipped: that
 * conversation is redone.
 */
async function readCheckpoint(
  checkpoint: string,
  finishedRun: string,
  turns: number,
): Promise<Map<string, TranscriptLine[]>> {
  const kept = new Map<string, TranscriptLine[]>();
  const prior = await readFile(checkpoint, 'utf8').catch(() => readFile(finishedRun, 'utf8').catch(() => ''));
  for (const text of prior.split('\n')) {
    if (!text.trim()) continue;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      continue;
    }
    if (!isTranscriptLine(line)) continue;
    const k = line.conversation;
    if (!kept.has(k)) kept.set(k, []);
    kept.get(k)!.push(line);
  }
  for (const [k, lines] of kept) if (lines.length !== turns + 1) kept.delete(k);
  return kept;
}

/**
 * The probe's checkpoint: opened for appending, never truncated, so however often a run is killed
 * (even while resuming) the conversations it holds only grow. A torn last line from a kill is
 * closed with a newline before anything is appended, so it cannot swallow the next line.
 */
class Checkpoint {
  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(path: string): Promise<Checkpoint> {
    assertNotAnInput(path, 'the probe checkpoint');
    await ensureParent(path);
    let handle: FileHandle;
    try {
      handle = await openFile(path, 'a+');
      const { size } = await handle.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await handle.appendFile('\n');
      }
    } catch (err) {
      throw outputError(path, err);
    }
    return new Checkpoint(path, handle);
  }

  async append(lines: TranscriptLine[]): Promise<void> {
    try {
      await this.handle.appendFile(lines.map((l) => `${redact(JSON.stringify(l))}\n`).join(''));
    } catch (err) {
      throw outputError(this.path, err);
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}
