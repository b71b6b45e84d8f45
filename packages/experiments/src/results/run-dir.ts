import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, DymuError, isTemporary, writeFileAtomic } from '@dymu/core';
import type { PlannedRun } from '../plan/plan.ts';
import type { Column, Row, Summary } from '../tasks/task.ts';
import { readArrowFile, writeArrowFile } from './arrow.ts';
import { provenance, type Provenance } from './provenance.ts';

export const RUN_FORMAT = 'dymu-run/1';
const CHUNK = /^rows-(\d{5})\.arrow$/;
const chunkName = (i: number): string => `rows-${String(i).padStart(5, '0')}.arrow`;

/** run.json: what the run is and how it was computed. */
export interface RunMeta {
  readonly format: typeof RUN_FORMAT;
  readonly experiment: string;
  readonly id: string;
  readonly seed: number;
  readonly config: PlannedRun['config'];
  readonly labels: PlannedRun['labels'];
  readonly total: number;
  readonly provenance: Provenance;
  /** One entry per process that worked on the run; a resumed run has several. */
  readonly sessions: readonly { readonly started: string; readonly host: string; readonly pid: number; readonly fromRow: number }[];
  /** When the run finished, and the wall time of the session that finished it. */
  readonly finished: { readonly at: string; readonly sessionMs: number } | null;
}

export type RunStatus = 'done' | 'partial' | 'new';

/**
 * The directory of one run, `results/<experiment>/<run id>/`:
 * - `run.json`: resolved config, seed, labels, provenance (git commit, versions, host), sessions, timing;
 * - `rows-00000.arrow`, `rows-00001.arrow`, …: the sample rows in order, one chunk per commit, each
 *   written to a temporary name and renamed, so a chunk is there whole or not at all;
 * - `summary.arrow` (one row of metrics), `scores.arrow` (when the task scores at the end);
 * - `DONE`, written last: a run is finished only when it and the summary exist.
 */
export class RunDir {
  constructor(readonly path: string) {}

  static of(results: string, experiment: string, id: string): RunDir {
    return new RunDir(join(results, experiment, id));
  }

  get status(): RunStatus {
    if (existsSync(join(this.path, 'DONE')) && existsSync(join(this.path, 'summary.arrow'))) return 'done';
    return this.chunks().length > 0 ? 'partial' : 'new';
  }

  meta(): RunMeta | undefined {
    const file = join(this.path, 'run.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunMeta) : undefined;
  }

  /** The chunk files in order. */
  chunks(): string[] {
    if (!existsSync(this.path)) return [];
    return readdirSync(this.path).filter((f) => CHUNK.test(f)).sort().map((f) => join(this.path, f));
  }

  /**
   * Starts (or resumes) the run in this directory: checks that a directory already there holds the
   * same config and seed, removes temporary files of interrupted writes, records a new session.
   * Returns the rows committed so far (sample indices 0…n−1).
   */
  begin(experiment: string, run: PlannedRun, total: number): Row[] {
    mkdirSync(this.path, { recursive: true });
    const previous = this.meta();
    if (previous && (previous.id !== run.id || previous.seed !== run.seed || canonicalJson(previous.config) !== canonicalJson(run.config))) {
      throw new DymuError(`holds run ${previous.id} (seed ${previous.seed}) of another config; a run directory never mixes two`, { file: join(this.path, 'run.json') });
    }
    if (previous && previous.total !== total) {
      throw new DymuError(`the run had ${previous.total} samples, it now has ${total} (did the data change?)`, { file: join(this.path, 'run.json'), field: 'total' });
    }
    for (const f of readdirSync(this.path)) if (isTemporary(f)) rmSync(join(this.path, f));
    const rows = this.rows();
    const session = { started: new Date().toISOString(), host: hostname(), pid: process.pid, fromRow: rows.length };
    this.writeMeta({
      format: RUN_FORMAT,
      experiment,
      id: run.id,
      seed: run.seed,
      config: run.config,
      labels: run.labels,
      total,
      provenance: provenance(),
      sessions: [...(previous?.sessions ?? []), session],
      finished: null,
    });
    return rows;
  }

  /** Every committed row, checked to be samples 0…n−1 in order. */
  rows(): Row[] {
    const rows: Row[] = [];
    for (const file of this.chunks()) {
      for (const row of readArrowFile(file).rows) {
        if (row.index !== rows.length) throw new DymuError(`expected sample ${rows.length} next, found ${row.index}: the chunk files do not follow each other`, { file, field: 'index' });
        rows.push(row);
      }
    }
    return rows;
  }

  /** Appends rows as the next chunk file (atomically). */
  commit(columns: readonly Column[], rows: readonly Row[]): void {
    writeArrowFile(join(this.path, chunkName(this.chunks().length)), columns, rows);
  }

  /**
   * Writes `summary.arrow` (one row: run_id, experiment, seed, then one float64 column per metric),
   * `scores.arrow` and the summary's files if any, the final run.json (with the wall time of this session), then DONE.
   */
  finish(summary: Summary, sessionMs: number): void {
    const meta = this.meta()!;
    for (const [name, content] of Object.entries(summary.files ?? {})) writeFileAtomic(join(this.path, name), content);
    if (summary.scores) writeArrowFile(join(this.path, 'scores.arrow'), [{ name: 'run_id', type: 'utf8' }, ...summary.scores.columns], summary.scores.rows.map((r) => ({ run_id: meta.id, ...r })));
    const columns: Column[] = [{ name: 'run_id', type: 'utf8' }, { name: 'experiment', type: 'utf8' }, { name: 'seed', type: 'int32' }, ...Object.keys(summary.metrics).map((name) => ({ name, type: 'float64' as const }))];
    writeArrowFile(join(this.path, 'summary.arrow'), columns, [{ run_id: meta.id, experiment: meta.experiment, seed: meta.seed, ...summary.metrics }]);
    this.writeMeta({ ...meta, finished: { at: new Date().toISOString(), sessionMs } });
    writeFileAtomic(join(this.path, 'DONE'), `${meta.id}\n`);
  }

  private writeMeta(meta: RunMeta): void {
    writeFileAtomic(join(this.path, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);
  }
}
