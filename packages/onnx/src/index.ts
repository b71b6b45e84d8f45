export { ProtoWriter } from './proto.ts';
export { GraphBuilder, type OnnxModel, type ExternalTensor, type Value, type OpOptions, type AttrValue, type Dim, type ElemType, type WeightData } from './graph.ts';
export {
  linear,
  layerNorm,
  rmsNorm,
  activation,
  splitHeads,
  mergeHeads,
  meanOverHeads,
  multiHeadAttention,
  type LinearWeights,
  type WeightSource,
  type ActivationKind,
} from './ops.ts';
export { MASKED, rotaryCosSin, applyRotary, causalBias, groupedQueryAttention, causalAttention } from './decoder-ops.ts';
export {
  SessionPool,
  type Session,
  type SessionOptions,
  type Feeds,
  type Outputs,
  type TensorData,
  type TensorType,
} from './session.ts';
