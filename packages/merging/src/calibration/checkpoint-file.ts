import { existsSync, readFileSync } from 'node:fs';
import { canonicalJson, writeFileAtomic } from '@dymu/core';
import { array, fail, finite, object, string, type Where } from '../fields.ts';
import type { CalibrationCheckpoint } from './calibrate.ts';
import { firstNames } from './image-source.ts';

const FORMAT = 'dymu-calibration-checkpoint/1';

/**
 * A calibration checkpoint on disk: what the calibration is (`identity`: model, schedule, data, seed,
 * batch size, layout), τ_batch of every finished batch and the images they could not decode,
 * rewritten atomically after each batch.
 * Loading a checkpoint of another calibration is an error naming the file, the field that differs
 * (for the data: which images appeared or went missing since) and `restartOption`, the option that
 * discards it and starts over.
 */
export function checkpointFile(path: string, identity: Record<string, unknown>, restartOption: string): CalibrationCheckpoint {
  const restart = `run again with ${restartOption} to discard it and start over`;
  return {
    load() {
      if (!existsSync(path)) return undefined;
      const where = (field: string): Where => ({ file: path, field });
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        fail(where(''), `cannot read the checkpoint (${(error as Error).message}); ${restart}`);
      }
      const o = object(raw, where(''), ['format', 'identity', 'taus', 'undecodable']);
      if (o.format !== FORMAT) fail(where('format'), `expected "${FORMAT}", got ${JSON.stringify(o.format)}`);
      const saved = object(o.identity, where('identity'));
      for (const key of new Set([...Object.keys(identity), ...Object.keys(saved)])) {
        if (canonicalJson(saved[key]) === canonicalJson(identity[key])) continue;
        if (key === 'data') fail(where('identity.data'), `the calibration data changed since this checkpoint was written: ${dataChange(saved.data, identity.data)}; ${restart}`);
        fail(where(`identity.${key}`), `belongs to another calibration (${canonicalJson(saved[key])}, this run: ${canonicalJson(identity[key])}); ${restart}`);
      }
      return {
        taus: array(o.taus, where('taus')).map((row, b) => array(row, where(`taus[${b}]`)).map((v, i) => (v === null ? null : finite(v, where(`taus[${b}][${i}]`))))),
        undecodable: o.undecodable === undefined ? [] : array(o.undecodable, where('undecodable')).map((v, i) => string(v, where(`undecodable[${i}]`))),
      };
    },
    save({ taus, undecodable }) {
      writeFileAtomic(path, JSON.stringify({ format: FORMAT, identity, taus, undecodable }));
    },
  };
}

/** What differs between two `identity.data` (count, seed, imagesSha256, missing names), in words. */
function dataChange(saved: unknown, now: unknown): string {
  const [before, after] = [saved, now].map((d) => (d ?? {}) as { count?: number; seed?: number; imagesSha256?: string; missing?: string[] });
  const [missingBefore, missingNow] = [new Set(before.missing ?? []), new Set(after.missing ?? [])];
  const back = [...missingBefore].filter((name) => !missingNow.has(name));
  const gone = [...missingNow].filter((name) => !missingBefore.has(name));
  const changes = [
    ...(back.length > 0 ? [`${back.length} image${back.length > 1 ? 's' : ''} missing then ${back.length > 1 ? 'are' : 'is'} there now (${firstNames(back)})`] : []),
    ...(gone.length > 0 ? [`${gone.length} image${gone.length > 1 ? 's' : ''} there then ${gone.length > 1 ? 'are' : 'is'} missing now (${firstNames(gone)})`] : []),
    ...(before.seed !== after.seed ? [`seed ${before.seed} then, ${after.seed} now`] : []),
    ...(before.count !== after.count ? [`${before.count} images used then, ${after.count} now`] : []),
  ];
  return changes.length > 0 ? changes.join('; ') : `another image list (sha256 ${String(before.imagesSha256).slice(0, 12)}… then, ${String(after.imagesSha256).slice(0, 12)}… now)`;
}

