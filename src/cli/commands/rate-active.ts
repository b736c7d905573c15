import { existsSync, readFileSync } from 'node:fs';
import { rubricOfScores } from '../../calibration/from-files.js';
import { sheetPrefix } from '../../calibration/gold-sample.js';
import { readScores } from '../../calibration/join.js';
import { UsageError } from '../../core/errors.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { openSession, startSequentialServer } from '../../rate/sequential.js';
import { resolveRubric } from '../../rubrics/load.js';
import type { RateFlags } from '../specs/rate.js';
import { openInBrowser, untilStopped } from './rate.js';

/** `plumb rate SHEET --active`: a sequential active session (src/rate/sequential.ts). */
export async function rateActiveCommand(sheet: string, flags: RateFlags): Promise<void> {
  const prefix = sheetPrefix(sheet);
  const sessionFile = `${prefix}.session.json`;
  const existing = existsSync(sessionFile)
    ? (JSON.parse(readFileSync(sessionFile, 'utf8')) as { scores?: string })
    : null;
  const scoresFile = flags.scores ?? existing?.scores;
  if (!scoresFile)
    throw new UsageError(`${sessionFile} does not exist yet: give --scores FILE to start the session`);
  const ratingsFile = `${prefix}.ratings.jsonl`;
  refuseOutputsOverInputs(
    [
      { flag: 'SHEET', path: `${prefix}.jsonl` },
      { flag: 'SHEET', path: sessionFile },
      { flag: 'ratings', path: ratingsFile },
    ],
    [{ flag: '--scores', path: scoresFile }],
  );
  const scores = await readScores(scoresFile);
  let rubric = flags.rubric ? await resolveRubric(flags.rubric) : null;
  if (!rubric) {
    const found = await rubricOfScores(scores);
    if (!found.rubric)
      throw new UsageError(`${found.why}: pass --rubric to say which rubric's criteria to rate`);
    rubric = found.rubric;
  }
  const { design, created } = await openSession({
    sheet,
    scores: scoresFile,
    rubric,
    criterion: flags.criterion ?? 'overall',
    targetHalfwidth: flags.targetWidth!,
    budget: flags.budget!,
    ...(flags.floor !== undefined ? { floor: flags.floor } : {}),
    seed: flags.seed,
  });
  const rater = flags.rater ?? process.env.USER ?? 'rater';
  const server = await startSequentialServer({
    design,
    sessionFile,
    rubric,
    rater,
    ratingsFile,
    port: flags.port,
  });
  const st = server.state().status;
  process.stdout.write(
    `${created ? 'started' : 'resumed'} a sequential active session over ${design.ids.length} scored items (${prefix}.jsonl), estimating the mean ${design.criterion}\n` +
      `  draws: the judge's uncertainty (${design.signals}) mixed with uniform by τ = ${design.floor}; seed ${design.seed}\n` +
      `  stops when the 95% anytime-valid interval's half-width ≤ ${design.target_halfwidth}, or after ${design.budget} labels\n` +
      `  now: ${st.message}\n` +
      `rating as ${rater}: open\n  ${server.url}\n` +
      `(only this address works; it is served on 127.0.0.1 only). Every rating is saved at once to ${ratingsFile}; the estimate and interval to ${sessionFile}.\n` +
      'Ctrl-C stops; the same command resumes.\n',
  );
  if (flags.open) openInBrowser(server.url);
  await untilStopped();
  const end = server.state().status;
  await server.close();
  process.stdout.write(`\nstopped. ${end.message}\n`);
}
