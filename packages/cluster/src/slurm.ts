import { spawnSync } from 'node:child_process';
import { DymuError } from '@dymu/core';
import { parseJobStates } from './job-states.ts';

/** Submits with `sbatch --parsable ARGS…` and returns the job id (`12` of `12;cluster`). */
export function sbatch(args: readonly string[]): string {
  const run = spawnSync('sbatch', ['--parsable', ...args], { encoding: 'utf8' });
  if (run.error) throw new DymuError(`cannot run sbatch (${run.error.message}); is Slurm installed here?`, { field: 'sbatch' });
  if (run.status !== 0) throw new DymuError(`sbatch ${args.join(' ')} failed: ${(run.stderr || run.stdout).trim()}`, { field: 'sbatch' });
  const id = run.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new DymuError(`expected a job id from sbatch --parsable, got ${JSON.stringify(run.stdout)}`, { field: 'sbatch' });
  return id;
}

/** The states Slurm reports for jobs, and per tool whether it answered (or why not). */
export interface SlurmView {
  /** By `12` or `12_3`: squeue's state while a job is queued or running, else sacct's. */
  readonly states: ReadonlyMap<string, string>;
  readonly squeue: string;
  readonly sacct: string;
}

/**
 * What squeue (this user's queued and running jobs, array tasks one per line) and sacct (the given
 * jobs, finished ones too, when accounting is on) say; a tool that is missing or fails is noted,
 * not an error.
 */
export function slurmView(jobs: readonly string[]): SlurmView {
  const squeue = query('squeue', ['--me', '-h', '-r', '-o', '%i|%T']);
  const sacct = jobs.length === 0 ? { text: '', note: 'no jobs to ask about' } : query('sacct', ['-n', '-P', '-X', '-j', jobs.join(','), '-o', 'JobID,State']);
  const states = new Map([...parseJobStates(sacct.text), ...parseJobStates(squeue.text)]);
  return { states, squeue: squeue.note, sacct: sacct.note };
}

function query(tool: string, args: string[]): { text: string; note: string } {
  const run = spawnSync(tool, args, { encoding: 'utf8', timeout: 30_000 });
  if (run.error) return { text: '', note: `unavailable (${run.error.message})` };
  if (run.status !== 0) return { text: '', note: `unavailable (${(run.stderr || run.stdout).trim().split('\n')[0]})` };
  return { text: run.stdout, note: 'ok' };
}
