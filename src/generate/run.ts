import { conditionKey } from '../core/conditions.js';
import { addUsage, type Message, type Usage, ZERO_USAGE } from '../core/types.js';
import { AtomicLineWriter } from '../io/atomic.js';
import { refuseOutputsOverInputs } from '../io/outputs.js';
import { runJobs } from '../runs/job-loop.js';
import type { Roles } from '../study/config.js';
import { stamp } from '../study/config.js';
import { assertControlsPossible } from '../study/controls.js';
import { isGoalQuestion, openingOf, type Persona, type ProbeQuestion, personaFor } from '../study/inputs.js';
import type { GENERATE_PERSONALIZATIONS } from '../study/personalization.js';
import { type KelleyRiedl, presetProfileText, singleTurnMessages } from '../study/presets/kelley-riedl.js';
import { type ProbeCondition, situationParts, systemPrompt } from '../study/roles.js';
import type { Target, TargetReply } from '../study/target-types.js';
import { targetLabel } from '../study/targets.js';

export interface GenerateOptions {
  questions: ProbeQuestion[];
  questionsFile: string;
  personas: Persona[];
  target: Target;
  roles: Roles;
  roleNames: string[];
  personalizations: (typeof GENERATE_PERSONALIZATIONS)[number][];
  /** Independent replies per question × condition, each its own cached call. */
  samples: number;
  /** Seeds the persona drawn for each question (the same draw as `plumb probe --seed`). */
  seed: number;
  /** The target's sampling settings, recorded on every line. */
  settings: Record<string, unknown>;
  out: string;
  concurrency: number;
  /** A run that generates fewer replies than this is a failure (default 1). */
  minGenerated?: number;
  signal?: AbortSignal;
  stopReason?: () => string | null;
  onProgress?: (p: { done: number; total: number; failed: number; costUsd: number | null }) => void;
  /** Several models in one run (`--targets a,b,c`), each labelled in `metadata.model`; else `target` alone. */
  targets?: { label: string; target: Target }[];
  /**
   * `--preset kelley-riedl-2026`: the released single-turn prompt (one user message, USER PROFILE
   * first when personalized), no role prompt; the role is each question's `metadata.role`.
   */
  preset?: KelleyRiedl | null;
}

export interface GenerateTask {
  /** The model's label (`metadata.model`) when the run has several; else absent. */
  model?: string;
  question: ProbeQuestion;
  condition: ProbeCondition;
  persona: Persona | undefined;
  sample: number;
  id: string;
}

/** Every question × role × personalization × sample, in question order. */
export function generateTasks(
  o: Pick<
    GenerateOptions,
    'questions' | 'personas' | 'roleNames' | 'personalizations' | 'samples' | 'seed'
  > & {
    preset?: KelleyRiedl | null;
    models?: string[];
  },
): GenerateTask[] {
  const models = o.models && o.models.length > 1 ? o.models : [undefined];
  const tasks: GenerateTask[] = [];
  for (const model of models)
    for (const question of o.questions) {
      const persona = personaFor(question, o.personas, o.seed);
      // under the preset no role prompt is sent: the role is the data set's context
      const roleNames = o.preset ? [presetRole(question)] : o.roleNames;
      for (const role of roleNames)
        for (const personalization of o.personalizations)
          for (let sample = 0; sample < o.samples; sample++) {
            const condition = { role, personalization };
            tasks.push({
              ...(model ? { model } : {}),
              question,
              condition,
              persona,
              sample,
              id: `${model ? `${model}|` : ''}${question.id}|${conditionKey(condition)}${o.samples > 1 ? `|s${sample}` : ''}`,
            });
          }
    }
  return tasks;
}

/**
 * What each reply carries of its question for the judges and the tables: the data set
 * (`metadata.dataset`) and, for a goal-alignment scenario, the AI agent's goal as released
 * (`metadata.ai_agent_goal`, which the goal_alignment_pairwise rubric's prompt shows).
 */
