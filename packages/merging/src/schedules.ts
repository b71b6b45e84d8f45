import { DymuError } from '@dymu/core';

/**
 * Merge schedules (DYMU.md §4): how many merges per image each block aims at (r_i). ToMe merges
 * exactly r_i; DToMe calibrates one threshold per block from them.
 */
export interface Schedule {
  /** e.g. "mid", "mid/linear", or the schedule file. */
  readonly name: string;
  readonly r: readonly number[];
}

export const SCHEDULE_SHAPES = ['constant', 'linear', 'reverse_linear'] as const;
export type ScheduleShape = (typeof SCHEDULE_SHAPES)[number];
export const VARIANTS = ['low', 'mid', 'high'] as const;
export type Variant = (typeof VARIANTS)[number];

/** Spreads `total` merges over `blocks` blocks. */
export function spreadMerges(shape: ScheduleShape, total: number, blocks: number): number[] {
  if (shape === 'constant') {
    const each = Math.floor(total / blocks);
    return Array.from({ length: blocks }, (_, i) => each + (i < total - each * blocks ? 1 : 0));
  }
  const linear = linearMerges(total, blocks);
  return shape === 'linear' ? linear : linear.reverse();
}

/** r0 = floor(2·total/L), step r0/L; floor(r0 − j·step) while the sum stays below total; the remainder; zeros. */
function linearMerges(total: number, blocks: number): number[] {
  const r0 = Math.floor((2 * total) / blocks);
  const step = r0 / blocks;
  const r: number[] = [];
  let sum = 0;
  for (let j = 0; ; j++) {
    const next = Math.floor(r0 - j * step);
    if (next <= 0 || sum + next >= total) break;
    r.push(next);
    sum += next;
  }
  if (sum < total) r.push(total - sum);
  if (r.length > blocks) throw new DymuError(`a linear schedule of ${total} merges does not fit in ${blocks} blocks`, { field: 'schedule' });
  return [...r, ...new Array<number>(blocks - r.length).fill(0)];
}

/** What a schedule needs to know about an encoder (a weights VitConfig plus its patch count fits). */
export interface EncoderShape {
  readonly arch: 'clip' | 'siglip';
  readonly imageSize: number;
  readonly patchSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  /** Patches per image, class token excluded. */
  readonly patches: number;
}

/** The paper's r_total per variant (low / mid / high) for the encoders it used (DYMU.md §4). */
export const PAPER_VARIANTS: readonly { encoder: string; match: Partial<EncoderShape>; total: Record<Variant, number> }[] = [
  { encoder: 'CLIP ViT-L/14-336', match: { arch: 'clip', imageSize: 336, patchSize: 14, hiddenSize: 1024, numLayers: 24 }, total: { low: 504, mid: 384, high: 192 } },
  { encoder: 'SigLIP B/16-384', match: { arch: 'siglip', imageSize: 384, patchSize: 16, hiddenSize: 768, numLayers: 12 }, total: { low: 504, mid: 384, high: 192 } },
  { encoder: 'SigLIP so400m/14-384', match: { arch: 'siglip', imageSize: 384, patchSize: 14, hiddenSize: 1152, numLayers: 27 }, total: { low: 648, mid: 567, high: 405 } },
  // OneVision's tower as llava-hf saves it: the unused 27th block dropped, the same r_i in the other 26
  { encoder: 'SigLIP so400m/14-384, 26 blocks (llava-hf OneVision)', match: { arch: 'siglip', imageSize: 384, patchSize: 14, hiddenSize: 1152, numLayers: 26 }, total: { low: 624, mid: 546, high: 390 } },
];

/** Other encoders merge the same fraction of their patches as CLIP-L does of its 576. */
const CLIP_L_FRACTION: Record<Variant, number> = { low: 504 / 576, mid: 384 / 576, high: 192 / 576 };

/** r_total of a variant: the paper's for its encoders, else round(fraction × patches). */
export function variantTotal(encoder: EncoderShape, variant: Variant): number {
  const known = PAPER_VARIANTS.find(({ match }) => Object.entries(match).every(([key, value]) => encoder[key as keyof EncoderShape] === value));
  return known ? known.total[variant] : Math.round(CLIP_L_FRACTION[variant] * encoder.patches);
}

export function variantSchedule(encoder: EncoderShape, variant: Variant, shape: ScheduleShape = 'constant'): Schedule {
  return { name: shape === 'constant' ? variant : `${variant}/${shape}`, r: spreadMerges(shape, variantTotal(encoder, variant), encoder.numLayers) };
}
