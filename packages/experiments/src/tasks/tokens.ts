import { padMode } from '@dymu/encoders';
import type { SampleImage } from '../resources/resources.ts';
import { encoderPreprocessing } from './preprocessing.ts';
import type { Column, Row, Task, TaskContext, TaskRun } from './task.ts';
import { mean, populationStd } from './stats.ts';

const TOKEN_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'utf8' },
  { name: 'group', type: 'utf8' },
  { name: 'tokens', type: 'int32' },
  { name: 'tokens_cls', type: 'int32' },
  { name: 'block_counts', type: 'int32[]' },
  { name: 'wall_ms', type: 'float64' },
];

/**
 * Per run: `samples`; `tokens` / `tokens_cls` (mean visual tokens without / with the class token,
 * the latter the paper's count) with their population std over the samples; min and max of
 * `tokens_cls`; and `tokens_cls@<group>`, the mean per group (e.g. per kind of generated image).
 */
export function tokenMetrics(rows: readonly Row[]): Record<string, number> {
  const tokens = rows.map((r) => r.tokens as number);
  const withClass = rows.map((r) => r.tokens_cls as number);
  const metrics: Record<string, number> = {
    samples: rows.length,
    tokens: mean(tokens),
    tokens_std: populationStd(tokens),
    tokens_cls: mean(withClass),
    tokens_cls_std: populationStd(withClass),
    tokens_cls_min: Math.min(...withClass),
    tokens_cls_max: Math.max(...withClass),
  };
  const groups = [...new Set(rows.map((r) => r.group as string).filter((g) => g !== ''))].sort();
  for (const g of groups) metrics[`tokens_cls@${g}`] = mean(rows.filter((r) => r.group === g).map((r) => r.tokens_cls as number));
  return metrics;
}

/**
 * Opens the tokens task for a run and also hands back its images (in sample order), for tasks that
 * add columns about them.
 */
export async function openTokens({ run, execution, resources }: TaskContext): Promise<{ images: SampleImage[]; taskRun: TaskRun }> {
  const encoder = await resources.encoder(run.config.model);
  const policy = await resources.policy(run, encoder);
  const images = await resources.images(run);
  const choice = resources.preprocess(run.config.model);
  const pad = padMode(choice);
  const taskRun: TaskRun = {
    total: images.length,
    columns: TOKEN_COLUMNS,
    preprocessing: encoderPreprocessing(choice, encoder, true),
    async rows(from, to) {
      const rows: Row[] = [];
      for (let start = from; start < to; start += execution.batch) {
        const batch = images.slice(start, Math.min(to, start + execution.batch));
        const t0 = performance.now();
        const encoded = await encoder.encode(batch.map((b) => b.image), { policy: policy(batch.map((b) => b.id)), pad });
        const ms = (performance.now() - t0) / batch.length;
        encoded.forEach((e, j) => rows.push({ id: batch[j].id, group: batch[j].group, tokens: e.count, tokens_cls: e.countWithClassToken, block_counts: e.blockCounts, wall_ms: ms }));
      }
      return rows;
    },
    summarize: async (rows) => ({ metrics: tokenMetrics(rows) }),
  };
  return { images, taskRun };
}

/**
 * Encodes the images of a dataset (or of a benchmark's samples) with the run's merge policy: one
 * row per image with its token counts (without and with the class token), the count after every
 * block, and the wall time (the batch's, shared equally by its images).
 */
export const tokensTask: Task = {
  name: 'tokens',
  inputs: ['dataset', 'benchmark'],
  open: async (context) => (await openTokens(context)).taskRun,
};
