import { readFile } from 'node:fs/promises';
import { InputError, UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { refuseOutputsOverInputs } from '../io/outputs.js';
import { resolveRubric } from '../rubrics/load.js';
import type { Rubric } from '../rubrics/schema.js';
import { isSequentialSheet } from './active-estimate.js';
import { buildArtifact, defaultArtifactName } from './artifact.js';
import { type CalibrateOptions, type CalibrationReport, calibrate } from './calibrate.js';
import { checkGold, readGold, readSheetDesign } from './gold.js';
import { readScores, type ScoresFile } from './join.js';
import { assertSessionRng, type SessionFile } from './sequential-session.js';

/** What `calibrateFiles` reads and how it calibrates: `plumb calibrate`'s flags, as a program gives them. */
export interface CalibrateFilesOptions
  extends Pick<
    CalibrateOptions,
    'criterion' | 'level' | 'systemField' | 'rater' | 'method' | 'bootstrap' | 'seed'
  > {
  scoresFile: string;
  goldFile: string;
  /** The score scale, when the rubric the scores were made with does not resolve here. */
  scale?: { min: number; max: number };
  altTest: NonNullable<CalibrateOptions['altTest']> | null;
  ppi: { alpha: number; interval: 'clt' | 'bootstrap' } | null;
  compare: string[] | null;
  /** Save the fitted mapping as an artifact: at this path, or (true) at its default name. */
  artifact?: string | true;
}

/**
 * The rubric the scores were made with, when it resolves here to the same content — and, when it
 * does not, the real reason, so the advice to pass --scale says why it is needed.
 */
export async function rubricOfScores(scores: ScoresFile): Promise<{ rubric: Rubric | null; why: string }> {
  const stamp = scores.rubric;
  if (!stamp) return { rubric: null, why: 'the scores carry no rubric stamp (made by another tool?)' };
  const ref = `${stamp.id}@${stamp.version}`;
  let found: Rubric;
  try {
    found = await resolveRubric(ref);
  } catch {
    return {
      rubric: null,
      why: `the scores were made with rubric ${ref}, which is not in ./rubrics or plumb's rubrics`,
    };
  }
  if (found.hash !== stamp.hash)
    return {
      rubric: null,
      why: `rubric ${ref} here (${found.path}) has other content than the one the scores were made with (sha256 ${found.hash.slice(0, 12)}… here, ${stamp.hash.slice(0, 12)}… in the scores)`,
    };
  return { rubric: found, why: '' };
}

/** The session file beside a sequential sheet (`P.jsonl` → `P.session.json`), or null when there is none. */
async function readSession(sheetFile: string): Promise<{ file: string; data: SessionFile } | null> {
  const file = `${sheetFile.replace(/\.(csv|jsonl)$/i, '')}.session.json`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  let data: SessionFile;
  try {
    data = JSON.parse(text) as SessionFile;
  } catch (err) {
    throw new InputError(file, undefined, `cannot read the session (${(err as Error).message})`);
  }
  const ok =
    data?.kind === 'active-session' &&
    Array.isArray(data.ids) &&
    Array.isArray(data.f) &&
    Array.isArray(data.q) &&
    data.ids.length === data.f.length &&
    data.ids.length === data.q.length &&
    Array.isArray(data.rate) &&
    Array.isArray(data.range) &&
    typeof data.seed === 'number';
  if (!ok)
    throw new InputError(
      file,
      undefined,
      'not a plumb rate --active session (kind, ids, f, q, rate, range and seed are needed to replay it)',
    );
  assertSessionRng(file, data);
  return { file, data };
}

/**
 * Calibrates a scores file against a gold file: reads and checks both (every problem named by
 * file and line), resolves the rubric the scores were made with, runs `calibrate`, and saves the
 * mapping as an artifact when asked. What `plumb calibrate` and `plumb demo` run.
 */
export async function calibrateFiles(o: CalibrateFilesOptions) {
  if (o.compare && !o.ppi)
    throw new UsageError('--compare needs --ppi (it contrasts prediction-powered means)');
  if (typeof o.artifact === 'string') refuseOverInputs(o, o.artifact);
  const inputs = await readInputs(o);
  const { scores, gold, rubric, scale, sheet, session } = inputs;
  // a session estimates one criterion: the one reported unless another is asked for
  const criterion = o.criterion ?? session?.data.criterion;
  const report = calibrate({
    scores,
    gold,
    rubric,
    scale,
    criterion,
    level: o.level,
    systemField: o.systemField,
    rater: o.rater,
    method: o.method,
    bootstrap: o.bootstrap,
    seed: o.seed,
    altTest: o.altTest,
    ppi: o.ppi,
    compare: o.compare,
    sheet,
    session,
    scoresFile: o.scoresFile,
  });
  refuseEmptyJoin(o, inputs, report, criterion ?? 'overall');
  const artifactPath = o.artifact !== undefined ? await saveArtifact(o, o.artifact, scores, report) : null;
  return { report, artifactPath, problems: problemsOf(report, o) };
}

/** An output path that is one of the inputs is refused (it would overwrite it). */
function refuseOverInputs(o: CalibrateFilesOptions, out: string): void {
  refuseOutputsOverInputs(
    [{ flag: '--out', path: out }],
    [
      { flag: '--scores', path: o.scoresFile },
      { flag: '--gold', path: o.goldFile },
    ],
  );
}

/** The scores and gold, checked, with the rubric and scale, the gold's sheet design and session. */
async function readInputs(o: CalibrateFilesOptions) {
  const scores = await readScores(o.scoresFile);
  if (scores.items.length === 0)
    throw new InputError(
      o.scoresFile,
      undefined,
      'no scored items (the file is empty, or every line is unscored)',
    );
  const { rubric, why } = await rubricOfScores(scores);
  const scale = o.scale ?? (rubric ? { min: rubric.scale.min, max: rubric.scale.max } : null);
  if (!scale) throw new UsageError(`${why}: give the scale with --scale MIN,MAX`);
  const gold = await readGold(o.goldFile);
  const scoredCriteria = rubric
    ? rubric.criteria.map((c) => c.name)
    : [...new Set(scores.items.flatMap((i) => Object.keys(i.scores)))];
  const goldCriteria = checkGold(gold, o.goldFile, scale, scoredCriteria);
  if (o.criterion && o.criterion !== 'overall' && !goldCriteria.includes(o.criterion))
    throw new InputError(
      o.goldFile,
      undefined,
      `no rating of "${o.criterion}" in the gold (it rates: ${goldCriteria.join(', ')})`,
    );
  const sheet = await readSheetDesign(o.goldFile, gold);
  const session = isSequentialSheet(sheet) ? await readSession(sheet!.file) : null;
  return { scores, gold, rubric, scale, scoredCriteria, goldCriteria, sheet, session };
}

/**
 * A join that matched nothing, or left the focus criterion (or, with renamed gold columns, any
 * criterion) with no pairs, is an input error that says why — not a table of n = 0.
 */
function refuseEmptyJoin(
  o: CalibrateFilesOptions,
  { scores, gold, scoredCriteria, goldCriteria }: Awaited<ReturnType<typeof readInputs>>,
  report: CalibrationReport,
  focus: string,
): void {
  const { join } = report;
  const renamed = join.unknown_columns.length
    ? ` The gold has ${join.unknown_columns.length === 1 ? 'a column' : 'columns'} ${join.unknown_columns.map((c) => `"${c}"`).join(', ')} that ${join.unknown_columns.length === 1 ? 'is' : 'are'} no criterion of the scores (they have: ${scoredCriteria.join(', ')}, overall): renamed?`
    : '';
  if (join.matched === 0) {
    const some = (ids: string[]) =>
      ids
        .slice(0, 3)
        .map((i) => JSON.stringify(i))
        .join(', ');
    const scoreIds = new Set(scores.items.map((i) => i.id));
    const goldIds = [...new Set(gold.map((g) => g.id))];
    if (goldIds.some((id) => scoreIds.has(id)))
      throw new InputError(
        o.goldFile,
        undefined,
        `no gold row rates a criterion of the scores for a scored item.${renamed || ` (The gold rates: ${goldCriteria.join(', ')}.)`}`,
      );
    throw new InputError(
      o.goldFile,
      undefined,
      `no gold id matches a scored item (gold ids such as ${some(goldIds)}; scored ids such as ${some(scores.items.map((i) => i.id))})`,
    );
  }
  const empty = Object.entries(join.criteria).filter(([, c]) => c.n === 0);
  const fatal = empty.filter(([c]) => c === focus || renamed);
  if (!fatal.length) return;
  const why = (c: string) =>
    Object.entries(join.criteria[c]!.dropped)
      .map(([reason, n]) => `${n} item${n === 1 ? '' : 's'}: ${reason}`)
      .join('; ');
  const noJudgeOverall =
    focus === 'overall' && scores.items.every((it) => it.overall === null)
      ? ` The scores carry no "overall" (scores from another tool?): calibrate one of their criteria with --criterion (${scoredCriteria.join(', ')}), or add "overall" to each line.`
      : '';
  throw new InputError(
    o.goldFile,
    undefined,
    `${fatal.map(([c]) => `no item has both a judge and a human value of ${c} (of ${join.matched} joined: ${why(c)})`).join('. ')}.${noJudgeOverall}${renamed}`,
  );
}

/** The fitted mapping saved as a calibration artifact: at `out`, or (true) at its default name. */
async function saveArtifact(
  o: CalibrateFilesOptions,
  out: string | true,
  scores: ScoresFile,
  report: CalibrationReport,
): Promise<string> {
  if (!report.mapping) throw new UsageError('not enough matched items to fit a mapping (need at least 2)');
  if (!scores.rubric)
    throw new UsageError('the scores file carries no rubric stamp: cannot write an artifact');
  const artifact = buildArtifact({
    judge: scores.judge,
    rubric: scores.rubric,
    criterion: report.mapping.criterion,
    method: report.mapping.mapping.method,
    mapping: report.mapping.mapping,
    n: report.mapping.n,
    metrics: { in_sample: report.mapping.in_sample, cross_validated: report.mapping.cross_validated },
    created_at: new Date().toISOString(),
  });
  const artifactPath = typeof out === 'string' ? out : defaultArtifactName(artifact);
  refuseOverInputs(o, artifactPath);
  await writeFileAtomic(artifactPath, `${JSON.stringify(artifact, null, 2)}\n`);
  return artifactPath;
}

/**
 * What was asked for but could not be computed, one sentence each: the CLI prints the report and
 * then these, and exits non-zero. The estimate of every item having gold is no problem (the
 * gold-only figure is the answer, and the report says so).
 */
export function problemsOf(report: CalibrationReport, o: Pick<CalibrateFilesOptions, 'ppi'>): string[] {
  const out: string[] = [];
  const ppi = report.ppi;
  if (o.ppi && ppi && ppi.estimate === null && !(ppi.n_unlabelled === 0 && report.join.matched > 0))
    out.push(`no prediction-powered estimate of ${ppi.criterion}: ${ppi.reason ?? 'unknown reason'}`);
  const prev = report.prevalence;
  // a refused pass rate fails the run unless the design-weighted PPI++ estimate was asked for and given
  if (prev && prev.corrected === null && !('human_rate' in prev) && !(o.ppi && ppi && ppi.estimate !== null))
    out.push(`no corrected pass rate of ${prev.criterion}: ${prev.reason ?? 'unknown reason'}`);
  return out;
}
