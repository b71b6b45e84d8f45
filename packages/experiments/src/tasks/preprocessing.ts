import { describePreprocessing, vlmPreprocess } from '@dymu/encoders';
import type { Vlm } from '@dymu/llm';

/** The line naming how a VLM preprocesses its images (its image_aspect_ratio, its tower's processor). */
export function vlmPreprocessing(vlm: Vlm): string {
  return describePreprocessing(vlmPreprocess(vlm.config.imageAspectRatio), vlm.encoder.preprocessing);
}
