/**
 * The llava-hf layout (LlavaForConditionalGeneration, LlavaOnevisionForConditionalGeneration: one
 * checkpoint holding language model, projector and vision tower) read under the names the loaders
 * know: the original LLaVA names for the decoder and projector, and a CLIPVisionModel /
 * SiglipVisionModel's for the tower. Both the names the Hub checkpoints carry and those
 * transformers ≥ 4.52 saves (`model.language_model.…`) are mapped, as transformers'
 * `_checkpoint_conversion_mapping` does on load.
 */
const RULES: [RegExp, string][] = [
  [/^language_model\.model\./, 'model.'],
  [/^model\.language_model\./, 'model.'],
  [/^language_model\.lm_head\./, 'lm_head.'],
  [/^(?:model\.)?multi_modal_projector\.linear_1\./, 'model.mm_projector.0.'],
  [/^(?:model\.)?multi_modal_projector\.linear_2\./, 'model.mm_projector.2.'],
  [/^(?:model\.)?image_newline$/, 'model.image_newline'],
  [/^(?:model\.)?vision_tower\./, ''],
];

/**
 * Tensor-name prefixes only a llava-hf checkpoint has (not LLaVA-NeXT's original
 * `model.vision_tower.vision_tower.vision_model.…`, the fine-tuned tower lmms-lab's OneVision holds).
 */
const MARKERS = /^(?:model\.)?(?:language_model\.|multi_modal_projector\.|vision_tower\.vision_model\.)/;

/** Whether tensor names are in the llava-hf layout (either generation of it). */
export function isLlavaHfLayout(names: Iterable<string>): boolean {
  for (const name of names) if (MARKERS.test(name)) return true;
  return false;
}

/** A llava-hf tensor name under the name the loaders read (`lm_head.weight` and unknown names stay as they are). */
export function fromLlavaHf(name: string): string {
  for (const [pattern, replacement] of RULES) if (pattern.test(name)) return name.replace(pattern, replacement);
  return name;
}

/** The inverse of fromLlavaHf for the names it maps: a loader's name as the Hub's llava-hf checkpoints store it. */
export function toLlavaHf(name: string, generation: 'hub' | 'transformers-4.52' = 'hub'): string {
  const modern = generation === 'transformers-4.52';
  const rules: [RegExp, string][] = [
    [/^model\.mm_projector\.0\./, `${modern ? 'model.' : ''}multi_modal_projector.linear_1.`],
    [/^model\.mm_projector\.2\./, `${modern ? 'model.' : ''}multi_modal_projector.linear_2.`],
    [/^model\.image_newline$/, `${modern ? 'model.' : ''}image_newline`],
    [/^model\./, modern ? 'model.language_model.' : 'language_model.model.'],
    [/^lm_head\./, modern ? 'lm_head.' : 'language_model.lm_head.'],
    [/^vision_model\./, `${modern ? 'model.' : ''}vision_tower.vision_model.`],
  ];
  for (const [pattern, replacement] of rules) if (pattern.test(name)) return name.replace(pattern, replacement);
  return name;
}

/** The sub-config model types transformers assumes when a llava-hf config.json omits them. */
export interface LlavaHfType {
  modelType: 'llava' | 'llava_onevision';
  vision: 'clip_vision_model' | 'siglip_vision_model';
  text: 'llama' | 'qwen2';
}

/**
 * Whether a config.json is a llava-hf one (nested text_config / vision_config), and its kind. The
 * original LLaVA checkpoints also say model_type "llava", but keep their fields flat.
 */
export function llavaHfType(raw: Record<string, unknown>): LlavaHfType | undefined {
  if (raw.model_type === 'llava_onevision') return { modelType: 'llava_onevision', vision: 'siglip_vision_model', text: 'qwen2' };
  const nested = (key: string) => typeof raw[key] === 'object' && raw[key] !== null;
  if (raw.model_type === 'llava' && (nested('text_config') || nested('vision_config'))) return { modelType: 'llava', vision: 'clip_vision_model', text: 'llama' };
  return undefined;
}
