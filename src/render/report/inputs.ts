import type { AuditReport } from '../../audit/run.js';
import type { CalibrationReport } from '../../calibration/calibrate.js';
import { InputError } from '../../core/errors.js';
import { outputKind } from '../../core/outputs.js';
import type { GateResult } from '../../gate/gate.js';
import type { PairwiseSummary } from '../../pairwise/summary.js';
import type { ProbeSummary } from '../../probe/summary.js';
import type { ScoreSummary } from '../../score/summary.js';

/**
 * The outputs a report shows, by the `kind` each declares (core/outputs.ts), each with the type it
 * was written as: a section reads its file through that type, so a renamed field is a compile
 * error in the section instead of a figure silently dropped.
 */
export interface ReportInputs {
  score: ScoreSummary;
  pairwise: PairwiseSummary;
  calibration: CalibrationReport;
  probe: ProbeSummary;
  audit: AuditReport;
  gate: GateResult;
}

export type ReportKind = keyof ReportInputs;

/** A file the report reads: its kind and its contents as that kind's declared type. */
export type ReportInput = { [K in ReportKind]: { kind: K; doc: ReportInputs[K] } }[ReportKind];

const READS: Record<ReportKind, true> = {
  score: true,
  pairwise: true,
  calibration: true,
  probe: true,
  audit: true,
  gate: true,
};

/** The kinds a report reads, as the refusal names them. */
export const REPORT_READS =
  'score or pairwise summaries, calibrate --json, probe or audit folders, gate --json';

/**
 * Recognises a parsed file by the `kind` it declares and returns it as that kind's type. A file
 * with no kind plumb writes, or one a report does not show (a shard record, a model fit), is an
 * input error naming the file and what it is.
 */
export function reportInput(doc: unknown, file: string): ReportInput {
  const kind = outputKind(doc);
  if (kind === null || !Object.hasOwn(READS, kind))
    throw new InputError(file, undefined, `not a plumb output this report reads (${REPORT_READS})`);
  // the kind is the file's own declaration of its type (plumb writes each kind from that type)
  return { kind, doc } as ReportInput;
}
