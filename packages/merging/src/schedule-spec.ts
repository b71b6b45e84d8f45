import { readFileSync } from 'node:fs';
import { array, at, fail, integer, type Where } from './fields.ts';
import { type EncoderShape, type Schedule, type ScheduleShape, variantSchedule, VARIANTS, type Variant } from './schedules.ts';

/**
 * A schedule named on the command line or in a config: a variant (`low`, `mid`, `high`, spread by
 * `shape`) or a JSON file holding the list of r_i, one per block of the encoder.
 */
export function resolveSchedule(spec: string, encoder: EncoderShape, shape: ScheduleShape = 'constant'): Schedule {
  if ((VARIANTS as readonly string[]).includes(spec)) return variantSchedule(encoder, spec as Variant, shape);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (error) {
    fail({ file: spec, field: '' }, `expected ${VARIANTS.join(', ')} or a JSON file with a list of r_i (${(error as Error).message})`);
  }
  return { name: spec, r: scheduleList(raw, encoder.numLayers, { file: spec, field: '' }) };
}

/** A list of r_i, one non-negative integer per block. */
export function scheduleList(raw: unknown, blocks: number, where: Where): number[] {
  return array(raw, where, blocks).map((v, i) => integer(v, at(where, i)));
}
