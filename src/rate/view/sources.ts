import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { outputKind } from '../../core/outputs.js';
import { noteInput } from '../../io/guard.js';
import type { ProbeRunSettings } from '../../probe/summary.js';

/**
 * What each RUN named on the command line opens as: one data file per source, which the viewer
 * indexes and shows. A score, pairwise or generate file is one source; a probe folder is its
 * transcripts; an audit folder is its original scores and each perturbed copy, side by side; a
 * score or pairwise summary stands for the lines it summarises. Anything else is refused, naming
 * it (exit 2).
 */
export interface RunSource {
  /** How the page names it: the file's name, or `folder/variant` inside an audit. */
  label: string;
  /** The JSONL file the items are read from. */
  file: string;
  /** Where a review of its items is appended: `<file without .jsonl>.reviews.jsonl`. */
  reviews: string;
  /** For a probe folder: its probe-run.json (the stance rubric, the target). */
  probeRun: ProbeRunSettings | null;
  /** For an audit folder: which perturbation this is (`original` for the unperturbed scores). */
  variant: string | null;
}

export const reviewsPathOf = (file: string) => `${file.replace(/\.jsonl$/i, '')}.reviews.jsonl`;

function source(file: string, label: string, extra: Partial<RunSource> = {}): RunSource {
  return { label, file, reviews: reviewsPathOf(file), probeRun: null, variant: null, ...extra };
}

function readJson(file: string): Record<string, unknown> {
  noteInput(file);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new InputError(
      file,
      undefined,
      `not a JSON file plumb wrote (${(err as Error).message.split('\n')[0]})`,
    );
  }
}

/** A summary's `output`, as written (relative to where the run was started) or beside the summary. */
function followOutput(summary: string, output: unknown): string {
  if (typeof output !== 'string' || !output)
    throw new InputError(
      summary,
      undefined,
      'a summary that names no output file: view the scores file itself',
    );
  for (const candidate of [resolve(output), join(dirname(summary), basename(output))])
    if (existsSync(candidate)) return candidate;
  throw new InputError(
    summary,
    undefined,
    `its items are in ${output}, which is not there (moved?): view that file itself`,
  );
}

export function sourcesOf(arg: string): RunSource[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(arg);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      arg,
      undefined,
      `cannot read (${code === 'ENOENT' ? 'no such file or folder' : code})`,
    );
  }
  if (st.isDirectory()) {
    const transcripts = join(arg, 'transcripts.jsonl');
    if (existsSync(transcripts)) {
      const runFile = join(arg, 'probe-run.json');
      const settings = existsSync(runFile) ? readJson(runFile) : null;
      if (settings && outputKind(settings) !== 'probe-run')
        throw new InputError(runFile, undefined, "not a probe run's settings plumb wrote");
      // its kind says it is the ProbeRunSettings plumb wrote beside the transcripts
      const probeRun = settings as ProbeRunSettings | null;
      return [source(transcripts, basename(resolve(arg)), { probeRun })];
    }
    const auditFile = join(arg, 'audit.json');
    if (existsSync(auditFile)) {
      const audit = readJson(auditFile);
      if (outputKind(audit) !== 'audit')
        throw new InputError(auditFile, undefined, 'not an audit plumb wrote');
      const variants = readdirSync(arg)
        .filter((f) => f.endsWith('.scores.jsonl'))
        .map((f) => f.slice(0, -'.scores.jsonl'.length))
        .sort((a, b) => (a === 'original' ? -1 : b === 'original' ? 1 : a.localeCompare(b)));
      if (!variants.length)
        throw new InputError(auditFile, undefined, 'an audit folder with no scores in it');
      const name = basename(resolve(arg));
      return variants.map((v) => source(join(arg, `${v}.scores.jsonl`), `${name}/${v}`, { variant: v }));
    }
    throw new InputError(
      arg,
      undefined,
      'a folder that is neither a probe run (transcripts.jsonl) nor an audit (audit.json)',
    );
  }
  if (/\.json$/i.test(arg)) {
    const doc = readJson(arg);
    const kind = outputKind(doc);
    if (kind === 'score' || kind === 'pairwise')
      return [source(followOutput(arg, doc.output), basename(arg))];
    if (kind === 'probe' || kind === 'probe-run' || kind === 'audit') return sourcesOf(dirname(arg));
    if (kind === 'calibration' || kind === 'verdict-calibration')
      throw new InputError(
        arg,
        undefined,
        'a calibration holds figures, not items: view the scores it was made from with --gold and the gold file (plumb view SCORES --gold GOLD)',
      );
    throw new InputError(
      arg,
      undefined,
      kind
        ? `a ${kind} file holds no items to view`
        : 'not a plumb output the viewer reads (score, pairwise or generate lines, probe or audit folders)',
    );
  }
  return [source(arg, basename(arg))];
}
