import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LlavaBench, MathVista, MmBenchVideo, MmVet, type Judge } from '@dymu/benchmarks';
import type { Container } from 'inversify';
import type { Experiment } from '../src/config/experiment.ts';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { BENCHMARKS } from '../src/di/tokens.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { writeTables, type WrittenTable } from '../src/tables/write-tables.ts';
import { testContainer, type Workspace } from './helpers.ts';

/** experiments/paper/ of the repository. */
export const PAPER_DIR = join(import.meta.dirname, '..', '..', '..', 'experiments', 'paper');

/** A judge that always gives the same reply. */
const judge = (reply: string): Judge => ({ model: 'fixed', complete: async () => reply });

/**
 * The full container writing into the workspace, with MM-Vet, LLaVA-Bench, MathVista and MMBench-Video
 * graded by fixed judges (a grade of 0.5; reviews "8 6"; the extracted answer "A"; a rating of 2), so
 * that the tiny runs produce every benchmark's score and Avg.
 */
export function paperContainer(ws: Workspace): Container {
  const container = testContainer(ws);
  container.bind(BENCHMARKS).toConstantValue({ name: 'mmvet', open: (params) => new MmVet({ ...params, root: params.root as string, judge: judge('0.5') }) });
  container.bind(BENCHMARKS).toConstantValue({ name: 'llava_bench_wild', open: (params) => new LlavaBench({ ...params, root: params.root as string, judge: judge('8 6\nfine') }) });
  container.bind(BENCHMARKS).toConstantValue({ name: 'mathvista', open: (params) => new MathVista({ ...params, root: params.root as string, judge: judge('A') }) });
  container.bind(BENCHMARKS).toConstantValue({ name: 'mmbench_video', open: (params) => new MmBenchVideo({ ...params, root: params.root as string, judge: judge('2') }) });
  return container;
}

/** Loads a paper file with the tiny preset (and `overrides`), runs it, and writes its tables; checks the files exist. */
export async function runPaperFile(name: string, container: Container, ws: Workspace, overrides: readonly string[] = []): Promise<{ experiment: Experiment; tables: WrittenTable[] }> {
  const experiment = loadExperiment(join(PAPER_DIR, `${name}.yaml`), ['preset=tiny', ...overrides], knownNames(container));
  await runExperiment(experiment, container);
  const tables = await writeTables(experiment, ws.results);
  for (const table of tables) for (const file of table.files) if (!existsSync(file)) throw new Error(`${file} was not written`);
  return { experiment, tables };
}
