import { resolve } from 'node:path';
import { makeRoomForSheet, sheetPrefix } from '../../calibration/gold-sample.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { refuseOutputsOverInputs } from '../../io/outputs.js';
import { assertAppendable } from '../../rate/append.js';
import { startViewServer } from '../../rate/view/server.js';
import { sourcesOf } from '../../rate/view/sources.js';
import { staticHtml } from '../../rate/view/static.js';
import { Viewer } from '../../rate/view/viewer.js';
import type { ViewFlags } from '../specs/view.js';
import { openInBrowser, untilStopped } from './rate.js';

/** `plumb view RUN...`: the local viewer page, or (--static) one HTML file, or (--sheet) a rating sheet. */
export async function viewCommand(runs: string[], flags: ViewFlags): Promise<void> {
  const sources = runs.flatMap((r) => sourcesOf(r));
  const reviewFiles = sources.map((s) => s.reviews);
  // the gold may be a run's own reviews: they are appended to, never replaced
  const goldIsReviews =
    flags.gold !== undefined && reviewFiles.some((f) => resolve(f) === resolve(flags.gold!));
  const prefix = flags.sheet ? sheetPrefix(flags.sheet) : null;
  refuseOutputsOverInputs(
    [
      ...reviewFiles.map((path) => ({ flag: 'the reviews of RUN', path })),
      ...(flags.static ? [{ flag: '--static', path: flags.static }] : []),
      ...(prefix
        ? [
            { flag: '--sheet', path: `${prefix}.csv` },
            { flag: '--sheet', path: `${prefix}.jsonl` },
          ]
        : []),
    ],
    [
      ...sources.map((s) => ({ flag: 'RUN', path: s.file })),
      ...(flags.gold && !goldIsReviews ? [{ flag: '--gold', path: flags.gold }] : []),
    ],
  );
  const rater = flags.rater ?? process.env.USER ?? 'reviewer';
  const started = Date.now();
  const viewer = await Viewer.open(runs, {
    gold: flags.gold,
    rubric: flags.rubric,
    rebuild: flags.rebuildIndex,
    rater,
    onIndex: (run) => {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      process.stderr.write(
        `${run.source.label}: ${run.index.n} item(s), ${run.kind} · index ${run.built ? `built (${secs} s)` : 'current'}: ${run.index.path}\n`,
      );
      for (const n of run.notes) process.stderr.write(`plumb: note: ${n}\n`);
    },
  });
  const filter = flags.filter ?? '';
  if (prefix) {
    await makeRoomForSheet(prefix, false);
    const r = await viewer.sheet(filter, { prefix }, flags.maxItems);
    process.stdout.write(
      `sheet: ${r.jsonl}, ${r.csv} (${r.rows} row(s) for ${r.items} of the ${r.matching} item(s) the view selects)\n` +
        `not a random sample: ${r.selection.note}\n` +
        `rate: npx plumb rate ${r.jsonl} --rater <name>\n`,
    );
    return;
  }
  if (flags.static) {
    const { html, items, bytes } = staticHtml(viewer, filter);
    await writeFileAtomic(flags.static, html);
    process.stdout.write(
      `static: ${flags.static} (${items} item(s), ${(bytes / 1024).toFixed(0)} KB of data; opens from disk, no network)\n`,
    );
    if (flags.open) openInBrowser(flags.static);
    return;
  }
  // reviews are appended as the page sends them: a folder in their place is refused now, not then
  for (const f of reviewFiles) assertAppendable(f, 'the reviews file');
  const server = await startViewServer(viewer, { port: flags.port });
  const url = `${server.url}${filter ? `#${filter}` : ''}`;
  const total = viewer.runs.reduce((s, r) => s + r.index.n, 0);
  process.stdout.write(
    `viewing ${total} item(s) of ${viewer.runs.map((r) => r.source.label).join(', ')}: open\n  ${url}\n` +
      `(only this address works; it is served on 127.0.0.1 only). Reviews are appended to ${viewer.runs.map((r) => r.source.reviews).join(', ')}.\n` +
      'Ctrl-C stops.\n',
  );
  if (flags.open) openInBrowser(url);
  await untilStopped();
  await server.close();
  process.stdout.write('\nstopped\n');
}
