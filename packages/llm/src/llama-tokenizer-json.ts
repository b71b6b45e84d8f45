import { DymuError } from '@dymu/core';
import type { Json } from '@dymu/weights';
import type { SentencePiece, SentencePieceModel } from './sentencepiece-model.ts';

/**
 * The tokenizer_config.json settings that transformers' LlamaTokenizerFast reads when it converts a
 * `tokenizer.model` (LlamaConverter in convert_slow_tokenizer.py, then update_post_processor).
 */
export interface LlamaTokenizerOptions {
  /** `legacy` (default true): the normalizer prepends "▁" to every text between added tokens; false: a Metaspace pre-tokenizer prepends it only at the start. */
  legacy: boolean;
  /** `add_prefix_space` (default true). */
  addPrefixSpace: boolean;
  addBosToken: boolean;
  addEosToken: boolean;
  unkToken: string;
  bosToken: string;
  eosToken: string;
  /** `added_tokens_decoder`: added tokens by id, beyond or over the model's pieces. */
  addedTokens: AddedToken[];
}

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  single_word: boolean;
}

const SPACE = '▁';

/** The options from tokenizer_config.json and special_tokens_map.json, with LlamaTokenizerFast's defaults. */
export function llamaTokenizerOptions(model: SentencePieceModel, config: Json, configFile: string, specialTokensMap: Json, mapFile: string): LlamaTokenizerOptions {
  const flag = (name: string, fallback: boolean): boolean => {
    const value = config[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw new DymuError(`expected true or false, got ${JSON.stringify(value)}`, { file: configFile, field: name });
    return value;
  };
  const token = (name: string, fallback: string): string =>
    tokenContent(config[name], configFile, name) ?? tokenContent(specialTokensMap[name], mapFile, name) ?? fallback;
  const piece = (id: number, fallback: string) => model.pieces[id]?.piece ?? fallback;
  return {
    legacy: flag('legacy', true),
    addPrefixSpace: flag('add_prefix_space', true),
    addBosToken: flag('add_bos_token', true),
    addEosToken: flag('add_eos_token', false),
    unkToken: token('unk_token', piece(model.trainer.unkId, model.trainer.unkPiece)),
    bosToken: token('bos_token', piece(model.trainer.bosId, model.trainer.bosPiece)),
    eosToken: token('eos_token', piece(model.trainer.eosId, model.trainer.eosPiece)),
    addedTokens: addedTokensDecoder(config.added_tokens_decoder, configFile),
  };
}

/** A special token as transformers writes it: a string, or an AddedToken object with `content`; null / absent: undefined. */
export function tokenContent(value: unknown, file: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content as string;
  throw new DymuError(`expected a token (a string or an object with "content"), got ${JSON.stringify(value)}`, { file, field });
}

function addedTokensDecoder(value: unknown, file: string): AddedToken[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw new DymuError('expected an object of added tokens by id', { file, field: 'added_tokens_decoder' });
  return Object.entries(value as Json).map(([key, entry]) => {
    const field = `added_tokens_decoder.${key}`;
    const id = Number(key);
    const content = tokenContent(entry, file, field);
    if (!Number.isInteger(id) || id < 0 || content === undefined) throw new DymuError(`expected a token id and a token, got ${JSON.stringify(entry)}`, { file, field });
    const e = typeof entry === 'object' ? (entry as Json) : {};
    const special = e.special === true;
    return { id, content, special, lstrip: e.lstrip === true, rstrip: e.rstrip === true, normalized: typeof e.normalized === 'boolean' ? e.normalized : !special, single_word: e.single_word === true };
  });
}

/**
 * A tokenizer.json object equal to what LlamaTokenizerFast builds from a SentencePiece BPE model:
 * the pieces as a BPE vocabulary with merges ordered as SentencePieceExtractor orders them,
 * byte fallback, fused unknowns; legacy: normalizer Prepend("▁") + Replace(" ", "▁"), else a
 * Metaspace pre-tokenizer (prepend_scheme "first", no split); decoder Replace("▁", " "),
 * ByteFallback, Fuse, Strip(" ", 1 left); CONTROL and USER_DEFINED pieces and the special tokens
 * as added tokens; a TemplateProcessing post-processor adding BOS / EOS as configured.
 * Models whose normalisation LlamaConverter does not carry over are refused (DymuError naming
 * `file` and the field): their ids would differ from SentencePiece's.
 */
export function llamaTokenizerJson(model: SentencePieceModel, options: LlamaTokenizerOptions, file: string): Json {
  refuseUnconverted(model, file);
  const ids = pieceIds(model.pieces);
  const idOf = (token: string, field: string): number => {
    const id = options.addedTokens.find((t) => t.content === token)?.id ?? ids.get(token);
    if (id === undefined) throw new DymuError(`${JSON.stringify(token)} is not a piece of the model`, { file, field });
    return id;
  };
  const specials = [options.unkToken, options.bosToken, options.eosToken];
  const added = new Map<number, AddedToken>();
  model.pieces.forEach((p, id) => {
    const isSpecial = p.type === 'CONTROL' || specials.includes(p.piece);
    if (isSpecial || p.type === 'USER_DEFINED') added.set(id, { id, content: p.piece, special: isSpecial, lstrip: false, rstrip: false, normalized: false, single_word: false });
  });
  for (const t of options.addedTokens) added.set(t.id, t);
  const single = [
    ...(options.addBosToken ? [special(options.bosToken, 0)] : []),
    { Sequence: { id: 'A', type_id: 0 } },
    ...(options.addEosToken ? [special(options.eosToken, 0)] : []),
  ];
  const pair = [
    ...single,
    ...(options.addBosToken ? [special(options.bosToken, 1)] : []),
    { Sequence: { id: 'B', type_id: 1 } },
    ...(options.addEosToken ? [special(options.eosToken, 1)] : []),
  ];
  const used = [...(options.addBosToken ? [['bos_token', options.bosToken]] : []), ...(options.addEosToken ? [['eos_token', options.eosToken]] : [])];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...added.values()].sort((a, b) => a.id - b.id),
    normalizer: options.legacy
      ? { type: 'Sequence', normalizers: [...(options.addPrefixSpace ? [{ type: 'Prepend', prepend: SPACE }] : []), { type: 'Replace', pattern: { String: ' ' }, content: SPACE }] }
      : null,
    pre_tokenizer: options.legacy ? null : { type: 'Metaspace', replacement: SPACE, prepend_scheme: options.addPrefixSpace ? 'first' : 'never', split: false },
    post_processor: {
      type: 'TemplateProcessing',
      single,
      pair,
      special_tokens: Object.fromEntries(used.map(([field, token]) => [token, { id: token, ids: [idOf(token, field)], tokens: [token] }])),
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        ...(options.addPrefixSpace ? [{ type: 'Strip', content: ' ', start: 1, stop: 0 }] : []),
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: model.trainer.unkPiece,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(ids),
      merges: sentencePieceMerges(model.pieces),
    },
  };
}

