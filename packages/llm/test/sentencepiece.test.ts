import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DymuError } from '@dymu/core';
import { ProtoWriter, SessionPool } from '@dymu/onnx';
import { makeVlmModel } from '@dymu/weights';
import { CHAT_TEMPLATES, parseSentencePieceModel, readSentencePieceModel, sentencePieceMerges, TextTokenizer, tokenizePrompt, Vlm } from '../src/index.ts';

/** Golden data of tools/golden/make_sentencepiece.py (sentencepiece's own `encode` / `decode`); conventions in fixtures/sentencepiece/README.md. */
const FIXTURES = join(import.meta.dirname, 'fixtures/sentencepiece');
interface Case {
  text: string;
  ids: number[];
  decoded: string;
}
const golden = JSON.parse(readFileSync(join(FIXTURES, 'cases.json'), 'utf8')) as { models: Record<string, { vocab_size: number; cases: Case[] }> };
const SPECIAL = /(<s>|<\/s>|<unk>)/;
const SPECIAL_IDS: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };

const root = mkdtempSync(join(tmpdir(), 'dymu-spm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A model directory holding `files` (name → source file or JSON) and no tokenizer.json. */
function modelDir(files: Record<string, string | object>): string {
  const dir = join(root, String(dirs++));
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') copyFileSync(content, join(dir, name));
    else writeFileSync(join(dir, name), JSON.stringify(content));
  }
  return dir;
}

function load(model: string, config: object): { tokenizer: TextTokenizer; cases: Case[]; byText: Map<string, number[]> } {
  const tokenizer = TextTokenizer.load(modelDir({ 'tokenizer.model': join(FIXTURES, model), 'tokenizer_config.json': config }));
  const cases = golden.models[model].cases;
  return { tokenizer, cases, byText: new Map(cases.map((c) => [c.text, c.ids])) };
}

/** sentencepiece never parses "<s>" in text; the fast tokenizer splits it off as an added token and encodes each piece between. */
function withAddedTokens(text: string, byText: Map<string, number[]>): number[] {
  return text.split(SPECIAL).flatMap((part) => (part === '' ? [] : (SPECIAL_IDS[part] !== undefined ? [SPECIAL_IDS[part]] : (byText.get(part) as number[]))));
}

describe.each([
  // LLaMA's default: legacy, add_prefix_space; the prefix "▁" shows when special tokens are kept in the decoded text.
  ['llama-like.model', {}, '<s> Hello world</s>'],
  // add_dummy_prefix=false, converted with add_prefix_space=false.
  ['no-prefix.model', { add_prefix_space: false }, '<s>Hello world</s>'],
])('%s (tokenizer_config %j)', (model, config, withSpecials) => {
  const { tokenizer, cases, byText } = load(model, config);

  it('gives sentencepiece ids for every golden string', () => {
    expect(cases.length).toBeGreaterThan(300);
    expect(golden.models[model].vocab_size).toBe(2000);
    for (const c of cases) {
      const expected = SPECIAL.test(c.text) ? withAddedTokens(c.text, byText) : c.ids;
      expect(tokenizer.encode(c.text, false), JSON.stringify(c.text)).toEqual(expected);
    }
  });

  it('adds BOS as LlamaTokenizerFast does (tokenizer_config add_bos_token default true)', () => {
    expect(tokenizer.bosId).toBe(1);
    for (const c of cases.slice(0, 40)) if (!SPECIAL.test(c.text)) expect(tokenizer.encode(c.text)).toEqual([1, ...c.ids]);
  });

  it("decodes as sentencepiece decodes, and decode(encode(s)) gives s back", () => {
    for (const c of cases) {
      expect(tokenizer.decode(c.ids), JSON.stringify(c.text)).toBe(c.decoded);
      if (!SPECIAL.test(c.text)) expect(tokenizer.decode(tokenizer.encode(c.text))).toBe(c.text);
    }
    expect(tokenizer.decode([1, ...byText.get('Hello world')!, 2])).toBe('Hello world');
    expect(tokenizer.decode([1, ...byText.get('Hello world')!, 2], false)).toBe(withSpecials);
  });
});

describe('legacy: false (the Metaspace pre-tokenizer that current transformers converts it into)', () => {
  const { tokenizer, cases, byText } = load('llama-like.model', { legacy: false, add_eos_token: true });

  it('equals sentencepiece except that one leading space is taken as the prefix space', () => {
    // tokenizers' Metaspace prepends "▁" only when the text does not already start with one, so
    // " Hello" is "▁Hello" where sentencepiece (and the slow LlamaTokenizer) read "▁▁Hello".
    const eos = 2;
    for (const c of cases) {
      if (SPECIAL.test(c.text)) continue;
      const rest = c.text.slice(1);
      const expected = !c.text.startsWith(' ') ? c.ids : rest === '' ? [tokenizer.tokenId('▁') as number] : (byText.get(rest) as number[]);
      expect(tokenizer.encode(c.text), JSON.stringify(c.text)).toEqual([1, ...expected, eos]);
    }
    expect(tokenizer.encode('<s>Hello', false)).not.toEqual([1, ...byText.get('Hello')!]);
    expect(tokenizer.decode(tokenizer.encode('What is in the image?'))).toBe('What is in the image?');
  });
});

describe('reading tokenizer.model', () => {
  it('reads the pieces, trainer and normalizer specs of the LLaMA-like model', () => {
    const model = readSentencePieceModel(join(FIXTURES, 'llama-like.model'));
    expect(model.pieces).toHaveLength(2000);
    expect(model.pieces.slice(0, 4).map((p) => [p.piece, p.type])).toEqual([['<unk>', 'UNKNOWN'], ['<s>', 'CONTROL'], ['</s>', 'CONTROL'], ['<0x00>', 'BYTE']]);
    expect(model.pieces[258]).toMatchObject({ piece: '<0xFF>', type: 'BYTE' });
    expect(model.pieces[259].type).toBe('NORMAL');
    expect(model.pieces[259].score).toBeGreaterThan(model.pieces[1999].score);
    expect(model.trainer).toMatchObject({ modelType: 'BPE', byteFallback: true, unkId: 0, bosId: 1, eosId: 2, padId: -1, unkPiece: '<unk>' });
    expect(model.normalizer).toMatchObject({ name: 'identity', addDummyPrefix: true, removeExtraWhitespaces: false, escapeWhitespaces: true });
    expect(readSentencePieceModel(join(FIXTURES, 'no-prefix.model')).normalizer.addDummyPrefix).toBe(false);
  });

  it('decodes a hand-written ModelProto, with the proto defaults for absent fields', () => {
    const piece = (text: string, score: number, type?: number) => {
      const w = new ProtoWriter().string(1, text).float(2, score);
      return type === undefined ? w : w.varint(3, type);
    };
    const bytes = new ProtoWriter()
      .message(1, piece('<unk>', 0, 2))
      .message(1, piece('a', -1))
      .message(1, piece('é', -2.5, 4))
      .message(2, new ProtoWriter().varint(3, 2).varint(43, -1).varint(41, 1).varint(42, -1))
      .finish();
    const model = parseSentencePieceModel(bytes, 'hand.model');
    expect(model.pieces).toEqual([{ piece: '<unk>', score: 0, type: 'UNKNOWN' }, { piece: 'a', score: -1, type: 'NORMAL' }, { piece: 'é', score: -2.5, type: 'USER_DEFINED' }]);
    expect(model.trainer).toMatchObject({ modelType: 'BPE', byteFallback: false, unkId: 0, bosId: 1, eosId: -1, padId: -1 });
    expect(model.normalizer).toMatchObject({ name: '', addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true });
  });

  it('orders merges as SentencePieceExtractor: by score, then longer left part, then ids', () => {
    const pieces = ['a', 'b', 'c', 'ab', 'bc', 'abc', 'ca'].map((piece, i) => ({ piece, score: [0, 0, 0, -1, -1, -2, -3][i], type: 'NORMAL' as const }));
    // 'abc' splits as ab+c and a+bc (same score: the longer left part first); ab and bc tie at -1 and keep piece order.
    expect(sentencePieceMerges(pieces)).toEqual([['a', 'b'], ['b', 'c'], ['ab', 'c'], ['a', 'bc'], ['c', 'a']]);
  });

  const bad = (name: string, bytes: Uint8Array | string) => {
    const file = join(root, name);
    writeFileSync(file, bytes);
    return file;
  };
  const good = readFileSync(join(FIXTURES, 'llama-like.model'));

  it.each([
    ['json', '{"model": {"type": "BPE"}}', /json\.model: not a protobuf message: wire type 3 of field 15/],
    ['truncated', good.subarray(0, good.length - 100), /truncated\.model: .*runs past the end/],
    ['zeros', new Uint8Array(64), /zeros\.model: not a protobuf message: field number 0/],
    ['no-pieces', new ProtoWriter().varint(7, 1).finish(), /no-pieces\.model: pieces: no pieces/],
    ['bad-type', new ProtoWriter().message(1, new ProtoWriter().string(1, 'x').varint(3, 9)).finish(), /bad-type\.model: pieces\[0\]\.type: expected one of NORMAL \(1\).*got 9/],
    ['bad-utf8', new ProtoWriter().message(1, new ProtoWriter().bytes(1, Uint8Array.of(0xff, 0xfe))).finish(), /bad-utf8\.model: pieces\[0\]\.piece: not valid UTF-8/],
    ['bad-score', new ProtoWriter().message(1, new ProtoWriter().string(1, 'x').varint(2, 3)).finish(), /bad-score\.model: pieces\[0\]\.score: expected a float/],
    ['bad-bos', new ProtoWriter().message(1, new ProtoWriter().string(1, 'x')).message(2, new ProtoWriter().varint(41, 5)).finish(), /bad-bos\.model: trainer_spec\.bos_id: 5 is not a piece id/],
  ])('refuses %s.model, naming the file and the field', (name, bytes, message) => {
    const file = bad(`${name}.model`, bytes);
    expect(() => readSentencePieceModel(file)).toThrow(DymuError);
    expect(() => readSentencePieceModel(file)).toThrow(message);
  });

  it('refuses a model whose ids LlamaTokenizerFast would not reproduce (Unigram)', () => {
    const unigram = new ProtoWriter().message(1, new ProtoWriter().string(1, '<unk>').varint(3, 2)).message(2, new ProtoWriter().varint(3, 1).varint(41, -1).varint(42, -1)).finish();
    const dir = modelDir({ 'tokenizer.model': bad('unigram.model', unigram) });
    expect(() => TextTokenizer.load(dir)).toThrow(/tokenizer\.model: trainer_spec\.model_type: UNIGRAM: a LLaMA tokenizer is a BPE model/);
  });

  it('says which tokenizer files it looked for, and names bad tokenizer_config fields', () => {
    expect(() => TextTokenizer.load(modelDir({}))).toThrow(/missing: a tokenizer, either tokenizer\.json .* or tokenizer\.model/);
    const dir = modelDir({ 'tokenizer.model': join(FIXTURES, 'llama-like.model'), 'tokenizer_config.json': { add_bos_token: 'yes' } });
    expect(() => TextTokenizer.load(dir)).toThrow(/tokenizer_config\.json: add_bos_token: expected true or false, got "yes"/);
  });

  it('takes special tokens from special_tokens_map.json and added_tokens_decoder', () => {
    const dir = modelDir({
      'tokenizer.model': join(FIXTURES, 'llama-like.model'),
      'special_tokens_map.json': { bos_token: { content: '</s>' } },
      'tokenizer_config.json': { added_tokens_decoder: { 2000: { content: '<image>', special: true } } },
    });
    const tokenizer = TextTokenizer.load(dir);
    expect(tokenizer.bosId).toBe(2);
    expect(tokenizer.tokenId('<image>')).toBe(2000);
    const hello = golden.models['llama-like.model'].cases.find((c) => c.text === 'Hello')!.ids;
    expect(tokenizer.encode('Hello<image>')).toEqual([2, ...hello, 2000]);
  });
});

describe('a generated LLaVA-1.5 directory with tokenizer.model instead of tokenizer.json', () => {
  it('builds the prompt from sentencepiece ids and answers end to end', async () => {
    const dir = join(root, 'llava');
    makeVlmModel({ family: 'llama', preset: 'tiny', seed: 3, out: dir });
    rmSync(join(dir, 'tokenizer.json'));
    copyFileSync(join(FIXTURES, 'tiny.model'), join(dir, 'tokenizer.model'));
    const pool = new SessionPool();
    try {
      const vlm = await Vlm.load(dir, { pool });
      const [head, tail] = golden.models['tiny.model'].cases;
      const question = 'What is in the image?';
      const prompt = CHAT_TEMPLATES.vicuna_v1.prompt(question, 1);
      expect(prompt).toBe(`${head.text}<image>${tail.text}`);
      expect(tokenizePrompt(vlm.tokenizer, prompt)).toEqual([[1, ...head.ids], tail.ids]);
      const answer = await vlm.ask([join(import.meta.dirname, '../../../assets/images/chelsea.jpg')], question, { maxNewTokens: 3 });
      expect(answer.unique).toBe(1 + head.ids.length + tail.ids.length + answer.visualTokens);
      expect(answer.tokens.length).toBeGreaterThan(0);
    } finally {
      await pool.release();
    }
  });
});
