import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One sbatch submission, as recorded next to its script. */
export interface Submission {
  readonly job: string;
  /** The script's file name in the job directory. */
  readonly script: string;
  /** The shards of the array (null: a plain job). */
  readonly shards: number | null;
  /** The array tasks submitted (null: not an array job). */
  readonly tasks: readonly number[] | null;
  readonly dependency: string | null;
  readonly submitted: string;
}

const FILE = 'submissions.jsonl';

/** Appends a submission to `<dir>/submissions.jsonl` (one JSON line each, so a record is never half written). */
export function recordSubmission(dir: string, submission: Submission): void {
  appendFileSync(join(dir, FILE), `${JSON.stringify(submission)}\n`);
}

/** The submissions of a job directory, oldest first. */
export function readSubmissions(dir: string): Submission[] {
  const file = join(dir, FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Submission);
}

/** The Slurm id of the latest submission of a task of a script (`12_3`), or of a plain job (`13`). */
export function latestJob(submissions: readonly Submission[], script: string, task?: number): string | undefined {
  const found = submissions.filter((s) => s.script === script && (task === undefined ? s.tasks === null : s.tasks?.includes(task))).at(-1);
  return found && (task === undefined ? found.job : `${found.job}_${task}`);
}
