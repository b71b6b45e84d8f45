import { DymuError } from '@dymu/core';
import { jpegBytesPerPixel, linearFit, pearson, scatterPng } from '@dymu/viz';
import type { Task } from './task.ts';
import { openTokens } from './tokens.ts';

/** The plot each run writes into its directory. */
export const COMPLEXITY_PLOT = 'tokens-vs-complexity.png';

/**
 * The tokens task plus the paper's image complexity (DYMU.md §9): `jpeg_bpp`, the bytes of the
 * image saved as JPEG at quality 50 per pixel (@dymu/viz). Summary: the token metrics, Pearson r of
 * tokens (class token included) against complexity, the least-squares line (`slope`, `intercept`),
 * and the scatter plot with that line as `tokens-vs-complexity.png` in the run directory.
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
        const r = pearson(x, y);
        const plot = await scatterPng({
          x, y, fit: true,
          xLabel: 'image complexity: JPEG (quality 50) bytes per pixel',
          yLabel: 'visual tokens (class token included)',
          title: `${Object.values(context.run.labels).join(', ')}: Pearson r = ${r.toFixed(3)}, n = ${rows.length}`,
        });
        return { metrics: { ...metrics, jpeg_bpp: x.reduce((a, b) => a + b, 0) / x.length, pearson_r: r, ...linearFit(x, y) }, files: { [COMPLEXITY_PLOT]: plot } };
      },
    };
  },
};
