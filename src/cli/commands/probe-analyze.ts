import { join } from 'node:path';
import { anySignal } from '../../core/abort.js';
import { AtomicLineWriter, commitTogether } from '../../io/atomic.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { createJudge } from '../../judges/create.js';
import { exportTurnGlmm } from '../../mixed/turn-export.js';
import { loadPrices } from '../../models/pricing.js';
import { assertBaseUrlUsed } from '../../models/registry.js';
import { createRuntime } from '../../models/runtime.js';
import { analyzeLabels, analyzeLabelsWithTurns, readLabels } from '../../probe/analyze.js';
import { judgeTranscripts } from '../../probe/judge-transcripts.js';
import { labelsConditions, type ProbeLabelsSummary } from '../../probe/summary.js';
import { syconConditionsGrid } from '../../render/probe-conditions.js';
import { table } from '../../render/text.js';
import { resolveRubric } from '../../rubrics/load.js';
import { type ProbeQuestion, readQuestions } from '../../study/inputs.js';
import { readTranscripts } from '../../study/transcripts.js';
import { onInterrupt } from '../interrupt.js';
import { createProgress } from '../progress.js';
import type { ProbeAnalyzeFlags, ProbeJudgeFlags } from '../specs/probe.js';
import { renderConditionsAndComparisons, renderTurnExport, renderTurnGlmm } from './probe.js';
import { connection } from './score.js';

/** `plumb probe analyze`: every probe metric and comparison from per-turn labels made elsewhere. */
export async function analyzeCommand(flags: ProbeAnalyzeFlags): Promise<void> {
  const rows = await readLabels(flags.labels);
  const { analysis, turnLines } = analyzeLabelsWithTurns(rows, {
    by: flags.by,
    convention: flags.convention,
    alpha: flags.alpha,
    file: flags.labels,
  });
  if (flags.out) {
    refuseOutputsOverInputs(
      [{ flag: '--out', path: join(flags.out, 'summary.json') }],
      [{ flag: '--labels', path: flags.labels }],
    );
    const w = await AtomicLineWriter.open(join(flags.out, 'summary.json'));
    await w.write(JSON.stringify(analysis, null, 2));
    await w.commit();
  }
  const exported = flags.export
    ? await exportTurnGlmm({
        dir: flags.export.dir,
        transcripts: turnLines,
        entries: analysis.turn_glmm,
        target: 'unspecified',
        source: flags.labels,
        inputs: [{ flag: '--labels', path: flags.labels }],
      })
    : null;
  print(analysis, flags.json, flags.out ? join(flags.out, 'summary.json') : null);
  if (exported && !flags.json) process.stdout.write(renderTurnExport(exported));
}

/** `plumb probe judge`: applies the stance (or goal) judge to transcripts collected elsewhere, then analyzes them. */
export async function judgeCommand(flags: ProbeJudgeFlags): Promise<void> {
  const labelsPath = join(flags.out, 'labels.jsonl');
  refuseOutputsOverInputs(
    [
      { flag: '--out', path: labelsPath },
      { flag: '--out', path: join(flags.out, 'summary.json') },
    ],
    [
      { flag: '--transcripts', path: flags.transcripts },
      ...(flags.questions ? [{ flag: '--questions', path: flags.questions }] : []),
    ],
  );
  const { layout, conversations, rubric } = await readProbeInputs(flags);
  const rt = createRuntime(connection(flags, await loadPrices(flags.prices)));
  const { circuit } = rt;
  assertBaseUrlUsed(flags.baseUrl, [flags.judge]);
  const judge = await createJudge(flags.judge, rt);
  judge.assertSupports(rubric);
  const total = conversations.reduce((n, c) => n + c.turns.length, 0);
  const labels = await AtomicLineWriter.open(labelsPath);
  const { result, done } = await judgeEveryTurn(
    flags,
    conversations,
    judge,
    rubric,
    circuit.signal,
    labels,
    total,
  );
  if (await stoppedShort(result, labels, circuit.reason, done, total)) return;
  const analysis = analyzeLabels(
    result.labels.map((l, i) => ({
      conversation: l.conversation,
      turn: l.turn,
      stance: l.value,
      fields: { question_id: l.question_id, role: l.role, personalization: l.personalization },
      line: i + 1,
    })),
    { by: flags.by, convention: flags.convention, alpha: flags.alpha, file: labelsPath },
  );
  const summary = await AtomicLineWriter.open(join(flags.out, 'summary.json'));
  await summary.write(
    JSON.stringify(
      {
        ...analysis,
        transcripts: { file: flags.transcripts, layout },
        judged_with: { rubric: `${rubric.id}@${rubric.version}`, judge: judge.stamp },
      },
      null,
      2,
    ),
  );
  await commitTogether([labels, summary]);
  print(
    analysis,
    flags.json,
    join(flags.out, 'summary.json'),
    `judged ${done} turns of ${conversations.length} conversations (${layout} layout) with ${rubric.id}@${rubric.version}; labels: ${labelsPath}`,
  );
}

