import { createRequire } from 'node:module';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../io/atomic.js';
import { type NamedPath, refuseOutputsOverInputs } from '../io/outputs.js';
import { type MixedFit, type MixedOptions, parseFormula } from '../stats/mixed/index.js';
import { fieldValue, isMissingValue } from './fields.js';

/**
 * `--export r DIR`: what a reviewer needs to re-fit a plumb model in R — a tidy CSV of exactly the
 * rows plumb fitted (one row per observation, one column per field the formula reads) and an R
 * script with the equivalent `lme4::glmer` / `lmerTest::lmer` call on it, the column types and
 * factor levels set as plumb set them (the first level is the reference), printing lme4's
 * estimates beside plumb's.
 */

/** How a column is typed, in plumb and in R's read.csv (`colClasses`). */
type ColumnType = 'numeric' | 'logical' | 'character';

export interface ExportColumn {
  name: string;
  type: ColumnType;
  role: 'response' | 'fixed' | 'group';
  /** Fixed-effect factors (and a binomial text response): the levels in plumb's order. */
  levels?: string[];
}

export interface FittedTable {
  columns: ExportColumn[];
  /** The fitted rows' values, column by column order. */
  rows: (string | number | boolean)[][];
  /** Source line of each fitted row, when the rows came with lines. */
  lines?: number[];
}

/** Code-point order, as the engine sorts levels (src/stats/mixed/frame.ts). */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function typeOf(values: unknown[]): ColumnType {
  const t = typeof values[0];
  return t === 'number' ? 'numeric' : t === 'boolean' ? 'logical' : 'character';
}

/** Levels as the engine orders them: sorted (numerically for numbers), the reference first. */
function levelsOf(values: unknown[], type: ColumnType, reference: string | undefined): string[] {
  const labels = values.map((v) => (type === 'logical' ? (v ? 'TRUE' : 'FALSE') : String(v)));
  let levels = [...new Set(labels)].sort(type === 'numeric' ? (a, b) => Number(a) - Number(b) : byCodePoint);
  if (reference !== undefined && levels.includes(reference))
    levels = [reference, ...levels.filter((l) => l !== reference)];
  return levels;
}

/**
 * The rows the engine fits for `formula` (those with no missing value in any field it reads, in
 * order), as a table with one column per field — response, fixed-effect fields, grouping fields.
 */
export function fittedTable(
  rows: readonly Record<string, unknown>[],
  formula: string,
  options: MixedOptions = {},
  lines?: readonly number[],
): FittedTable {
  const f = parseFormula(formula);
  const fixed = [...new Set(f.fixed.flat())];
  const grouping = [...new Set(f.random.flatMap((r) => r.factors))];
  const names = [...new Set([f.response, ...fixed, ...grouping])];
  const keep: number[] = [];
  rows.forEach((r, i) => {
    if (names.every((n) => !isMissingValue(fieldValue(r, n)))) keep.push(i);
  });
  const values = (n: string) => keep.map((i) => fieldValue(rows[i]!, n));
  const reference = options.reference ?? {};
  const columns = names.map((name): ExportColumn => {
    const vals = values(name);
    const type = typeOf(vals);
    const role = name === f.response ? 'response' : fixed.includes(name) ? 'fixed' : 'group';
    const isFactor =
      role === 'fixed'
        ? type !== 'numeric' || reference[name] !== undefined
        : role === 'response' && type === 'character' && options.family === 'binomial';
    return {
      name,
      type,
      role,
      ...(isFactor ? { levels: levelsOf(vals, type, role === 'fixed' ? reference[name] : undefined) } : {}),
    };
  });
  return {
    columns,
    rows: keep.map((i) => names.map((n) => fieldValue(rows[i]!, n) as string | number | boolean)),
    ...(lines ? { lines: keep.map((i) => lines[i]!) } : {}),
  };
}

/** The table as CSV text: numbers in shortest round-trip form, logicals as TRUE/FALSE. */
export function tableCsv(t: FittedTable, lineColumn: string | null): string {
  const header = [...t.columns.map((c) => c.name), ...(lineColumn && t.lines ? [lineColumn] : [])];
  const body = t.rows.map((r, k) => [
    ...r.map((v) => (typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v))),
    ...(lineColumn && t.lines ? [String(t.lines[k])] : []),
  ]);
  return stringify([header, ...body], { record_delimiter: '\n' });
}

