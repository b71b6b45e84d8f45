import { describePreprocessing, type Preprocess, type VitEncoder, vlmPreprocess } from '@dymu/encoders';
import type { Vlm } from '@dymu/llm';
import { describeVisionTower } from '@dymu/weights';

/** The line naming how a VLM preprocesses its images (its image_aspect_ratio, its tower's processor) and which tower it uses. */
export function vlmPreprocessing(vlm: Vlm): string {
  return encoderPreprocessing(vlmPreprocess(vlm.config.imageAspectRatio), vlm.encoder);
}

/** The line naming how an encoder's images are preprocessed and where its tower's config and weights come from. */
export function encoderPreprocessing(choice: Preprocess, encoder: VitEncoder, anyresBaseOnly = false): string {
  return `${describePreprocessing(choice, encoder.preprocessing, anyresBaseOnly)}; vision tower: ${describeVisionTower(encoder.tower)}`;
}
