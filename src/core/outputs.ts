/**
 * Every JSON file plumb writes says what it is in its `kind`, so a program reading it (the report,
 * the gate, the viewer, a user's script) dispatches on that word instead of guessing from fields:
 * a renamed field then fails loudly instead of silently dropping a figure.
 */
export const OUTPUT_KINDS = {
  score: 'a score run summary (`score --summary`)',
  pairwise: 'a pairwise run summary (`pairwise --summary`)',
  calibration: 'a calibration of judge scores against gold (`calibrate --json`)',
  'verdict-calibration': 'a calibration of pairwise verdicts against gold (`calibrate --json` on verdicts)',
  'calibration-artifact': 'a fitted calibration mapping (`calibrate --out`)',
  probe: "a probe run's summary (`probe`, `probe analyze`, `probe judge`)",
  'probe-run': "a probe run's settings (probe-run.json)",
  audit: 'a judge audit (audit.json)',
  gate: 'a gate result (`gate --json`)',
  shard: "a shard's record beside its scores (`score --shard`)",
  'mixed-fit': 'a mixed-effects model fit (`plumb mixed --json`)',
} as const;

export type OutputKind = keyof typeof OUTPUT_KINDS;

/** The kind a parsed file declares, when it is one plumb writes. */
export function outputKind(doc: unknown): OutputKind | null {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && Object.hasOwn(OUTPUT_KINDS, kind) ? (kind as OutputKind) : null;
}
