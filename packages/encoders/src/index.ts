export { preprocessImage, preprocessBatch, modelView, type PadMode, type PreprocessedImage, type RgbImage } from './preprocess.ts';
export { embeddingsGraph, attentionGraph, mlpGraph, postLayerNormGraph } from './vit-graphs.ts';
export { addMatching, mergeGraph } from './merge-graphs.ts';
export { VitEncoder, LLAVA_FEATURES, llavaFeatures, lastHiddenState, emptyTimings, type EncodeTimings, type FeatureSelection, type EncodedImage, type EncodeOptions, type LoadOptions, type BlockObserver } from './vit-encoder.ts';
export { encodeDecodable } from './decodable.ts';
export { DEFAULT_PREPROCESS, describePreprocessing, padMode, vlmPreprocess, type Preprocess } from './preprocess-choice.ts';
export { readVideoFrames, probeVideo, uniformFrameIndices, ONEVISION_FRAMES, type VideoFrames, type VideoInfo } from './video.ts';
export { anyresLayout, parsePinpoints, type AnyresLayout, type AnyresSpec, type Pinpoint, type Box, type PadBox, type Region } from './anyres.ts';
export { anyresViews, type AnyresViews } from './anyres-views.ts';
