/**
 * Mixed-effects workflows on plumb's data (issue #20): rows from data files and plumb's own
 * outputs (data.ts), `plumb mixed` (run.ts), the R export (export-r.ts) and the GLMM analyses
 * other commands report (analyses.ts). The engine itself is src/stats/mixed/.
 */
export {
  binomTestHalf,
  type Coefficient,
  type ShareAgainstHalf,
  type ShareRow,
  shareAgainstHalf,
  type TurnByCondition,
  type TurnRow,
  turnByCondition,
} from '../stats/mixed/analyses.js';
export {
  DATA_SHAPES,
  type DataShape,
  type MixedData,
  pairwiseRows,
  type ReadDataOptions,
  readMixedData,
  scoreRows,
  shapeOf,
  transcriptRows,
  typeCsvColumns,
} from './data.js';
export {
  type ExportColumn,
  type ExportROptions,
  exportForR,
  type FittedTable,
  fittedTable,
  isSyntacticR,
  type RExport,
  rFormula,
  rScript,
  tableCsv,
} from './export-r.js';
export { assertFieldsExist, fieldPaths, fieldValue, isMissingValue } from './fields.js';
export {
  fitData,
  type MixedResult,
  type MixedRun,
  type MixedRunOptions,
  parseModelFormula,
  runMixed,
} from './run.js';
export { exportTurnGlmm, type TurnGlmmExport } from './turn-export.js';
