import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { DymuError } from '@dymu/core';

/** At most one worker per core, and onnxruntime threads per worker such that workers × threads ≤ cores. */
export function workerPlan(shards: number, cores: number): { parallel: number; threads: number } {
  const parallel = Math.max(1, Math.min(shards, cores));
  return { parallel, threads: Math.max(1, Math.floor(cores / parallel)) };
}

export interface LocalShards {
  /** The dymu command line (node, dymu.js, the command and its arguments); worker i adds `--shard i/n`. */
  readonly command: readonly string[];
  readonly shards: number;
  /** Default: the cores Node may use. */
  readonly cores?: number;
  /** Where the workers' output goes, each line prefixed with its shard (default: stderr). */
  readonly output?: NodeJS.WritableStream;
}

/**
 * Runs the shards as local worker processes, at most one per core at a time, each with
 * `DYMU_THREADS` (the onnxruntime SessionPool's thread count) set by `workerPlan`. Resolves when
 * all have succeeded; otherwise, once all have ended, throws naming the failed shards.
 */
export async function runShardsLocally(job: LocalShards): Promise<void> {
  const { parallel, threads } = workerPlan(job.shards, job.cores ?? availableParallelism());
  const output = job.output ?? process.stderr;
  const failed: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < job.shards) {
      const shard = `${next++}/${job.shards}`;
      const code = await runWorker([...job.command, '--shard', shard], { ...process.env, DYMU_THREADS: String(threads) }, `[${shard}] `, output);
      if (code !== 0) failed.push(`${shard} (exit ${code})`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  if (failed.length > 0) throw new DymuError(`shard${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed; their output is above (prefixed [i/n])`, { field: '--jobs' });
}

function runWorker(argv: readonly string[], env: NodeJS.ProcessEnv, prefix: string, output: NodeJS.WritableStream): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split(/\r?\n|\r/);
        rest = lines.pop()!;
        for (const line of lines) output.write(`${prefix}${line}\n`);
      });
      stream.on('end', () => rest && output.write(`${prefix}${rest}\n`));
    }
    child.on('error', fail);
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}
