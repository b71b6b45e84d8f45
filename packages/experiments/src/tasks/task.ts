import type { Execution, InputKind } from '../config/experiment.ts';
import type { PlannedRun } from '../plan/plan.ts';
import type { Resources } from '../resources/resources.ts';

/** A value of one row's column. */
export type Cell = string | number | boolean | null | readonly number[];
export type Row = Record<string, Cell>;
export type ColumnType = 'utf8' | 'int32' | 'float64' | 'bool' | 'int32[]';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

/** What a task gets for one run. */
export interface TaskContext {
  readonly run: PlannedRun;
  readonly execution: Execution;
  readonly resources: Resources;
}

/**
 * A run's totals once every sample has a row; `scores` are per-sample rows only known at the end (a
 * benchmark's scoring); `files` are written into the run directory by name (a threshold file, a plot).
 */
export interface Summary {
  readonly metrics: Readonly<Record<string, number>>;
  readonly scores?: { readonly columns: readonly Column[]; readonly rows: readonly Row[] };
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

/**
 * A task opened for one run. Samples are numbered 0…total−1 in a fixed order (given the run's
 * config and seed), and `rows(from, to)` computes rows for samples [from, to) only: that is what
 * lets an interrupted run resume at its first missing sample. Columns whose name ends in `_ms` are
 * timings: everything else is a deterministic function of the config and the seed.
 */
export interface TaskRun {
  readonly total: number;
  readonly columns: readonly Column[];
  /** The line naming how the images are preprocessed (`preprocessing: pad to square …`), printed when the run starts. */
  readonly preprocessing?: string;
  rows(from: number, to: number): Promise<Row[]>;
  /** From every row of the run (read back from disk, so a resumed run sums up like an uninterrupted one). */
  summarize(rows: readonly Row[]): Promise<Summary>;
}

/** A kind of run (`tokens`, `benchmark`, …), registered under its name. */
export interface Task {
  readonly name: string;
  /** Which of `datasets` / `benchmarks` it reads. */
  readonly inputs: readonly InputKind[];
  open(context: TaskContext): Promise<TaskRun>;
}

/** Columns ending in `_ms` hold wall-clock timings, the only values that differ between two runs of one config and seed. */
export const isTiming = (column: string): boolean => column.endsWith('_ms');
