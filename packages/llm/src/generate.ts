import { appendText, unmergeMap } from '@dymu/vtu';
import { concat } from './arrays.ts';
import type { KvCache, LlmDecoder, SequenceInput } from './decoder.ts';
import { Sampler, type SamplingOptions } from './sampling.ts';
import type { TextTokenizer } from './tokenizer.ts';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Generation ends at the first of these strings (cut from the text). */
  stop?: readonly string[];
  /** Default: the model's eos_token_id(s). */
  eosTokenIds?: readonly number[];
  /** false: every step recomputes the whole sequence (prefill again) instead of reading the KV cache. */
  useCache?: boolean;
}

export interface Generation {
  /** The answer: generated tokens decoded without special tokens, cut at a stop string, trimmed. */
  text: string;
  /** Generated ids, EOS excluded. */
  tokens: number[];
  finish: 'eos' | 'stop' | 'length';
}

export interface GenerationResult {
  generations: Generation[];
  prefillMs: number;
  decodeMs: number;
  /** Decoding passes after the prefill. */
  steps: number;
}

/**
 * Batched generation: one prefill of all prompts, then one pass per new token for the sequences
 * still generating (a finished one leaves the batch and its cache rows are dropped). With the KV
 * cache, each step feeds only the new token; without it, each step runs the prompt and everything
 * generated so far again.
 */
export async function generate(decoder: LlmDecoder, tokenizer: TextTokenizer, prompts: readonly SequenceInput[], options: GenerateOptions): Promise<GenerationResult> {
  const D = decoder.config.hiddenSize;
  const V = decoder.config.vocabSize;
  const eos = new Set(options.eosTokenIds ?? decoder.config.eosTokenIds);
  const stops = options.stop ?? [];
  const samplers = prompts.map((_, b) => new Sampler(options, `sequence ${b}`));
  const states = prompts.map(() => ({ tokens: [] as number[], finish: undefined as Generation['finish'] | undefined }));
  let sequences = prompts.map((p) => ({ rows: p.rows, map: p.map ?? unmergeMap([{ kind: 'text', length: p.rows.length / D }]) }));

  const t0 = performance.now();
  let result = await decoder.forward(sequences);
  let logits = await decoder.nextLogits(result);
  const prefillMs = performance.now() - t0;
  let steps = 0;
  // Slot i of the batch holds sequence slots[i].
  let slots = prompts.map((_, b) => b);
  for (;;) {
    slots.forEach((b, i) => {
      const s = states[b];
      const token = samplers[b].pick(logits.subarray(i * V, (i + 1) * V));
      if (eos.has(token)) s.finish = 'eos';
      else {
        s.tokens.push(token);
        if (stops.length > 0 && findStop(tokenizer.decode(s.tokens, false), stops) >= 0) s.finish = 'stop';
        else if (s.tokens.length >= options.maxNewTokens) s.finish = 'length';
      }
    });
    const going = slots.flatMap((b, i) => (states[b].finish ? [] : [i]));
    if (going.length === 0) break;
    let cache = result.cache;
    if (going.length < slots.length) {
      slots = going.map((i) => slots[i]);
      sequences = going.map((i) => sequences[i]);
      cache = keepSequences(cache, going);
    }
    const embedded = await decoder.embed(slots.map((b) => states[b].tokens.at(-1)!));
    const rows = (i: number) => embedded.subarray(i * D, (i + 1) * D);
    if (options.useCache ?? true) {
      result = await decoder.forward(slots.map((_, i) => ({ rows: rows(i) })), cache);
    } else {
      sequences = sequences.map((s, i) => ({ rows: concat([s.rows, rows(i)]), map: appendText(s.map, 1) }));
      result = await decoder.forward(sequences);
    }
    logits = await decoder.nextLogits(result);
    steps++;
  }
  const generations = states.map((s) => {
    const text = tokenizer.decode(s.tokens);
    const at = findStop(text, stops);
    return { text: (at >= 0 ? text.slice(0, at) : text).trim(), tokens: s.tokens, finish: s.finish as Generation['finish'] };
  });
  return { generations, prefillMs, decodeMs: performance.now() - t0 - prefillMs, steps };
}

/** The cache of the batch slots `keep` only, in that order. */
function keepSequences(cache: KvCache, keep: readonly number[]): KvCache {
  const take = (data: Float32Array) => {
    const size = data.length / cache.batch;
    const out = new Float32Array(keep.length * size);
    keep.forEach((b, i) => out.set(data.subarray(b * size, (b + 1) * size), i * size));
    return out;
  };
  return { batch: keep.length, length: cache.length, keys: cache.keys.map(take), values: cache.values.map(take), keyBias: take(cache.keyBias), next: Int32Array.from(keep, (b) => cache.next[b]) };
}

/** Index of the earliest stop string in `text`, or −1. */
function findStop(text: string, stops: readonly string[]): number {
  const found = stops.map((s) => text.indexOf(s)).filter((i) => i >= 0);
  return found.length > 0 ? Math.min(...found) : -1;
}
