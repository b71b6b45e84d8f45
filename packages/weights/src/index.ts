export { type DType, type TensorInfo, type NamedTensor, type TensorSource, writeSafetensors, writeShardedSafetensors } from './safetensors.ts';
export { encodeHalf, decodeHalf, type HalfDType } from './half.ts';
export { WeightStore } from './weight-store.ts';
export { type VitArch, type HiddenAct, type VitConfig, type HfVisionFields, VIT_DEFAULTS, readVitConfig, parseVitConfig, numPatches } from './vit-config.ts';
export { type PreprocessorConfig, type Size, readPreprocessorConfig, defaultPreprocessorConfig } from './preprocessor-config.ts';
export { type Linear, type Norm, type VitLayerWeights, type VitEmbeddingWeights, VitWeights } from './vit-weights.ts';
export { type VitPresetName, type MakeModelOptions, type TensorSpec, type VitModelPlan, VIT_PRESETS, makeVitModel, planVitModel } from './generate.ts';
