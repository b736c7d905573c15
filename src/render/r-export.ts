/**
 * Where `--export r` wrote its files, one line per exported part (a model's turn GLMM, a group of
 * the test against 50 %), and what had nothing to write, for the terminal.
 */
export function renderRExport(
  exported: readonly { label: string; csv: string; rows: number; script: string }[],
  skipped: readonly { label: string; note: string }[],
): string {
  const several = exported.length + skipped.length > 1;
  return [
    ...exported.map(
      (e) =>
        `for R${several ? ` (${e.label})` : ''}: ${e.csv} (${e.rows} rows) and ${e.script} (Rscript fit.R in that folder)`,
    ),
    ...skipped.map((s) => `for R: nothing written for ${s.label}: ${s.note}`),
  ]
    .map((l) => `${l}\n`)
    .join('');
}
