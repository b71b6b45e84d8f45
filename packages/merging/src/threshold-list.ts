import { existsSync, readFileSync } from 'node:fs';
import { fail } from './fields.ts';
import { isOfficialExample, officialVariant, parseOfficialExample } from './official-thresholds.ts';
import { parseThresholdFile, thresholdsOf, type ThresholdFile } from './threshold-file.ts';

/** DToMe's thresholds per block with what is known about them, whichever file they come from. */
export interface ThresholdList {
  /** The file (with `#variant` for an official example). */
  readonly source: string;
  readonly encoder: string;
  /** r_i per block; null where the source does not state it. */
  readonly r: readonly (number | null)[];
  /** τ_i per block; null where the block never merges. */
  readonly thresholds: readonly (number | null)[];
  /** How they were obtained, in a few words. */
  readonly origin: string;
  /** The calibrated file they come from (none for an official example, which names no weights). */
  readonly calibrated?: ThresholdFile;
}

export function thresholdListOf(file: ThresholdFile, source: string): ThresholdList {
  const { data } = file;
  return {
    source,
    encoder: file.encoder.name,
    r: file.schedule.r,
    thresholds: thresholdsOf(file),
    origin: `calibrated: schedule ${file.schedule.name}, ${data.count} images of ${data.source} (seed ${data.seed}${data.missing > 0 ? `, ${data.missing} missing` : ''}) in batches of ${file.batchSize}, ${file.layout} layout, ${file.runningMean} mean`,
    calibrated: file,
  };
}

/**
 * The thresholds of a `dymu-thresholds/1` file or of one variant of the official example
 * (`FILE#<index or encoder>`, or the variant with `blocks` thresholds when the file has several).
 */
export function readThresholdList(spec: string, blocks?: number): ThresholdList {
  const hash = spec.lastIndexOf('#');
  const [path, selector] = hash > 0 && !existsSync(spec) ? [spec.slice(0, hash), spec.slice(hash + 1)] : [spec, undefined];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail({ file: path, field: '' }, `cannot read a JSON threshold file (${(error as Error).message})`);
  }
  if (!isOfficialExample(raw)) {
    if (selector !== undefined) fail({ file: path, field: '' }, `#${selector}: only an official example file has variants to choose from`);
    return thresholdListOf(parseThresholdFile(raw, path), path);
  }
  const example = parseOfficialExample(raw, path);
  const variant = officialVariant(example, path, { selector, blocks });
  return {
    source: `${path}#${example.variants.indexOf(variant)}`,
    encoder: variant.encoder,
    r: variant.thresholds.map(() => null),
    thresholds: variant.thresholds,
    origin: `quoted from the official repository: ${variant.variant}`,
  };
}

/** Two threshold lists to compare: an official example with several variants takes the one with the other file's depth. */
export function readThresholdPair(a: string, b: string): [ThresholdList, ThresholdList] {
  const depth = (spec: string): number | undefined => {
    try {
      return readThresholdList(spec).thresholds.length;
    } catch {
      return undefined;
    }
  };
  return [readThresholdList(a, depth(b)), readThresholdList(b, depth(a))];
}
