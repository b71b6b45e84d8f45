import { existsSync, readFileSync } from 'node:fs';
import { canonicalJson, writeFileAtomic } from '@dymu/core';
import { array, fail, finite, object, type Where } from '../fields.ts';
import type { CalibrationCheckpoint } from './calibrate.ts';

const FORMAT = 'dymu-calibration-checkpoint/1';

/**
 * A calibration checkpoint on disk: what the calibration is (`identity`: model, schedule, data, seed,
 * batch size) and τ_batch of every finished batch, rewritten atomically after each batch. Loading a
 * checkpoint of another calibration is an error naming the file and the field that differs.
 */
export function checkpointFile(path: string, identity: Record<string, unknown>): CalibrationCheckpoint {
  return {
    load() {
      if (!existsSync(path)) return undefined;
      const where = (field: string): Where => ({ file: path, field });
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        fail(where(''), `cannot read the checkpoint (${(error as Error).message}); delete it to start over`);
      }
      const o = object(raw, where(''), ['format', 'identity', 'taus']);
      if (o.format !== FORMAT) fail(where('format'), `expected "${FORMAT}", got ${JSON.stringify(o.format)}`);
      const saved = object(o.identity, where('identity'));
      for (const key of new Set([...Object.keys(identity), ...Object.keys(saved)])) {
        if (canonicalJson(saved[key]) !== canonicalJson(identity[key])) {
          fail(where(`identity.${key}`), `belongs to another calibration (${canonicalJson(saved[key])}, this run: ${canonicalJson(identity[key])}); delete the file to start over`);
        }
      }
      return array(o.taus, where('taus')).map((row, b) =>
        array(row, where(`taus[${b}]`)).map((v, i) => (v === null ? null : finite(v, where(`taus[${b}][${i}]`)))),
      );
    },
    save(taus) {
      writeFileAtomic(path, JSON.stringify({ format: FORMAT, identity, taus }));
    },
  };
}
