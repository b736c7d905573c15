import { UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { refuseOutputsOverInputs } from '../io/outputs.js';
import {
  fitMixed,
  type MixedFamily,
  type MixedFit,
  type MixedOptions,
  type ParsedFormula,
  parseFormula,
} from '../stats/mixed/index.js';
import { type DataShape, type MixedData, readMixedData } from './data.js';
import { exportForR, type RExport } from './export-r.js';
import {
  assertFieldsExist,
  fieldValue,
  isMissingValue,
  parseWhere,
  rowMatches,
  type Where,
} from './fields.js';

/** A fit with where its rows came from: what `plumb mixed --json` prints and `--out` writes. */
export interface MixedResult extends MixedFit {
  data: {
    file: string;
    shape: DataShape;
    /** What a row is. */
    rows: string;
    /** Rows read (before --where filters and before the engine dropped incomplete ones). */
    read: number;
    /** What reading left out or added (ties, unjudged turns), one sentence each. */
    notes: string[];
  };
}

export interface MixedRunOptions {
  /** Data file (JSONL, CSV, a plumb output) or a probe folder. */
  data: string;
  formula: string;
  /** Default gaussian, as lme4's lmer. */
  family?: MixedFamily;
  reml?: boolean;
  nAGQ?: number;
  reference?: Record<string, string>;
  as?: DataShape | 'auto';
  pairwiseUnit?: 'pair' | 'order';
  /** Keep only the rows that pass every filter (`turn>=1`, `metadata.role=advisor`). */
  where?: string[];
  /** Write the result as JSON here. */
  out?: string | null;
  /** Write data.csv and fit.R for lme4 into this folder. */
  exportR?: string | null;
}

export interface MixedRun {
  result: MixedResult;
  /** Things the reader should know that are about the command, not the fit (e.g. a binary response fitted as gaussian). */
  notes: string[];
  out: string | null;
  exported: RExport | null;
}

/** The formula parsed, a parse error named as the flag's. */
export function parseModelFormula(formula: string): ParsedFormula {
  try {
    return parseFormula(formula);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`--formula ${err.message.replace(/^formula /, '')}`);
    throw err;
  }
}

/**
 * Fits `formula` to rows read by `readMixedData`: checks first that every field the formula names
 * exists (naming the fields there are when one does not), then fits with the engine. Engine
 * refusals (a non-binary binomial response, a grouping factor with one level) come through as
 * UsageError naming the data file.
 */
export function fitData(data: MixedData, formula: string, options: MixedOptions = {}): MixedResult {
  const parsed = parseModelFormula(formula);
  if (parsed.random.length === 0)
    throw new UsageError(
      `--formula has no random-effects term: add one such as (1 | ${parsed.variables.find((v) => v !== parsed.response) ?? 'group'}); a model without one is a plain regression`,
    );
  const predictors = [...new Set(parsed.fixed.flat())];
  for (const field of Object.keys(options.reference ?? {}))
    if (!predictors.includes(field))
      throw new UsageError(
        `--reference ${field}: not a fixed-effect predictor of the formula (predictors: ${predictors.join(', ') || 'none'})`,
      );
  if ((options.nAGQ ?? 1) > 1 && parsed.random.length !== 1)
    throw new UsageError(
      `--nagq ${options.nAGQ} needs a single grouping factor of random intercepts (as lme4); the formula has ${parsed.random.length}: ${parsed.random.map((r) => `(1 | ${r.name})`).join(' + ')}`,
    );
  assertFieldsExist(data.rows, parsed.variables, data.file);
  let fit: MixedFit;
  try {
    fit = fitMixed(data.rows, formula, options);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${data.file}: ${err.message}`);
    throw err;
  }
  return {
    ...fit,
    data: {
      file: data.file,
      shape: data.shape,
      rows: data.describe,
      read: data.read ?? data.rows.length,
      notes: data.notes,
    },
  };
}

/**
 * The rows that pass every filter, the others left out and counted in a note. A filter on a field
 * no row has is an unknown field, named as such.
 */
export function filterRows(data: MixedData, filters: readonly Where[]): MixedData {
  if (filters.length === 0) return data;
  assertFieldsExist(
    data.rows,
    filters.map((w) => w.field),
    data.file,
  );
  const keep = data.rows.map((r) => filters.every((w) => rowMatches(r, w)));
  const kept = keep.filter(Boolean).length;
  if (kept === 0)
    throw new UsageError(
      `--where ${filters.map((w) => w.text).join(' and ')}: no row of ${data.file} passes (${data.rows.length} read)`,
    );
  return {
    ...data,
    read: data.read ?? data.rows.length,
    rows: data.rows.filter((_, i) => keep[i]),
    lines: data.lines.filter((_, i) => keep[i]),
    notes: [
      ...data.notes,
      `--where ${filters.map((w) => w.text).join(' and ')}: ${kept} of ${data.rows.length} rows kept, ${data.rows.length - kept} left out`,
    ],
  };
}

/** True when every complete value of the response is 0/1 or true/false. */
function binaryResponse(data: MixedData, response: string): boolean {
  const vals = data.rows.map((r) => fieldValue(r, response)).filter((v) => !isMissingValue(v));
  return vals.length > 0 && vals.every((v) => v === 0 || v === 1 || v === true || v === false);
}

/**
 * `plumb mixed`: read the data, fit, and write what was asked (`out`: the result as JSON;
 * `exportR`: the fitted rows and an lme4 script). Outputs never overwrite the data file.
 */
export async function runMixed(o: MixedRunOptions): Promise<MixedRun> {
  const parsed = parseModelFormula(o.formula);
  const inputs = [{ flag: '--data', path: o.data }];
  refuseOutputsOverInputs(o.out ? [{ flag: '--out', path: o.out }] : [], inputs);
  const filters = (o.where ?? []).map(parseWhere);
  const read = await readMixedData(o.data, { as: o.as, pairwiseUnit: o.pairwiseUnit });
  if (read.file !== o.data) inputs.push({ flag: '--data', path: read.file });
  const data = filterRows(read, filters);
  const options: MixedOptions = {
    family: o.family ?? 'gaussian',
    ...(o.reml !== undefined ? { reml: o.reml } : {}),
    ...(o.nAGQ !== undefined ? { nAGQ: o.nAGQ } : {}),
    ...(o.reference && Object.keys(o.reference).length ? { reference: o.reference } : {}),
  };
  const result = fitData(data, o.formula, options);
  const notes: string[] = [];
  if (o.family === undefined && binaryResponse(data, parsed.response))
    notes.push(
      `the response '${parsed.response}' is binary but was fitted as gaussian (the default, as lmer): for a logistic GLMM give --family binomial`,
    );
  if (o.out) {
    refuseOutputsOverInputs([{ flag: '--out', path: o.out }], inputs);
    await writeFileAtomic(o.out, `${JSON.stringify(result, null, 2)}\n`);
  }
  const exported = o.exportR
    ? await exportForR({
        dir: o.exportR,
        rows: data.rows,
        lines: data.lines,
        formula: o.formula,
        options,
        fit: result,
        source: `${data.file}, ${data.describe}`,
        inputs: [...inputs, ...(o.out ? [{ flag: '--out', path: o.out }] : [])],
      })
    : null;
  return { result, notes, out: o.out ?? null, exported };
}
