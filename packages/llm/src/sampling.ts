import { DymuError, Rng } from '@dymu/core';

export interface SamplingOptions {
  /** 0 (the default): greedy, the first maximum. Otherwise softmax(logits / temperature). */
  temperature?: number;
  /** Keep the k most likely tokens (0 or unset: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 or unset: all). */
  topP?: number;
  /** Seed of the sampling stream (default 0); each sequence draws from its own named stream. */
  seed?: number;
}

/** Index of the first maximum. */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Picks next tokens from logits rows: greedy, or seeded sampling with temperature, top-k and top-p. */
export class Sampler {
  private readonly rng: Rng;

  constructor(
    private readonly options: SamplingOptions,
    stream: string,
  ) {
    const { temperature = 0, topK = 0, topP = 1 } = options;
    if (!(temperature >= 0) || !(Number.isInteger(topK) && topK >= 0) || !(topP > 0 && topP <= 1)) {
      throw new DymuError(`expected temperature ≥ 0, an integer top-k ≥ 0 and 0 < top-p ≤ 1, got ${temperature}, ${topK}, ${topP}`, { field: 'sampling' });
    }
    this.rng = Rng.stream(options.seed ?? 0, `sampling/${stream}`);
  }

  pick(logits: Float32Array): number {
    const { temperature = 0, topK = 0, topP = 1 } = this.options;
    if (temperature === 0) return argmax(logits);
    const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
    const kept = order.slice(0, topK > 0 ? topK : order.length);
    const max = logits[kept[0]];
    const weights = kept.map((i) => Math.exp((logits[i] - max) / temperature));
    const total = weights.reduce((a, b) => a + b, 0);
    let cut = kept.length;
    for (let i = 0, mass = 0; i < kept.length; i++) {
      mass += weights[i] / total;
      if (mass >= topP) {
        cut = i + 1;
        break;
      }
    }
    const nucleus = weights.slice(0, cut).reduce((a, b) => a + b, 0);
    let u = this.rng.float() * nucleus;
    for (let i = 0; i < cut; i++) {
      u -= weights[i];
      if (u < 0) return kept[i];
    }
    return kept[cut - 1];
  }
}
