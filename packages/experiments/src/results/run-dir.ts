import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, DymuError, removeStaleTemporaries, writeFileAtomic } from '@dymu/core';
import type { PlannedRun } from '../plan/plan.ts';
import type { Column, Row, Summary } from '../tasks/task.ts';
import { DamagedFileError, isWholeArrowFile, readArrowFile, writeArrowFile } from './arrow.ts';
import { provenance, type Provenance } from './provenance.ts';

export const RUN_FORMAT = 'dymu-run/2';
const CHUNK = /^rows-(\d+)\.arrow$/;
/** A chunk is named by its first sample: `rows-000064.arrow` holds samples 64, 65, … */
const chunkName = (first: number): string => `rows-${String(first).padStart(6, '0')}.arrow`;
const firstSample = (file: string): number => Number(CHUNK.exec(file.slice(file.lastIndexOf('/') + 1))![1]);

/** The model directories a run uses, by role (`encoder`: the vision tower; `llm`), with their content fingerprints. */
export type ModelFingerprints = Readonly<Record<string, { readonly dir: string; readonly fingerprint: string }>>;

/** run.json: what the run is and how it was computed. */
export interface RunMeta {
  readonly format: typeof RUN_FORMAT;
  readonly experiment: string;
  readonly id: string;
  /** null: a run that draws nothing from the seed, computed once for every seed (plan/seed-use.ts). */
  readonly seed: number | null;
  readonly config: PlannedRun['config'];
  readonly labels: PlannedRun['labels'];
  /** The configuration's place in the experiment, the order `dymu ls` lists runs in (absent in runs written before it was recorded). */
  readonly point?: number;
  readonly total: number;
  /** What the rows were computed with: a resume with other weights is refused, a finished run with other weights computed anew. */
  readonly models: ModelFingerprints;
  readonly provenance: Provenance;
  /** One entry per process that worked on the run; a resumed run has several. */
  readonly sessions: readonly { readonly started: string; readonly host: string; readonly pid: number; readonly fromRow: number }[];
  /** When the run finished, and the wall time of the session that finished it. */
  readonly finished: { readonly at: string; readonly sessionMs: number } | null;
}

export type RunStatus = 'done' | 'partial' | 'new';

/**
 * The directory of one run, `results/<experiment>/<run id>/`:
 * - `run.json`: resolved config, seed, labels, model fingerprints, provenance (git commit, versions, host), sessions, timing;
 * - `rows-000000.arrow`, `rows-000064.arrow`, …: the sample rows in order, each chunk named by its
 *   first sample, written to a temporary name and renamed, so a chunk is there whole or not at all;
 * - `summary.arrow` (one row of metrics), `scores.arrow` (when the task scores at the end);
 * - `DONE`, written last: a run is finished only when it and the summary exist;
 * - `LOCK` while a process writes the run (see `acquireLock`).
 */
export class RunDir {
  constructor(readonly path: string) {}

  static of(results: string, experiment: string, id: string): RunDir {
    return new RunDir(join(results, experiment, id));
  }

  /** The lock file a writer holds while it works on the run. */
  get lockPath(): string {
    return join(this.path, 'LOCK');
  }

  get status(): RunStatus {
    if (existsSync(join(this.path, 'DONE')) && existsSync(join(this.path, 'summary.arrow'))) return 'done';
    return this.chunks().length > 0 ? 'partial' : 'new';
  }

  /** run.json, or undefined before the run started; a damaged file is a DymuError naming it and what to do. */
  meta(): RunMeta | undefined {
    const file = join(this.path, 'run.json');
    if (!existsSync(file)) return undefined;
    let meta: Partial<RunMeta>;
    try {
      meta = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunMeta>;
      if (typeof meta !== 'object' || meta === null || typeof meta.id !== 'string' || (meta.seed !== null && typeof meta.seed !== 'number') || typeof meta.total !== 'number' || !Array.isArray(meta.sessions)) {
        throw new Error('expected an object with id, seed, total and sessions');
      }
    } catch (error) {
      throw new DamagedFileError(file, (error as Error).message, error);
    }
    return meta as RunMeta;
  }

  /** The chunk files in sample order. */
  chunks(): string[] {
    if (!existsSync(this.path)) return [];
    return readdirSync(this.path)
      .filter((f) => CHUNK.test(f))
      .map((f) => join(this.path, f))
      .sort((a, b) => firstSample(a) - firstSample(b));
  }

  /**
   * Whether the run is finished and may be used as it is: DONE and summary there, run.json of this
   * format recording these model fingerprints, and every Arrow file whole.
   */
  finished(models: ModelFingerprints): boolean {
    if (this.status !== 'done') return false;
    let meta: RunMeta | undefined;
    try {
      meta = this.meta();
    } catch {
      return false;
    }
    if (meta?.format !== RUN_FORMAT || changedModel(meta.models, models) !== undefined) return false;
    const scores = join(this.path, 'scores.arrow');
    return [join(this.path, 'summary.arrow'), ...(existsSync(scores) ? [scores] : []), ...this.chunks()].every(isWholeArrowFile);
  }

