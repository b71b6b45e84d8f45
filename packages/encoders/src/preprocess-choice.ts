import type { PreprocessorConfig } from '@dymu/weights';
import type { PadMode } from './preprocess.ts';

/**
 * What happens to an image before the processor's resize and crop: `pad` pastes it centred on a
 * square of the processor's mean colour (LLaVA-1.5's `image_aspect_ratio: pad`, `expand2square`),
 * `resize` hands it to the processor as it is (its resize and centre crop then cut the long side),
 * `anyres` is LLaVA-OneVision's AnyRes (a base view and crops; only a VLM makes them).
 */
export type Preprocess = 'pad' | 'resize' | 'anyres';

/**
 * The default for a bare vision tower, in every command and experiment: pad to square, as the
 * paper's LLaVA-1.5 does. Thresholds are calibrated on what the VLM sees, so token counts of a
 * bare tower then match what `dymu chat` gives with the LLaVA-1.5 VLM built on it.
 */
export const DEFAULT_PREPROCESS: Preprocess = 'pad';

/** A VLM's own (its config.json's `image_aspect_ratio`): `pad` → pad, `anyres…` → anyres, anything else (`square`) → resize. */
export function vlmPreprocess(imageAspectRatio: string): Preprocess {
  if (imageAspectRatio === 'pad') return 'pad';
  return imageAspectRatio.startsWith('anyres') ? 'anyres' : 'resize';
}

/**
 * The PadMode a bare tower's encode takes for a choice: AnyRes's views need the VLM, so a tower alone
 * encodes the base view (the whole image resized, as `resize`).
 */
export function padMode(choice: Preprocess): PadMode {
  return choice === 'pad' ? 'pad-to-square' : 'none';
}

/**
 * One line naming the preprocessing: `preprocessing: pad to square (mean colour), resize shortest
 * edge 336, center crop 336×336 (preprocessor_config.json)`.
 */
export function describePreprocessing(choice: Preprocess, spec: PreprocessorConfig, anyresBaseOnly = false): string {
  const steps = [
    choice === 'pad' ? 'pad to square (mean colour)' : choice === 'anyres' ? (anyresBaseOnly ? 'AnyRes base view only (the crops need the VLM): no padding' : 'AnyRes (base view and crops)') : 'no padding',
    spec.resizeShortest !== undefined ? `resize shortest edge ${spec.resizeShortest}` : spec.resizeTo ? `resize ${spec.resizeTo.width}×${spec.resizeTo.height}` : 'no resize',
    ...(spec.centerCrop ? [`center crop ${spec.centerCrop.width}×${spec.centerCrop.height}`] : []),
  ];
  return `preprocessing: ${steps.join(', ')} (${spec.source === 'defaults' ? "the processor's defaults" : spec.source})`;
}
