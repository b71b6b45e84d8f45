import { join } from 'node:path';
import { describeStatus, type Experiment, type RunState } from '@dymu/experiments';
import { MERGE_SCRIPT, SHARDS_SCRIPT } from './calibration-jobs.ts';
import { experimentShards, REFERENCES_SCRIPT, RUN_SCRIPT, shardFinished } from './experiment-jobs.ts';
import { referenceShardCount, referenceStates } from './reference-wave.ts';
import type { SlurmView } from './slurm.ts';
import { latestJob, type Submission } from './submissions.ts';
import { taskLog } from './submit.ts';

/** A job directory with its submissions. */
export interface JobDir {
  readonly dir: string;
  readonly submissions: readonly Submission[];
}

const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING']);

/** `job 12_3 RUNNING`, `job 12_3 (no longer queued)`, or `not submitted`. */
function jobText(job: string | undefined, view: SlurmView): { text: string; active: boolean } {
  if (job === undefined) return { text: 'not submitted', active: false };
  const state = view.states.get(job);
  return { text: `job ${job} ${state ?? '(no longer queued)'}`, active: state !== undefined && ACTIVE.has(state) };
}

/** A shard's line: its state on disk, its latest job and, when it is unfinished and not queued or running, its log. */
function shardLine(label: string, finished: boolean, jobs: JobDir, script: string, task: number, view: SlurmView): string {
  const job = latestJob(jobs.submissions, script, task);
  const { text, active } = jobText(job, view);
  const log = !finished && !active && job ? `; log ${taskLog(jobs.dir, job.split('_')[0], task)}` : '';
  return `  ${label.padEnd(30)} ${text}${log}`;
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

const toolsLine = (view: SlurmView): string => `squeue: ${view.squeue}; sacct: ${view.sacct}`;

/**
 * `dymu status FILE`: the runs (as `dymu ls`), then per Slurm submission of the plan its shards with
 * what disk and Slurm say; when random runs take their counts from other runs, the shards of those
 * reference runs' array (submitted first) before.
 */
export function experimentStatus(experiment: Experiment, states: readonly RunState[], jobs: readonly (JobDir & { shards: number })[], view: SlurmView): string {
  const lines = [describeStatus(experiment, states).trimEnd()];
  const references = referenceStates(states);
  const shardLines = (job: JobDir, script: string, runStates: readonly RunState[], count: number) =>
    experimentShards(runStates, count).map(({ shard, runs }) => {
      const done = runs.filter((r) => r.status === 'done').length;
      const partial = runs.filter((r) => r.status === 'partial').length;
      const disk = `${done}/${runs.length} runs done${partial ? `, ${partial} partial` : ''}`;
      return shardLine(`shard ${shard.index}/${shard.count}: ${disk}`, shardFinished({ shard, runs }), job, script, shard.index, view);
    });
  for (const job of jobs) {
    if (references.length > 0) {
      const count = referenceShardCount(references.length, job.shards);
      lines.push(`slurm, ${job.shards} shards: first the ${plural(references.length, 'run')} random runs take their counts from, in ${plural(count, 'shard')} (${join(job.dir, REFERENCES_SCRIPT)}):`);
      lines.push(...shardLines(job, REFERENCES_SCRIPT, references, count));
    }
    lines.push(`slurm, ${job.shards} shards (${join(job.dir, RUN_SCRIPT)}):`);
    lines.push(...shardLines(job, RUN_SCRIPT, states, job.shards));
  }
  if (jobs.length > 0) lines.push(toolsLine(view));
  return `${lines.join('\n')}\n`;
}

/** What a calibration's shard directory holds. */
export interface CalibrationDisk {
  readonly out: string;
  /** createdAt of the threshold file, if it is there. */
  readonly merged: string | null;
  readonly shards: number | null;
  /** The shard files there, by shard index, with the batches each holds. */
  readonly finished: ReadonlyMap<number, readonly number[]>;
}

/** `dymu status THRESHOLDS.json`: the threshold file, each shard file and the jobs of the latest submissions. */
export function calibrationStatus(disk: CalibrationDisk, jobs: JobDir, view: SlurmView): string {
  const lines = [`${disk.out}: ${disk.merged ? `written ${disk.merged}` : 'not written yet'}`];
  if (disk.shards !== null) {
    lines.push(`${disk.shards} shards (${jobs.dir}):`);
    for (let index = 0; index < disk.shards; index++) {
      const batches = disk.finished.get(index);
      const text = batches ? `done (batches ${batches.join(', ') || 'none'})` : 'not done';
      lines.push(shardLine(`shard ${index}/${disk.shards}: ${text}`, batches !== undefined, jobs, SHARDS_SCRIPT, index, view));
    }
    lines.push(`  ${'merge'.padEnd(30)} ${jobText(latestJob(jobs.submissions, MERGE_SCRIPT), view).text}`);
  }
  if (jobs.submissions.length > 0) lines.push(toolsLine(view));
  return `${lines.join('\n')}\n`;
}
