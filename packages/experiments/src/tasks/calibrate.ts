import { readFileSync } from 'node:fs';
import { DymuError } from '@dymu/core';
import { readThresholdFile } from '@dymu/merging';
import { mean } from './stats.ts';
import type { Column, Row, Task } from './task.ts';

/** The threshold file each run copies into its directory. */
export const THRESHOLDS_FILE = 'thresholds.json';

const COLUMNS: readonly Column[] = ['block:int32', 'r:int32', 'threshold:float64', 'mean:float64', 'std:float64', 'min:float64', 'max:float64', 'batches:int32'].map((c) => {
  const [name, type] = c.split(':');
  return { name, type: type as Column['type'] };
});

/**
 * The calibration a policy asks for (`variant:` or `calibration:`), as a run: computed once and
 * cached (resumable, see @dymu/merging), one row per block (r_i, τ_i and the batch statistics), the
 * threshold file copied into the run directory as `thresholds.json`. Summary: `images`, `batches`,
 * `merging_blocks` and `threshold_mean` (over the blocks that merge). Reads no dataset or
 * benchmark: the images are the calibration's.
 */
export const calibrateTask: Task = {
  name: 'calibrate',
  inputs: [],
  async open({ run, resources }) {
    const encoder = await resources.encoder(run.config.model);
    const path = await resources.calibration(run, encoder);
    if (path === undefined) {
      throw new DymuError('the calibrate task needs a policy that asks for calibrated thresholds (variant: low | mid | high, or calibration: {…})', run.origins.locate(['policy']));
    }
    const file = readThresholdFile(path);
    return {
      total: file.blocks.length,
      columns: COLUMNS,
      rows: async (from, to) => file.blocks.slice(from, to).map((b) => ({ ...b }) as Row),
      summarize: async (rows) => {
        const thresholds = rows.map((r) => r.threshold).filter((t): t is number => t !== null);
        return {
          metrics: { images: file.data.count, batches: Math.max(...rows.map((r) => r.batches as number)), merging_blocks: thresholds.length, threshold_mean: mean(thresholds) },
          files: { [THRESHOLDS_FILE]: readFileSync(path) },
        };
      },
    };
  },
};