function special(token: string, typeId: number) {
  return { SpecialToken: { id: token, type_id: typeId } };
}

/** Piece → id; a repeated piece keeps its last id, as Python's dict does in SentencePieceExtractor. */
function pieceIds(pieces: readonly SentencePiece[]): Map<string, number> {
  return new Map(pieces.map((p, id) => [p.piece, id]));
}

function refuseUnconverted(model: SentencePieceModel, file: string): void {
  const refuse = (field: string, message: string) => {
    throw new DymuError(`${message}; LlamaTokenizerFast's conversion does not carry this over, so its ids would differ from SentencePiece's`, { file, field });
  };
  if (model.trainer.modelType !== 'BPE') refuse('trainer_spec.model_type', `${model.trainer.modelType}: a LLaMA tokenizer is a BPE model`);
  if (model.trainer.treatWhitespaceAsSuffix) refuse('trainer_spec.treat_whitespace_as_suffix', 'true');
  if (model.normalizer.precompiledCharsmap.length > 0) refuse('normalizer_spec.precompiled_charsmap', `a normalization rule (${model.normalizer.name || 'custom'}) other than identity`);
  if (model.normalizer.removeExtraWhitespaces) refuse('normalizer_spec.remove_extra_whitespaces', 'true');
  if (!model.normalizer.escapeWhitespaces) refuse('normalizer_spec.escape_whitespaces', 'false');
}

/**
 * BPE merges from the pieces as transformers' SentencePieceExtractor.extract(vocab_scores) builds
 * them: every split of a piece into two pieces (code points), a piece's splits ordered by the ids of
 * their left then right parts, then all merges by score, left length, right length, descending, in
 * a stable sort (equal keys keep that order).
 */
export function sentencePieceMerges(pieces: readonly SentencePiece[]): [string, string][] {
  const ids = pieceIds(pieces);
  const scores = new Map<string, number>();
  for (const p of pieces) scores.set(p.piece, p.score);
  const merges: { left: string; right: string; score: number; leftLength: number; rightLength: number }[] = [];
  for (const [piece, score] of scores) {
    const chars = Array.from(piece);
    const local: typeof merges = [];
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join('');
      const right = chars.slice(k).join('');
      if (ids.has(left) && ids.has(right)) local.push({ left, right, score, leftLength: k, rightLength: chars.length - k });
    }
    local.sort((a, b) => (ids.get(a.left) as number) - (ids.get(b.left) as number) || (ids.get(a.right) as number) - (ids.get(b.right) as number));
    merges.push(...local);
  }
  merges.sort((a, b) => b.score - a.score || b.leftLength - a.leftLength || b.rightLength - a.rightLength);
  return merges.map((m) => [m.left, m.right]);
}
