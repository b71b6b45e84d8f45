export { shellCommand } from './shell.ts';
export { arrayRange, arrayTasks } from './array-range.ts';
export { sbatchScript, type SbatchJob, type SlurmResources } from './sbatch-script.ts';
export { parseJobStates } from './job-states.ts';
export { sbatch, slurmView, type SlurmView } from './slurm.ts';
export { readSubmissions, latestJob, type Submission } from './submissions.ts';
export { sbatchArguments, submitScript, describeJob, type JobScript, type SubmitOptions } from './submit.ts';
export { workerPlan, runShardsLocally, type LocalShards } from './local-workers.ts';
export {
  experimentShards,
  shardFinished,
  experimentJobDir,
  experimentJobDirs,
  experimentArray,
  referenceArray,
  submitExperiment,
  describeExperimentArray,
  RUN_SCRIPT,
  REFERENCES_SCRIPT,
  type SubmittedArray,
  type ExperimentShard,
  type ExperimentArray,
} from './experiment-jobs.ts';
export { referenceStates, referenceShardCount, afterOk } from './reference-wave.ts';
export { calibrationJobs, submitCalibration, describeCalibrationJobs, SHARDS_SCRIPT, MERGE_SCRIPT, type CalibrationArray } from './calibration-jobs.ts';
export { experimentStatus, calibrationStatus, type JobDir, type CalibrationDisk } from './status-text.ts';
export { readExperimentStatus, readCalibrationStatus } from './status.ts';