export function questionContext(q: ProbeQuestion): Record<string, string> {
  const out: Record<string, string> = {};
  const dataset = q.metadata?.dataset;
  if (typeof dataset === 'string' && dataset) out.dataset = dataset;
  const fields = q.metadata?.scenario_fields as Record<string, unknown> | undefined;
  const goal = typeof fields?.ai_agent_goal === 'string' ? fields.ai_agent_goal : q.role_goal;
  if (isGoalQuestion(q) && typeof goal === 'string' && goal) out.ai_agent_goal = goal;
  return out;
}

/** A question's role under the preset: its data set's context (metadata.role). */
export function presetRole(q: ProbeQuestion): string {
  const r = q.metadata?.role;
  return typeof r === 'string' && r ? r : 'unspecified';
}

/**
 * The messages the target is sent: the role's system prompt (with the persona or filler) and the
 * opening; under the preset, the released single-turn prompt as one user message.
 */
export async function targetMessages(
  roles: Roles,
  t: GenerateTask,
  preset?: KelleyRiedl | null,
): Promise<Message[]> {
  if (preset)
    return singleTurnMessages(
      preset,
      t.question,
      await presetProfileText(t.condition.personalization, t.persona, roles.filler_source),
    );
  const sys = await systemPrompt(roles, t.condition, t.persona, t.question);
  return [
    { role: 'system', content: sys.text },
    { role: 'user', content: openingOf(t.question) },
  ];
}

/**
 * Asks each task's target for its reply and drops the answer: the collecting pass of a batch run,
 * where a broker records every call the cache cannot answer.
 */
export async function askForEveryReply(
  tasks: readonly GenerateTask[],
  targetOf: (t: GenerateTask) => Target,
  roles: Roles,
  preset?: KelleyRiedl | null,
): Promise<void> {
  for (const t of tasks)
    await targetOf(t).reply(await targetMessages(roles, t, preset), {
      question: t.question,
      condition: t.condition,
      turn: 0,
      challenges: [],
      sample: t.sample,
    });
}

/**
 * The responses that `plumb score` judges, made from questions: each question under each role ×
 * personalization (one persona per question, drawn from the seed), asked of the target once (or
 * K times). The study's single-turn half: `generate` then `score --rubric alignment`.
 *
 * Each line is in plumb's responses format. Its `messages` are what a judge should see — the
 * situation and the user's message, never the persona or the filler, so judges stay blind to the
 * condition — and its metadata says everything else: the condition, the persona, the target, the
 * settings and the full system prompt the target saw. Written to `<out>.partial` and published when
 * complete; replies are cached, so a re-run after an interruption pays for nothing twice.
 */
export async function runGenerate(o: GenerateOptions) {
  refuseOutputsOverInputs([{ flag: '--out', path: o.out }], [{ flag: '--questions', path: o.questionsFile }]);
  const runs = o.targets?.length ? o.targets : [{ label: targetLabel(o.target), target: o.target }];
  const byLabel = new Map(runs.map((r) => [r.label, r.target]));
  const tasks = generateTasks({ ...o, models: runs.map((r) => r.label) });
  assertControlsPossible(tasks.map((t) => ({ ...t, personalization: t.condition.personalization })));
  const writer = await AtomicLineWriter.open(o.out);
  let usage: Usage = ZERO_USAGE;
  const why = () => o.stopReason?.() ?? (o.signal?.aborted ? 'interrupted' : null);

  const generate = async (t: GenerateTask) => {
    if (why()) return null;
    const messages = await targetMessages(o.roles, t, o.preset);
    const target = t.model ? byLabel.get(t.model)! : runs[0]!.target;
    const reply = await target.reply(
      messages,
      { question: t.question, condition: t.condition, turn: 0, challenges: [], sample: t.sample },
      o.signal,
    );
    return { messages, reply };
  };

  const loop = await runJobs({
    items: (async function* () {
      yield* tasks;
    })(),
    total: tasks.length,
    unit: 'replies',
    verb: 'generated',
    work: generate,
    verdict: (r) =>
      !r || (!r.reply.ok && (r.reply.interrupted || r.reply.budget || why()))
        ? { stop: r && !r.reply.ok && r.reply.budget ? 'budget' : 'interrupted' }
        : r.reply.ok
          ? { failed: false, costUsd: r.reply.usage.cost_usd }
          : { failed: true, error: { kind: 'provider_error', message: r.reply.error }, costUsd: 0 },
    record: async (r, t) => {
      const { messages, reply } = r!; // a null result stopped the run: it is never recorded
      const label = t.model ?? runs[0]!.label;
      const base = responseBase(o, t, label, byLabel.get(label)!, messages);
      if (reply.ok) usage = addUsage(usage, reply.usage);
      await writer.write(responseLine(base, reply));
    },
    concurrency: o.concurrency,
    signal: o.signal,
    stopReason: o.stopReason,
    writers: [writer],
    onProgress: (p) =>
      o.onProgress?.({ done: p.done, total: p.total, failed: p.failed, costUsd: usage.cost_usd }),
  });
  return finishGenerate(o, writer, loop, tasks.length, usage);
}

