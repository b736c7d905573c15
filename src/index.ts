/**
 * plumb as a library: what the CLI is made of, for programs and notebooks. Every command is a thin
 * layer over these functions (src/cli/commands/*), so a program gets the same numbers, files and
 * guarantees as the command line. Deeper modules are internal and may change between versions.
 */

// the files plumb writes, as declared types (each JSON file says which in its `kind`)
export type { AuditProbes, AuditReport } from './audit/run.js';
export { runAudit } from './audit/run.js';
export {
  type ActiveCalibration,
  activeCalibration,
  isActiveSheet,
} from './calibration/active-estimate.js';
export { activeVerdictCalibration } from './calibration/active-pairs.js';
export { type ActivePlan, planActive } from './calibration/active-plan.js';
export { sampleActive, uncertaintyOfScores } from './calibration/active-sample.js';
export { altTest, humanCeiling } from './calibration/alt-test.js';
export type { CalibrationArtifact } from './calibration/artifact.js';
export type { CalibrationReport } from './calibration/calibrate.js';
// calibration and agreement
export { calibrate } from './calibration/calibrate.js';
export { contrastsOf } from './calibration/contrasts.js';
export { type CalibrateFilesOptions, calibrateFiles } from './calibration/from-files.js';
export { applyMapping, fitIsotonic, fitLinear, fitMapping } from './calibration/mapping.js';
export { planGold } from './calibration/plan.js';
export { ppiMean } from './calibration/ppi.js';
export { roganGladen } from './calibration/prevalence.js';
export {
  type SequentialCalibration,
  type SessionDesign,
  sequentialCalibration,
  sessionState,
} from './calibration/sequential-session.js';
// active gold sampling (issue #24): per-item uncertainty, inclusion probabilities, the estimators
export {
  describeSignals,
  inclusionProbabilities,
  itemUncertainty,
  pairJudgeValue,
  pairLineSignals,
  residualSpread,
  type SignalName,
  scoreLineSignals,
} from './calibration/uncertainty.js';
export type { VerdictCalibration } from './calibration/verdicts.js';
export { calibrateVerdicts } from './calibration/verdicts.js';
export { InputError, MismatchError, PlumbError, UsageError } from './core/errors.js';
export { OUTPUT_KINDS, type OutputKind, outputKind } from './core/outputs.js';
export type { JudgeStamp, Message, ResponseItem, Usage } from './core/types.js';
export type { GateResult } from './gate/gate.js';
// the gate, the audit, the report, the rating page
export { runGate, runGateOnFiles } from './gate/gate.js';
export { runGenerate } from './generate/run.js';
export { exportRequests, importResults } from './judges/batch-files.js';
export { createJudge, parseJudgeSpec } from './judges/create.js';
export { LexiconJudge } from './judges/lexicon.js';
export type { Judge, JudgeResult, Unscored } from './judges/types.js';
// mixed-effects models: the lme4-equivalent engine, plumb mixed, the R export, the GLMM analyses
export {
  binomTestHalf,
  type Coefficient,
  type DataShape,
  exportForR,
  fitData,
  type MixedData,
  type MixedResult,
  type MixedRunOptions,
  type RExport,
  readMixedData,
  runMixed,
  type ShareAgainstHalf,
  type ShareRow,
  shareAgainstHalf,
  type TurnByCondition,
  type TurnRow,
  turnByCondition,
} from './mixed/index.js';
// batches
export { BatchBroker } from './models/batch/broker.js';
export {
  type BatchOutcome,
  type BatchRoundsOptions,
  batchCallers,
  prepareBatch,
  throughBatches,
} from './models/batch/rounds.js';
export { runBatches } from './models/batch/run.js';
// judges
export { closeOpenCaches, JudgeCache } from './models/cache.js';
export { type CompactReport, compactCache } from './models/cache-compact.js';
export { DEFAULT_PRICES, loadPrices, type Price, priceOf } from './models/pricing.js';
export type { ProviderDescriptor } from './models/provider.js';
export { PROVIDERS } from './models/registry.js';
export { createRuntime, type ModelRuntime, type RuntimeSettings } from './models/runtime.js';
export { runPairwise } from './pairwise/run.js';
export type { PairwiseSummary } from './pairwise/summary.js';
export { analyzeLabels, syconNumberOfFlips, syconTurnOfFlip } from './probe/analyze.js';
export {
  conditionMetrics,
  flipped,
  kaplanMeier,
  numberOfFlips,
  positionWeightedConsistency,
  turnOfFlip,
} from './probe/metrics.js';
// the stability probe
export { runProbe } from './probe/run.js';
export type {
  ProbeLabelsSummary,
  ProbeRunSettings,
  ProbeRunSummary,
  ProbeSummary,
} from './probe/summary.js';
export type { TranscriptLine } from './probe/transcript.js';
export { openSession, startSequentialServer } from './rate/sequential.js';
export { startRatingServer } from './rate/server.js';
export { viewEngine } from './rate/view/engine.js';
export { startViewServer } from './rate/view/server.js';
export { staticHtml } from './rate/view/static.js';
export { Viewer } from './rate/view/viewer.js';
export { buildReport } from './render/report/build.js';
// rubrics
export {
  BUILTIN_RUBRICS_DIR,
  isPairwise,
  loadRubricFile,
  loadRubricFile as loadRubric,
  loadRubricLibrary,
  resolveAnyRubric,
  resolvePairwiseRubric,
  resolveRubric,
} from './rubrics/load.js';
export type { PairwiseRubric } from './rubrics/pairwise.js';
export type { Rubric, RubricStamp } from './rubrics/schema.js';
export { type ItemToScore, scoreItems } from './score/memory.js';
export { mergeShards } from './score/merge.js';
// scoring, sharding, generation, pairwise
export { runScore, type ScoreOptions, type ScoreRunResult } from './score/run.js';
export type { ShardRecord } from './score/shard.js';
export { inShard, type Shard } from './score/shard.js';
export type { ScoreSummary } from './score/summary.js';
export {
  type ActiveItem,
  type ActiveMeanOptions,
  type ActiveMeanResult,
  activeContrast,
  activeLabelsFor,
  activeMean,
  activeProbabilities,
  drawActive,
  expectedSaving,
  tuneFloor,
} from './stats/active.js';
export {
  agreementRate,
  cohenKappa,
  confusionMatrix,
  krippendorffAlpha,
  meanAbsoluteError,
  meanBias,
  quadraticWeightedKappa,
} from './stats/agreement.js';
export {
  ActiveSequence,
  AsymptoticCS,
  activeDrawProbabilities,
  HedgedBettingCS,
  shouldStop,
} from './stats/confidence-sequence.js';
export { kendallTauB, pearson, spearman } from './stats/correlation.js';
// statistics
export {
  type FixedEffect,
  fitMixed,
  type MixedFamily,
  type MixedFit,
  type MixedOptions,
  type ParsedFormula,
  parseFormula,
  type VarianceComponent,
} from './stats/mixed/index.js';
export { mcnemarExact, wilson } from './stats/proportion.js';
export { importQuestions } from './study/importers/index.js';
