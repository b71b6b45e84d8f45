import { mkdirSync } from 'node:fs';
import type { Container } from 'inversify';
import { DymuError, Progress, withLock } from '@dymu/core';
import type { Experiment } from '../config/experiment.ts';
import { lookup } from '../di/lookup.ts';
import { RESOURCES, SETTINGS, TASKS } from '../di/tokens.ts';
import type { PlannedRun } from '../plan/plan.ts';
import { modelFingerprints } from '../resources/models.ts';
import { RunDir } from '../results/run-dir.ts';
import type { Column } from '../tasks/task.ts';
import type { ExperimentProgress } from './experiment-progress.ts';

export type RunOutcome = 'cached' | 'computed';

/** Called after each committed chunk (progress displays, tests that interrupt a run). */
export type ChunkListener = (run: PlannedRun, committed: number, total: number) => void | Promise<void>;

const KEY_COLUMNS: readonly Column[] = [
  { name: 'run_id', type: 'utf8' },
  { name: 'index', type: 'int32' },
];

/**
 * Runs one run into its directory: skipped when finished (with the same model fingerprints, its
 * files whole); otherwise, holding the directory's lock (waiting for another process that holds
 * it, then skipping the run if that one finished it), the task is opened, rows are computed from
 * the first sample without a committed row, committed chunk by chunk, and once all are there the
 * summary is computed from the rows on disk and the run marked DONE. `overall`, when given, hears of
 * the samples committed and is shown at the end of the run's progress line.
 */
export async function executeRun(experiment: Experiment, run: PlannedRun, container: Container, label: string, onChunk?: ChunkListener, overall?: ExperimentProgress): Promise<RunOutcome> {
  const settings = container.get(SETTINGS);
  const dir = RunDir.of(settings.results, experiment.name, run.id);
  const models = await modelFingerprints(run.config.model, settings.cache);
  if (dir.finished(models)) return 'cached';
  mkdirSync(dir.path, { recursive: true });
  return withLock(dir.lockPath, async () => {
    if (dir.finished(models)) return 'cached';
    const started = performance.now();
    const task = lookup(container, TASKS, run.config.task, 'task');
    const opened = await task.open({ run, execution: experiment.execution, resources: container.get(RESOURCES) });
    if (opened.total === 0) throw new DymuError(`the run has no samples (${label})`, { file: experiment.file });
    const columns = [...KEY_COLUMNS, ...opened.columns];
    const first = dir.begin(experiment.name, run, opened.total, models, settings.warn).length;
    if (opened.preprocessing) settings.progress.write(`${label}: ${opened.preprocessing}\n`);
    const progress = new Progress(label, opened.total - first, 'samples', settings.progress);
    overall?.opened(run.id, first, opened.total);
    if (overall) progress.status = () => overall.text();
    for (let from = first; from < opened.total; from += experiment.execution.chunk) {
      const to = Math.min(opened.total, from + experiment.execution.chunk);
      const rows = await opened.rows(from, to);
      if (rows.length !== to - from) throw new DymuError(`task ${task.name} returned ${rows.length} rows for samples ${from}…${to - 1}`);
      dir.commit(columns, rows.map((row, k) => ({ run_id: run.id, index: from + k, ...row })));
      overall?.committed(run.id, to);
      progress.tick(rows.length);
      await onChunk?.(run, to, opened.total);
    }
    if (opened.total > first) progress.finish();
    dir.finish(await opened.summarize(dir.rows()), performance.now() - started);
    return 'computed' as const;
  }, { onWait: (message) => settings.progress.write(message) });
}
