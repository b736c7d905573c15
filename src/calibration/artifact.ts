import { readFile } from 'node:fs/promises';
import { canonicalJson, hashCanonical } from '../core/canonical.js';
import { InputError, MismatchError } from '../core/errors.js';
import { noteInput } from '../io/guard.js';
import type { Rubric } from '../rubrics/schema.js';
import type { CalibrationApplier } from '../score/run.js';
import { applyMapping, type Mapping } from './mapping.js';

/** A fitted calibration, saved under calibration/: one file per judge × rubric version × criterion. */
export interface CalibrationArtifact {
  kind: 'calibration-artifact';
  judge: unknown;
  rubric: { id: string; version: string; hash: string };
  criterion: string;
  method: Mapping['method'];
  mapping: Mapping;
  n: number;
  metrics: Record<string, unknown>;
  created_at: string;
  /** sha256 of the canonical artifact without this field: what runs are stamped with. */
  hash: string;
}

export function buildArtifact(a: Omit<CalibrationArtifact, 'hash' | 'kind'>): CalibrationArtifact {
  const body = { kind: 'calibration-artifact' as const, ...a };
  return { ...body, hash: hashCanonical(body) };
}

export function defaultArtifactName(a: Pick<CalibrationArtifact, 'judge' | 'rubric' | 'criterion'>): string {
  const j = a.judge as { provider?: string; model?: string } | null;
  const judge = `${j?.provider ?? 'judge'}-${j?.model ?? ''}`.replace(/[^a-zA-Z0-9._-]+/g, '_');
  return `calibration/${judge}__${a.rubric.id}@${a.rubric.version}__${a.criterion}.json`;
}

export async function readArtifact(file: string): Promise<CalibrationArtifact> {
  let raw: Record<string, unknown>;
  try {
    noteInput(file);
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError(file, undefined, `cannot read calibration artifact (${(err as Error).message})`);
  }
  if (
    raw.kind !== 'calibration-artifact' ||
    !raw.mapping ||
    !raw.rubric ||
    typeof raw.criterion !== 'string'
  ) {
    throw new InputError(
      file,
      undefined,
      'not a plumb calibration artifact (write one with `plumb calibrate --out`)',
    );
  }
  const { hash, ...body } = raw;
  if (hash !== hashCanonical(body))
    throw new InputError(
      file,
      undefined,
      'calibration artifact was modified after it was written (hash mismatch)',
    );
  // the hash matched: this is the object plumb wrote from a CalibrationArtifact, unedited
  return raw as unknown as CalibrationArtifact;
}

/** The judge stamp as score lines carry it, without the per-run fields (samples). */
function judgeIdentity(j: unknown): unknown {
  if (!j || typeof j !== 'object') return j;
  const { samples: _s, ...rest } = j as Record<string, unknown>;
  return rest;
}

/**
 * Checks an artifact against the run it is applied to and returns the applier. A different
 * rubric hash or judge would map scores with a curve fitted to someone else's: refused, exit 2.
 */
export function calibrationFor(
  file: string,
  artifact: CalibrationArtifact,
  rubric: Rubric,
  runJudge: unknown,
): CalibrationApplier {
  if (artifact.rubric.hash !== rubric.hash) {
    throw new MismatchError(
      `${file}: fitted for rubric ${artifact.rubric.id}@${artifact.rubric.version} (${artifact.rubric.hash.slice(0, 12)}…), this run uses ${rubric.id}@${rubric.version} (${rubric.hash.slice(0, 12)}…)`,
    );
  }
  const fitted = canonicalJson(judgeIdentity(artifact.judge));
  const here = canonicalJson(judgeIdentity(runJudge));
  if (fitted !== here) throw new MismatchError(`${file}: fitted for judge ${fitted}, this run uses ${here}`);
  const criterion = artifact.criterion;
  return {
    path: file,
    hash: artifact.hash,
    criterion,
    apply(scores, overall) {
      if (criterion === 'overall')
        return { scores: {}, overall: overall === null ? null : applyMapping(artifact.mapping, overall) };
      const v = scores[criterion];
      return {
        scores: { [criterion]: typeof v === 'number' ? applyMapping(artifact.mapping, v) : null },
        overall: null,
      };
    },
  };
}
