export { type Segment, type UnmergeMap, unmergeMap, appendText, groupSizes, groups, meanWeights } from './map.ts';
export { ropeAngle, formBLogits, fullScoreMacs, vtuScoreMacs } from './algebra.ts';
export { type UnmergedAttentionInputs, type AttentionShape, unmergedAttention } from './graph.ts';
