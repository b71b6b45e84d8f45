import type { LlmDecoder } from './decoder.ts';
import { argmax } from './sampling.ts';

/** How far a decoder's logits (e.g. quantised weights) are from a reference's on the same token sequences. */
export interface Fidelity {
  /** Largest and mean |candidate − reference| over every logit of every position. */
  maxAbs: number;
  meanAbs: number;
  /** Mean |reference logit|, the scale the deviations compare to. */
  meanAbsReference: number;
  /** Share of positions whose greedy next token (the first maximum) is the same. */
  agreement: number;
  positions: number;
}

/** Runs every sequence through both decoders (each position predicting the next token) and compares the logits. */
export async function logitFidelity(reference: LlmDecoder, candidate: LlmDecoder, sequences: readonly (readonly number[])[]): Promise<Fidelity> {
  const V = reference.config.vocabSize;
  let [maxAbs, sumAbs, sumRef, same, positions] = [0, 0, 0, 0, 0];
  for (const ids of sequences) {
    const [a, b] = await Promise.all([allLogits(reference, ids), allLogits(candidate, ids)]);
    for (let p = 0; p < ids.length; p++) {
      for (let v = p * V; v < (p + 1) * V; v++) {
        const d = Math.abs(a[v] - b[v]);
        maxAbs = Math.max(maxAbs, d);
        sumAbs += d;
        sumRef += Math.abs(a[v]);
      }
      if (argmax(a.subarray(p * V, (p + 1) * V)) === argmax(b.subarray(p * V, (p + 1) * V))) same++;
      positions++;
    }
  }
  const n = positions * V;
  return { maxAbs, meanAbs: sumAbs / n, meanAbsReference: sumRef / n, agreement: same / positions, positions };
}

async function allLogits(decoder: LlmDecoder, ids: readonly number[]): Promise<Float32Array> {
  const result = await decoder.forward([{ rows: await decoder.embed(ids) }]);
  return decoder.logits(result.hidden, result.unique);
}