type Conversations = Awaited<ReturnType<typeof readTranscripts>>['conversations'];
type Rubric = Awaited<ReturnType<typeof resolveRubric>>;
type Judge = Awaited<ReturnType<typeof createJudge>>;
type JudgedTurns = Awaited<ReturnType<typeof judgeTranscripts>>;

/** The transcripts (with their questions, if given) and the stance rubric they are judged with. */
async function readProbeInputs(flags: ProbeJudgeFlags) {
  const questions = new Map<string, ProbeQuestion>(
    flags.questions ? (await readQuestions(flags.questions)).map((q) => [q.id, q]) : [],
  );
  const { layout, conversations } = await readTranscripts(flags.transcripts, questions);
  const goal = conversations.every((c) => c.goal && c.preference);
  const rubric = await resolveRubric(
    flags.stanceRubric === 'auto' ? (goal ? 'goal_alignment' : 'stance') : flags.stanceRubric,
  );
  return { layout, conversations, rubric };
}

/** Judges every turn, writing each label as it comes; an error abandons the labels file. */
async function judgeEveryTurn(
  flags: ProbeJudgeFlags,
  conversations: Conversations,
  judge: Judge,
  rubric: Rubric,
  circuitSignal: AbortSignal,
  labels: AtomicLineWriter,
  total: number,
): Promise<{ result: JudgedTurns; done: number }> {
  const interrupt = onInterrupt('keeping the verdicts made so far in the judge cache…');
  const progress = createProgress('probe judge');
  let done = 0;
  try {
    const result = await judgeTranscripts(conversations, judge, rubric, {
      concurrency: flags.concurrency,
      signal: anySignal(interrupt.signal, circuitSignal),
      onLabel: async (l) => {
        await labels.write(
          JSON.stringify({ ...l, rubric: `${rubric.id}@${rubric.version}`, judge: judge.stamp }),
        );
        done += 1;
        progress.update({ done, total, unscored: 0, costUsd: null });
      },
    });
    return { result, done };
  } catch (err) {
    await labels.abandon().catch(() => {});
    throw err;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

/** Interrupted, or no turn judged: abandons the labels, says why, sets the exit code; true if so. */
async function stoppedShort(
  result: JudgedTurns,
  labels: AtomicLineWriter,
  circuitReason: string | null | undefined,
  done: number,
  total: number,
): Promise<boolean> {
  if (result.interrupted) {
    await labels.abandon();
    process.stderr.write(
      `plumb: stopped (${circuitReason ?? 'interrupted'}) after ${done}/${total} turns; the verdicts are cached: re-run the same command to finish.\n`,
    );
    process.exitCode = circuitReason ? 1 : 130;
    return true;
  }
  if (!result.labels.some((l) => l.value !== null)) {
    await labels.abandon();
    const first = result.labels.find((l) => l.error)?.error;
    process.stderr.write(
      `plumb: failed: no turn could be judged${first ? ` (first problem: ${JSON.stringify(first)})` : ''}\n`,
    );
    process.exitCode = 1;
    return true;
  }
  return false;
}

function print(a: ProbeLabelsSummary, json: boolean | undefined, written: string | null, head?: string) {
  if (json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  const lines = head ? [head, ''] : [];
  lines.push(
    `${a.n_conversations} conversations, ${a.turns} challenged turns; convention ${a.source.convention}; grouped by ${a.source.by.join(' × ') || '(nothing)'}`,
  );
  const levelled = labelsConditions(a);
  if (levelled.convention === 'sycon') {
    const grid = syconConditionsGrid(levelled.conditions);
    lines.push(table(grid.header, grid.rows));
  } else lines.push(renderConditionsAndComparisons(levelled.conditions, a.comparisons));
  lines.push('', renderTurnGlmm(a.turn_glmm));
  if (written) lines.push('', `summary: ${written}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
