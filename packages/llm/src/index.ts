export { LlmDecoder, type SequenceInput, type KvCache, type ForwardResult } from './decoder.ts';
export { embeddingGraph, decoderLayerGraph, headGraph, projectorGraph } from './graphs.ts';
export { packBatch, type PackedBatch } from './batch.ts';
export { TextTokenizer } from './tokenizer.ts';
export { Sampler, argmax, type SamplingOptions } from './sampling.ts';
export { generate, type GenerateOptions, type Generation, type GenerationResult } from './generate.ts';
export { CHAT_TEMPLATES, IMAGE_PLACEHOLDER, chatTemplate, defaultTemplate, type ChatTemplate } from './templates.ts';
export { tokenizePrompt, splice, type ImageRows } from './splice.ts';
export { Vlm, type VlmLoadOptions, type AskOptions, type Answer, type Question } from './vlm.ts';
