import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arrayRange } from './array-range.ts';
import { shellCommand } from './shell.ts';
import { sbatch } from './slurm.ts';
import { recordSubmission } from './submissions.ts';

/** The log of array task %a of array job %A in `<job dir>/logs/` (sbatch's patterns). */
export const TASK_LOG = 'shard-%a-job-%A.out';

/** The log file of one array task. */
export const taskLog = (dir: string, arrayJob: string, task: number): string => join(dir, 'logs', TASK_LOG.replace('%a', String(task)).replace('%A', arrayJob));

/** A job script in its job directory (which also holds `logs/` and `submissions.jsonl`). */
export interface JobScript {
  readonly dir: string;
  /** File name, e.g. `run.sbatch`. */
  readonly name: string;
  readonly text: string;
  /** The shards of an array job (null: a plain job). */
  readonly shards: number | null;
}

export interface SubmitOptions {
  /** Array tasks to submit (default: the script's whole array, or a plain job). */
  readonly tasks?: readonly number[];
  readonly parallelism?: number;
  /** e.g. `afterok:12`. */
  readonly dependency?: string;
}

/** sbatch's arguments (after `--parsable`) for a submission of a script. */
export function sbatchArguments(script: JobScript, submission: SubmitOptions = {}): string[] {
  return [
    ...(submission.tasks === undefined ? [] : [`--array=${arrayRange(submission.tasks, submission.parallelism)}`]),
    ...(submission.dependency === undefined ? [] : [`--dependency=${submission.dependency}`]),
    join(script.dir, script.name),
  ];
}

/** Writes the script (and its logs directory), submits it, records the submission; returns the job id. */
export function submitScript(script: JobScript, submission: SubmitOptions = {}): string {
  mkdirSync(join(script.dir, 'logs'), { recursive: true });
  writeFileSync(join(script.dir, script.name), script.text, { mode: 0o755 });
  const job = sbatch(sbatchArguments(script, submission));
  recordSubmission(script.dir, {
    job,
    script: script.name,
    shards: script.shards,
    tasks: submission.tasks ? [...submission.tasks] : null,
    dependency: submission.dependency ?? null,
    submitted: new Date().toISOString(),
  });
  return job;
}

/** A script as `--dry-run` prints it, with the sbatch command that would submit it. */
export function describeJob(script: JobScript, options: SubmitOptions = {}): string {
  return `# ${join(script.dir, script.name)}\n${script.text}# submit: ${shellCommand(['sbatch', '--parsable', ...sbatchArguments(script, options)])}\n`;
}
