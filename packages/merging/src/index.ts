export { attentionBias, noMerging } from '@dymu/core';
export { type Links, links, batchLinks, mergeCap, countAbove } from './links.ts';
export { bipartitePlan, rewriteImage } from './bipartite-plan.ts';
export { tomePolicy } from './policies/tome.ts';
export { dtomePolicy, type BlockRange } from './policies/dtome.ts';
export { randomPolicy, type RandomImage } from './policies/random.ts';
export { poolPolicy, poolCells } from './policies/pool.ts';
export {
  type Schedule,
  type ScheduleShape,
  type Variant,
  type EncoderShape,
  SCHEDULE_SHAPES,
  VARIANTS,
  PAPER_VARIANTS,
  spreadMerges,
  variantTotal,
  variantSchedule,
} from './schedules.ts';
export { resolveSchedule, scheduleList } from './schedule-spec.ts';
export { MERGE_POLICIES, createPolicy, type PolicyEnv, type PolicyFactory } from './registry.ts';
export { batchThreshold } from './calibration/batch-threshold.ts';
export { calibratingPolicy } from './calibration/calibrating-policy.ts';
export { CALIBRATION_LAYOUTS, type CalibrationLayout, OFFICIAL_SIZE_OFFSET, type BatchMerge, batchMerge, officialLayoutPlan } from './calibration/layout.ts';
export { blockThresholds, bf16RunningMean, toBf16, type BlockThreshold, type RunningMean } from './calibration/statistics.ts';
export { calibrate, sampleImages, type CalibrateOptions, type CalibrationCheckpoint } from './calibration/calibrate.ts';
export { shardBatches, type BatchShard } from './calibration/batch-shard.ts';
export { checkpointFile } from './calibration/checkpoint-file.ts';
export { runCalibration, runCalibrationShard, type CalibrationRun } from './calibration/calibration-run.ts';
export { calibrationHeader, type CalibrationHeader } from './calibration/header.ts';
export {
  SHARD_FORMAT,
  type CalibrationShardFile,
  type ShardBlock,
  shardDirectory,
  shardFilePath,
  readShardFile,
  readShardFiles,
  isFinishedShardFile,
} from './calibration/shard-file.ts';
export { mergeShards } from './calibration/merge-shards.ts';
export { readImageSource, presentImages, missingImagesWarning, firstNames } from './calibration/image-source.ts';
export {
  THRESHOLD_FORMAT,
  type ThresholdFile,
  readThresholdFile,
  parseThresholdFile,
  writeThresholdFile,
  loadThresholdFile,
  checkEncoderHash,
  thresholdsOf,
} from './threshold-file.ts';
export { type OfficialExample, type OfficialVariant, isOfficialExample, parseOfficialExample, officialVariant } from './official-thresholds.ts';
export { type ThresholdList, thresholdListOf, readThresholdList, readThresholdPair } from './threshold-list.ts';
export { type ThresholdRow, type TokenCounts, type TokenComparison, tokenCounts, compareThresholds, comparisonMarkdown } from './threshold-compare.ts';
export { weightsSha256 } from './weights-hash.ts';
export { blockCost, encoderCost } from './cost.ts';
