export { DymuError, type ErrorLocation } from './errors.ts';
export { Rng } from './rng.ts';
export { sha256, sha256File, canonicalJson } from './hash.ts';
export { Progress } from './progress.ts';
export { numel, sameShape, maxAbsDiff } from './tensor.ts';
export { type TokenBatch, type Matching, type BlockContext, type MergePlan, type MergePolicy, noMerging, initialTokenBatch, attentionBias, applyPlanToBookkeeping } from './tokens.ts';
export { writeFileAtomic, temporaryDirectory, commitDirectory, temporaryName, temporaryWriter, removeStaleTemporaries, STALE_MS, type Writer } from './atomic.ts';
export { acquireLock, withLock, type Lock, type LockHolder, type LockOptions } from './lock.ts';
