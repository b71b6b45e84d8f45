import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { readArrowFile } from '@dymu/experiments';

export const root = join(import.meta.dirname, '..', '..', '..');

/** The dymu CLI as a child process (one onnxruntime thread unless told otherwise). */
export function dymu(args: readonly string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
  const run = spawnSync(process.execPath, [join(root, 'packages/cli/bin/dymu.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, DYMU_THREADS: '1', ...env } });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

/** One command module of the CLI run in this process (as main.ts runs it), returning what it printed on stdout. */
export async function dymuCommand(command: CommandModule<object, never>, args: readonly string[]): Promise<string> {
  let out = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (out += `${parts.join(' ')}\n`));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  try {
    await yargs([...args]).command(command).strict().fail((message, error) => {
      throw error ?? new Error(message);
    }).parseAsync();
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
  return out;
}

/** What `work` resolves to, and what it wrote on stderr meanwhile (e.g. the local workers' output, prefixed `[i/n]`). */
export async function withStderr<T>(work: () => Promise<T>): Promise<{ result: T; err: string }> {
  let err = '';
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { result: await work(), err };
  } finally {
    stderr.mockRestore();
  }
}

/**
 * What must agree between two results directories of one experiment: every run's summary metrics,
 * exactly, and the Markdown tables. (The CSV tables are not compared: DuckDB's avg / stddev over
 * seeds can differ in the last bit from one `dymu table` to the next on the same results.)
 */
export function resultsOf(results: string, experiment: string): { summaries: Record<string, unknown>; tables: Record<string, string> } {
  const dir = join(results, experiment);
  const runs = readdirSync(dir).filter((id) => existsSync(join(dir, id, 'summary.arrow')));
  const tables = readdirSync(join(dir, 'tables')).filter((f) => f.endsWith('.md'));
  return {
    summaries: Object.fromEntries(runs.map((id) => [id, readArrowFile(join(dir, id, 'summary.arrow')).rows])),
    tables: Object.fromEntries(tables.map((f) => [f, readFileSync(join(dir, 'tables', f), 'utf8')])),
  };
}

/** Writes `<dir>/random-like.yaml`: a tiny experiment of a DyMU row and a random row like it (2 generated images, these seeds); returns its path. */
export function randomLikeExperiment(dir: string, seeds: readonly number[] = [0]): string {
  const file = join(dir, 'random-like.yaml');
  writeFileSync(
    file,
    `name: random-like\nmodel: { encoder: { generated: clip-vit, preset: tiny, seed: 0 } }\ndatasets: [{ name: generated, count: 2, size: 64 }]\nseeds: [${seeds.join(', ')}]\n` +
      'sweep:\n  policy:\n    DyMU: { name: dtome, thresholds: [0.9, 0.9, 0.9, 0.9] }\n    random: { name: random, like: DyMU }\n',
  );
  return file;
}

/** The per-image token counts after every block (`block_counts`) of each finished run of an experiment, in directory order. */
export function finishedBlockCounts(results: string, experiment: string): unknown[][] {
  const dir = join(results, experiment);
  return readdirSync(dir).filter((id) => existsSync(join(dir, id, 'DONE'))).map((id) => readArrowFile(join(dir, id, 'rows-000000.arrow')).rows.map((r) => r.block_counts));
}
