import { join } from 'node:path';
import type { NamedPath } from '../io/outputs.js';
import { TURN_GLMM_FORMULA, type TurnGlmm, turnRows } from '../probe/turn-glmm.js';
import { exportForR, type RExport } from './export-r.js';

/**
 * `plumb probe … --export r DIR`: the probe's multi-turn GLMM for R — per model, the per-turn rows
 * it fitted (`abandoned, turn, condition, question`) as DIR/data.csv and the equivalent
 * `lme4::glmer(abandoned ~ turn * condition + (1 | question), family = binomial)` as DIR/fit.R
 * (export-r.ts). With several models each gets its own folder DIR/<model>/.
 */
export interface TurnGlmmExport {
  exported: (RExport & { model: string })[];
  /** Models without a fit (nothing to compare in R), with the reason. */
  skipped: { model: string; note: string }[];
}

/** A model label as a folder name: `openai:gpt-4o` → `openai_gpt-4o`. */
const folderOf = (model: string) => model.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'model';

export async function exportTurnGlmm(o: {
  dir: string;
  /** The transcript lines (or label lines) the entries were fitted from. */
  transcripts: readonly Record<string, unknown>[];
  entries: readonly TurnGlmm[];
  /** The model label of lines that name none, as given to turnGlmm. */
  target?: string;
  source: string;
  inputs?: NamedPath[];
}): Promise<TurnGlmmExport> {
  const rows = turnRows(o.transcripts, { target: o.target });
  const out: TurnGlmmExport = { exported: [], skipped: [] };
  const several = o.entries.length > 1;
  for (const e of o.entries) {
    if (!e.fit) {
      out.skipped.push({ model: e.model, note: e.note ?? 'not fitted' });
      continue;
    }
    const mine = rows.filter((r) => r.model === e.model);
    const written = await exportForR({
      dir: several ? join(o.dir, folderOf(e.model)) : o.dir,
      rows: mine.map((r) => ({
        abandoned: r.abandoned,
        turn: r.turn,
        condition: r.condition,
        question: r.question,
      })),
      formula: TURN_GLMM_FORMULA,
      options: { family: 'binomial', reference: { condition: e.fit.reference } },
      // the engine's fit names its columns y and group; the terms are the same
      fit: { ...e.fit.fit, formula: TURN_GLMM_FORMULA },
      source: `${o.source}${several ? `, model ${e.model}` : ''}`,
      inputs: o.inputs,
    });
    out.exported.push({ ...written, model: e.model });
  }
  return out;
}
