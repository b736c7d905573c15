import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { sheetPrefix } from '../../calibration/gold-sample.js';
import { UsageError } from '../../core/errors.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { startRatingServer } from '../../rate/server.js';
import { readSheet } from '../../rate/sheet.js';
import { resolveRubric } from '../../rubrics/load.js';
import type { Rubric } from '../../rubrics/schema.js';
import type { RateFlags } from '../specs/rate.js';

/** `plumb rate SHEET`: the local rating page for a sheet `gold sample` wrote. */
export async function rateCommand(sheet: string, flags: RateFlags): Promise<void> {
  const items = await readSheet(sheet);
  const pairs = items.some((i) => i.pair);
  const stamp = items[0]!.rubric;
  const ref = flags.rubric ?? (stamp && !pairs ? `${stamp.id}@${stamp.version}` : null);
  if (!ref && !pairs)
    throw new UsageError(
      `${sheet} names no rubric (a CSV sheet, or an older one): pass --rubric to show its criteria`,
    );
  let rubric: Rubric | null = null;
  if (ref && !pairs) {
    rubric = await resolveRubric(ref);
    if (!flags.rubric && stamp && rubric.hash !== stamp.hash)
      process.stderr.write(
        `plumb: warning: ${ref} here has other content than the rubric the items were scored with; its anchors are shown\n`,
      );
    const missing = items[0]!.criteria.filter((c) => !rubric!.criteria.some((x) => x.name === c));
    if (missing.length)
      throw new UsageError(`the sheet rates ${missing.join(', ')}, which ${ref} does not define`);
  }
  const raters = flags.raters ?? null;
  const rater = raters ? flags.rater : (flags.rater ?? process.env.USER ?? 'rater');
  const ratingsFile = `${sheetPrefix(sheet)}.ratings.jsonl`;
  refuseOutputsOverInputs([{ flag: 'ratings', path: ratingsFile }], [{ flag: 'SHEET', path: sheet }]);
  const server = await startRatingServer({
    items,
    rubric,
    rater,
    ...(raters ? { raters, perItem: flags.perItem ?? raters.length } : {}),
    seed: flags.seed,
    ratingsFile,
    port: flags.port,
  });
  const before = countLines(ratingsFile);
  const who = raters
    ? `by ${raters.join(', ')} (${flags.perItem ?? raters.length} per item${rater ? `; this page: ${rater}` : '; each picks their name on the page'})`
    : `as ${rater}`;
  const selection = items.find((i) => i.selection)?.selection;
  process.stdout.write(
    `rating ${items.length} ${pairs ? 'pairs' : 'items'} of ${sheet} ${who}: open\n  ${server.url}\n` +
      `(only this address works; it is served on 127.0.0.1 only). Every rating is saved at once to ${ratingsFile}.\n` +
      (selection
        ? `note: the items were picked with the filter "${String(selection.filter ?? '')}": ${String(selection.note ?? 'not at random')}\n`
        : '') +
      `Ctrl-C stops. Then: npx plumb calibrate --scores <${pairs ? 'pairwise lines' : 'scores'}> --gold ${ratingsFile}\n`,
  );
  if (flags.open) openInBrowser(server.url);
  await untilStopped();
  await server.close();
  process.stdout.write(
    `\nstopped; ${countLines(ratingsFile) - before} rating(s) saved this session in ${ratingsFile}\n`,
  );
}

function countLines(file: string): number {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim()).length
    : 0;
}

/** Resolves at Ctrl-C or SIGTERM: a local page serves until the person stops it. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** The default browser, where there is one (xdg-open, open, start); silently nothing otherwise. */
export function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    spawn(command, args, { detached: true, stdio: 'ignore' })
      .on('error', () => {})
      .unref();
  } catch {
    // no browser opener: the address is printed
  }
}