const R_RESERVED = new Set(
  'if else repeat while function for next break TRUE FALSE NULL Inf NaN NA NA_integer_ NA_real_ NA_character_ NA_complex_ in'.split(
    ' ',
  ),
);

/** A name R's parser takes without backticks. */
export function isSyntacticR(name: string): boolean {
  // a lone `.` parses, but in a formula it means "every other column"
  return /^(?:[A-Za-z]|\.(?![0-9]))[A-Za-z0-9._]*$/.test(name) && name !== '.' && !R_RESERVED.has(name);
}

/** The formula as R reads it: as written, with every name R would not parse put in backticks. */
export function rFormula(formula: string): string {
  let out = '';
  let i = 0;
  const src = formula.trim();
  while (i < src.length) {
    const c = src[i]!;
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      const name = src.slice(i + 1, end < 0 ? undefined : end);
      out += `\`${name}\``;
      i = end < 0 ? src.length : end + 1;
    } else if (/[A-Za-z_.]/.test(c) && !/^\.\d/.test(src.slice(i, i + 2))) {
      const name = /^[A-Za-z0-9_.]+/.exec(src.slice(i))![0];
      out += isSyntacticR(name) ? name : `\`${name}\``;
      i += name.length;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** A string as an R literal. */
export const rString = (s: string) => JSON.stringify(s);
const rVector = (xs: readonly string[]) => `c(${xs.map(rString).join(', ')})`;
const rNumbers = (xs: readonly number[]) =>
  `c(${xs.map((x) => (Number.isFinite(x) ? String(x) : 'NA')).join(', ')})`;
const shellQuote = (s: string) => (/^[\w./=:-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** plumb's version, for the scripts' headers. */
export const version = (): string => {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

/**
 * The R script that re-fits `fit` on `csvName` (in the script's folder). Long on purpose: it is the
 * script's text, line after line in the order R runs it, so it reads as the file it writes.
 */
export function rScript(
  t: FittedTable,
  fit: MixedFit,
  options: MixedOptions,
  csvName: string,
  source: string,
): string {
  const gaussian = fit.family === 'gaussian';
  // a factor is read as text and given plumb's labels: R's as.character(1e5) is "1e+05", plumb's "100000"
  const colClasses = `c(${t.columns.map((c) => `${rString(c.name)} = ${rString(c.levels ? 'character' : c.type)}`).join(', ')})`;
  const col = (name: string) => `d[[${rString(name)}]]`;
  const conversions: string[] = [];
  for (const c of t.columns) {
    if (c.levels) {
      const what =
        c.role === 'response'
          ? 'the response: the first level is failure (0), as plumb codes it'
          : `first level ${rString(c.levels[0]!)} is the reference`;
      conversions.push(`${col(c.name)} <- factor(${col(c.name)}, levels = ${rVector(c.levels)})  # ${what}`);
    } else if (c.role === 'response' && c.type === 'logical')
      conversions.push(`${col(c.name)} <- as.numeric(${col(c.name)})  # TRUE = 1, as plumb codes it`);
  }
  const reml = options.reml ?? true;
  const call = gaussian
    ? `lmer(${rFormula(fit.formula)}, data = d, REML = ${reml ? 'TRUE' : 'FALSE'})`
    : `glmer(${rFormula(fit.formula)}, data = d, family = binomial, nAGQ = ${options.nAGQ ?? 1})`;
  const plumbCmd = [
    'npx plumb mixed --data',
    csvName,
    '--formula',
    shellQuote(fit.formula),
    '--family',
    fit.family,
    ...(gaussian && !reml ? ['--ml'] : []),
    ...((options.nAGQ ?? 1) > 1 ? ['--nagq', String(options.nAGQ)] : []),
    ...Object.entries(options.reference ?? {}).flatMap(([k, v]) => ['--reference', shellQuote(`${k}=${v}`)]),
  ].join(' ');
  const fe = fit.fixedEffects;
  return `${[
    `# Re-fit in R of a mixed model fitted by plumb-judge ${version()} (plumb mixed).`,
    `# Data: ${csvName} beside this script, exactly the ${fit.nobs} rows plumb fitted (from ${source}).`,
    `# plumb fitted: ${fit.formula}   [${fit.family}, ${fit.method}]`,
    '# Run in this folder:  Rscript fit.R',
    `# The same fit in plumb:  ${plumbCmd}`,
    '# plumb is checked against R 4.2.2, lme4 1.1-31 and lmerTest 3.1-3 (docs/mixed-models.md).',
    '',
    `suppressPackageStartupMessages(library(${gaussian ? 'lmerTest' : 'lme4'}))`,
    `d <- read.csv(${rString(csvName)}, colClasses = ${colClasses},`,
    '              na.strings = character(0), check.names = FALSE, encoding = "UTF-8")',
    `stopifnot(nrow(d) == ${fit.nobs}L)`,
    ...(conversions.length ? ['# factor levels in the order plumb used', ...conversions] : []),
    '',
    `m <- ${call}`,
    'print(summary(m))',
    'cat("singular fit:", isSingular(m), "\\n\\n")',
    '',
    "# lme4's default stopping rule leaves slack (up to ~1e-3 of an estimate); plumb polishes to the",
    '# optimum, so it is compared with a fit at tight tolerances as well',
    `mt <- update(m, control = ${
      gaussian
        ? "lmerControl(optimizer = 'nloptwrap', optCtrl = list(xtol_abs = 1e-13, ftol_abs = 1e-15, xtol_rel = 0, ftol_rel = 0))"
        : "glmerControl(optimizer = 'bobyqa', optCtrl = list(rhoend = 1e-11, maxfun = 1e5))"
    })`,
    "# lme4's estimates beside plumb's",
    `plumb <- data.frame(estimate = ${rNumbers(fe.map((f) => f.estimate))}, se = ${rNumbers(fe.map((f) => f.se))},`,
    `                    row.names = ${rVector(fe.map((f) => f.term))})`,
    'cf <- coef(summary(m))',
    'ct <- coef(summary(mt))',
    'cmp <- data.frame(lme4 = cf[, "Estimate"], lme4_tight = ct[, "Estimate"], plumb = plumb[rownames(cf), "estimate"],',
    '                  lme4_se = cf[, "Std. Error"], lme4_tight_se = ct[, "Std. Error"], plumb_se = plumb[rownames(cf), "se"])',
    ...(gaussian
      ? [
          `cmp$lme4_df <- cf[, "df"]`,
          `cmp$lme4_tight_df <- ct[, "df"]`,
          `cmp$plumb_df <- ${rNumbers(fe.map((f) => f.df ?? Number.NaN))}[match(rownames(cf), rownames(plumb))]`,
        ]
      : []),
    'print(cmp, digits = 7)',
    `cat("logLik: lme4", format(as.numeric(logLik(m)), digits = 10), " lme4 tight", format(as.numeric(logLik(mt)), digits = 10), " plumb", ${JSON.stringify(String(fit.logLik))}, "\\n")`,
  ].join('\n')}\n`;
}

export interface RExport {
  dir: string;
  /** The CSV of the fitted rows, and the script. */
  csv: string;
  script: string;
  rows: number;
}

export interface ExportROptions {
  /** Folder to write `data.csv` and `fit.R` into (created when missing). */
  dir: string;
  rows: readonly Record<string, unknown>[];
  /** Each row's source line, written as a last column `source_line` (unless a field has that name). */
  lines?: readonly number[];
  formula: string;
  options: MixedOptions;
  /** The fit plumb made of these rows (its estimates go into the script for comparison). */
  fit: MixedFit;
  /** Where the rows came from, for the script's header. */
  source: string;
  /** The command's inputs: no output may overwrite one. */
  inputs?: NamedPath[];
}

/** Writes `data.csv` and `fit.R` into `dir` (each atomically); returns their paths. */
export async function exportForR(o: ExportROptions): Promise<RExport> {
  const csv = join(o.dir, 'data.csv');
  const script = join(o.dir, 'fit.R');
  refuseOutputsOverInputs(
    [
      { flag: '--export', path: csv },
      { flag: '--export', path: script },
    ],
    o.inputs ?? [],
  );
  const t = fittedTable(o.rows, o.formula, o.options, o.lines);
  if (t.rows.length !== o.fit.nobs)
    throw new Error(
      `internal: ${t.rows.length} complete rows for the export, but the fit used ${o.fit.nobs}`,
    );
  const lineColumn = t.columns.some((c) => c.name === 'source_line') ? null : 'source_line';
  await writeFileAtomic(csv, tableCsv(t, lineColumn));
  await writeFileAtomic(script, rScript(t, o.fit, o.options, 'data.csv', o.source));
  return { dir: o.dir, csv, script, rows: t.rows.length };
}
