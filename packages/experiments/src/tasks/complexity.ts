import { DymuError } from '@dymu/core';
import { jpegBytesPerPixel, linearFit, pearson } from '@dymu/viz';
import type { Task } from './task.ts';
import { openTokens } from './tokens.ts';

/**
 * The tokens task plus the paper's image complexity (DYMU.md §9): `jpeg_bpp`, the bytes of the
 * image saved as JPEG at quality 50 per pixel (@dymu/viz). Summary: the token metrics, Pearson r of
 * tokens (class token included) against complexity and the least-squares line (`slope`,
 * `intercept`). `dymu plot` draws the experiment's runs as one figure, a panel per run.
 */
export const complexityTask: Task = {
  name: 'complexity',
  inputs: ['dataset', 'benchmark'],
  async open(context) {
    const { images, taskRun } = await openTokens(context);
    return {
      ...taskRun,
      columns: [...taskRun.columns, { name: 'jpeg_bpp', type: 'float64' }],
      async rows(from, to) {
        const rows = await taskRun.rows(from, to);
        for (const [k, row] of rows.entries()) {
          const { image, id } = images[from + k];
          if (typeof image !== 'string') throw new DymuError(`sample ${id}: the complexity measure needs an image file (this benchmark holds its images inline)`, { file: context.run.origins.get(['benchmark']).file });
          row.jpeg_bpp = await jpegBytesPerPixel(image);
        }
        return rows;
      },
      async summarize(rows) {
        const { metrics } = await taskRun.summarize(rows);
        const x = rows.map((r) => r.jpeg_bpp as number);
        const y = rows.map((r) => r.tokens_cls as number);
        return { metrics: { ...metrics, jpeg_bpp: x.reduce((a, b) => a + b, 0) / x.length, pearson_r: pearson(x, y), ...linearFit(x, y) } };
      },
    };
  },
};