  /**
   * Starts (or resumes) the run in this directory; the caller holds the lock. Temporary files of
   * writers that have gone are removed. What cannot be kept is computed anew, with a warning: a
   * damaged or older-format run.json, a finished run whose weights changed (all rows), a damaged
   * chunk or one that does not continue the samples (it and the chunks after it), a damaged
   * summary. A directory of another config or seed, or an unfinished run whose weights changed,
   * is refused. Returns the rows committed so far (sample indices 0…n−1).
   */
  begin(experiment: string, run: PlannedRun, total: number, models: ModelFingerprints, warn: (message: string) => void): Row[] {
    mkdirSync(this.path, { recursive: true });
    removeStaleTemporaries(this.path);
    const wasDone = this.status === 'done';
    let previous: RunMeta | undefined;
    try {
      previous = this.meta();
    } catch (error) {
      if (!(error instanceof DamagedFileError)) throw error;
      warn(`${error.file}: damaged (${error.problem}): computing the run anew`);
      this.startOver();
    }
    if (previous && (previous.id !== run.id || previous.seed !== run.seed || canonicalJson(previous.config) !== canonicalJson(run.config))) {
      throw new DymuError(`holds run ${previous.id} (seed ${previous.seed}) of another config; a run directory never mixes two`, { file: join(this.path, 'run.json') });
    }
    if (previous && previous.format !== RUN_FORMAT) {
      warn(`${join(this.path, 'run.json')}: written in format ${previous.format} (without model fingerprints): computing the run anew`);
      previous = this.startOver();
    }
    if (previous && previous.total !== total) {
      throw new DymuError(`the run had ${previous.total} samples, it now has ${total} (did the data change?)`, { file: join(this.path, 'run.json'), field: 'total' });
    }
    const changed = previous && changedModel(previous.models, models);
    if (previous && changed !== undefined) {
      const { dir } = models[changed];
      const was = `${previous.models[changed]?.fingerprint.slice(0, 12) ?? 'none'}…, now ${models[changed].fingerprint.slice(0, 12)}…`;
      if (wasDone) {
        warn(`${this.path}: the weights of ${dir} changed since the run was computed (fingerprint ${was}): computing the run anew`);
        previous = this.startOver();
      } else if (this.chunks().length > 0) {
        throw new DymuError(
          `the run's ${this.chunks().length} committed chunks were computed with other weights of ${dir} (fingerprint ${was}); a run never mixes two models: restore those weights to resume it, or remove ${this.path} to compute it anew`,
          { file: join(this.path, 'run.json'), field: `models.${changed}` },
        );
      }
    }
    rmSync(join(this.path, 'DONE'), { force: true });
    for (const name of ['summary.arrow', 'scores.arrow']) {
      const file = join(this.path, name);
      if (wasDone && existsSync(file) && !isWholeArrowFile(file)) warn(`${file}: damaged (cut short): computing it again from the rows`);
    }
    const rows = this.resumableRows(warn);
    const session = { started: new Date().toISOString(), host: hostname(), pid: process.pid, fromRow: rows.length };
    this.writeMeta({
      format: RUN_FORMAT,
      experiment,
      id: run.id,
      seed: run.seed,
      config: run.config,
      labels: run.labels,
      point: run.point,
      total,
      models,
      provenance: provenance(),
      sessions: [...(previous?.sessions ?? []), session],
      finished: null,
    });
    return rows;
  }

  /** Every committed row, checked to be samples 0…n−1 in order (a damaged chunk is a DymuError naming it). */
  rows(): Row[] {
    const rows: Row[] = [];
    for (const file of this.chunks()) rows.push(...readChunk(file, rows.length));
    return rows;
  }

  /** Appends rows as the chunk named by its first sample (atomically). */
  commit(columns: readonly Column[], rows: readonly Row[]): void {
    writeArrowFile(join(this.path, chunkName(rows[0].index as number)), columns, rows);
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

  /** The committed rows up to the first chunk that is damaged or does not continue them; that chunk and the later ones are removed, with a warning. */
  private resumableRows(warn: (message: string) => void): Row[] {
    const rows: Row[] = [];
    const chunks = this.chunks();
    for (const [k, file] of chunks.entries()) {
      try {
        rows.push(...readChunk(file, rows.length));
      } catch (error) {
        if (!(error instanceof DamagedFileError)) throw error;
        warn(`${error.file}: damaged (${error.problem}): computing the run again from sample ${rows.length}`);
        for (const later of chunks.slice(k)) rmSync(later);
        break;
      }
    }
    return rows;
  }

  /** Removes the rows (and with them everything computed from them); returns no previous meta. */
  private startOver(): undefined {
    for (const file of this.chunks()) rmSync(file);
    return undefined;
  }

  private writeMeta(meta: RunMeta): void {
    writeFileAtomic(join(this.path, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`);
  }
}

/** The rows of a chunk file that must start at sample `first` (its name says which sample it starts at). */
function readChunk(file: string, first: number): Row[] {
  if (firstSample(file) !== first) throw new DamagedFileError(file, `expected the chunk of sample ${first} next: the chunk files do not follow each other`);
  const { rows } = readArrowFile(file);
  rows.forEach((row, k) => {
    if (row.index !== first + k) throw new DamagedFileError(file, `row ${k} holds sample ${row.index}, not ${first + k} as the file's name says`);
  });
  return rows;
}

/** The first role whose fingerprint differs from (or is missing in) what a run recorded. */
function changedModel(recorded: ModelFingerprints | undefined, models: ModelFingerprints): string | undefined {
  return Object.keys(models).find((role) => recorded?.[role]?.fingerprint !== models[role].fingerprint);
}
