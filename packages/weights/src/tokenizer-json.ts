import type { Json } from './json.ts';

/**
 * A small byte-level BPE tokenizer (GPT-2 / Qwen2 style) as tokenizer.json + tokenizer_config.json,
 * built in code for generated models: the 256 byte symbols, merges that spell out `words` (each
 * word gets the merges of its prefixes, so "Ġthe" takes "Ġ t", "Ġt h", "Ġth e"), special tokens,
 * and `<extra_N>` fillers up to `vocabSize`. Any text encodes (bytes are the fallback).
 */
export interface TokenizerSpec {
  words: readonly string[];
  /** Special tokens placed before the byte symbols (LLaMA: <unk>, <s>, </s> at 0, 1, 2). */
  leadingSpecials: readonly string[];
  /** Special tokens placed after the merges (Qwen2: <|endoftext|>, <|im_start|>, <|im_end|>). */
  trailingSpecials: readonly string[];
  /** Prepended to every encoded text (LLaMA's BOS) through a TemplateProcessing post-processor. */
  bos?: string;
  eos: string;
  vocabSize?: number;
}

export interface TokenizerFiles {
  tokenizer: Json;
  tokenizerConfig: Json;
  /** Token ids by content, for the specials. */
  ids: Record<string, number>;
  size: number;
}

/** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others for 256 + n. */
export function byteSymbols(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let next = 256;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable(b) ? b : next++));
}

export function byteLevelBpe(spec: TokenizerSpec): TokenizerFiles {
  const symbols = byteSymbols();
  const utf8 = new TextEncoder();
  const vocab = new Map<string, number>();
  const add = (token: string) => {
    if (!vocab.has(token)) vocab.set(token, vocab.size);
  };
  spec.leadingSpecials.forEach(add);
  symbols.forEach(add);
  const merges: string[] = [];
  for (const word of spec.words) {
    const chars = Array.from(utf8.encode(word), (b) => symbols[b]);
    for (let i = 1, prefix = chars[0]; i < chars.length; prefix += chars[i], i++) {
      if (vocab.has(prefix + chars[i])) continue;
      merges.push(`${prefix} ${chars[i]}`);
      add(prefix + chars[i]);
    }
  }
  spec.trailingSpecials.forEach(add);
  for (let n = 0; vocab.size < (spec.vocabSize ?? 0); n++) add(`<extra_${n}>`);
  const ids = Object.fromEntries([...spec.leadingSpecials, ...spec.trailingSpecials].map((t) => [t, vocab.get(t) as number]));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizer: Json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: Object.entries(ids).map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: spec.bos
      ? {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: spec.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [{ SpecialToken: { id: spec.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: spec.bos, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: { [spec.bos]: { id: spec.bos, ids: [ids[spec.bos]], tokens: [spec.bos] } },
        }
      : { ...byteLevel, trim_offsets: false, use_regex: false },
    decoder: byteLevel,
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab: Object.fromEntries(vocab), merges,
    },
  };
  const tokenizerConfig: Json = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    ...(spec.bos ? { bos_token: spec.bos, add_bos_token: true } : {}),
    eos_token: spec.eos,
    clean_up_tokenization_spaces: false,
    model_max_length: 4096,
  };
  return { tokenizer, tokenizerConfig, ids, size: vocab.size };
}