/**
 * A response line's fields besides the reply: what judges see, blind to the condition (the
 * situation and the user's message; under the preset, the generic prompt with the USER PROFILE
 * block left out), the reference, and the metadata that says where it came from.
 */
function responseBase(
  o: GenerateOptions,
  t: GenerateTask,
  label: string,
  target: Target,
  messages: Message[],
) {
  const q = t.question;
  const situation = o.preset ? '' : situationParts(o.roles, q).join('\n\n');
  return {
    id: t.id,
    messages: o.preset
      ? singleTurnMessages(o.preset, q, null)
      : [
          ...(situation ? [{ role: 'system', content: situation }] : []),
          { role: 'user', content: openingOf(q) },
        ],
    ...(q.answer ? { reference: q.answer } : {}),
    metadata: {
      model: label,
      role: t.condition.role,
      personalization: t.condition.personalization,
      persona: t.condition.personalization === 'none' ? null : (t.persona?.id ?? null),
      question_id: q.id,
      domain: q.domain,
      ...questionContext(q),
      ...(q.group ? { group: q.group } : {}),
      ...(isGoalQuestion(q) ? { goal: q.goal, preference: q.preference } : {}),
      target: target.stamp,
      sample: t.sample,
      settings: o.settings,
      ...(o.preset
        ? { preset: stamp(o.preset), target_prompt: messages[messages.length - 1]!.content }
        : { roles: stamp(o.roles), target_system: messages[0]!.content }),
    },
  };
}

/** One response line: the reply with its usage, or a failed generation's empty response with its error. */
function responseLine(base: ReturnType<typeof responseBase>, reply: TargetReply): string {
  // under `generation`, so the `usage` and `error` that `score` adds later do not overwrite them
  if (reply.ok)
    return JSON.stringify({
      ...base,
      response: reply.text,
      generation: { usage: reply.usage, cached: reply.cached },
    });
  // plumb's responses format needs a response: a failed generation keeps an empty one, which
  // `score` leaves unscored (empty_response) without a judge call
  return JSON.stringify({
    ...base,
    response: '',
    generation: { error: { kind: 'provider_error', message: reply.error } },
  });
}

/** The run's end: commit the output when every reply is in and enough were generated, else abandon it. */
async function finishGenerate(
  o: GenerateOptions,
  writer: AtomicLineWriter,
  loop: Awaited<ReturnType<typeof runJobs>>,
  total: number,
  usage: Usage,
) {
  const { done, failed, stoppedBecause } = loop;
  const firstError = [...loop.firstError.values()];
  const generated = done - failed;
  const allDone = loop.allDone;
  const failure =
    allDone && generated < (o.minGenerated ?? 1)
      ? `${generated} of ${total} replies generated${firstError.length ? ` (first error: ${firstError[0]})` : ''}`
      : null;
  if (!allDone || failure) {
    await writer.abandon();
    return {
      complete: false as const,
      stoppedBecause,
      failure,
      done,
      failed,
      total,
      usage,
      out: writer.partialPath,
    };
  }
  await writer.commit();
  return {
    complete: true as const,
    stoppedBecause: null,
    failure: null,
    done,
    failed,
    total,
    usage,
    out: writer.path,
  };
}
