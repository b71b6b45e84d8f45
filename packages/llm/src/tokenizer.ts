import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { DymuError } from '@dymu/core';
import { type Json, readJson } from '@dymu/weights';
import { llamaTokenizerJson, llamaTokenizerOptions, tokenContent } from './llama-tokenizer-json.ts';
import { readSentencePieceModel } from './sentencepiece-model.ts';

/**
 * A model directory's tokenizer, run by @huggingface/tokenizers; local files only. tokenizer.json
 * (+ tokenizer_config.json) when present, else a SentencePiece tokenizer.model (+ tokenizer_config.json,
 * special_tokens_map.json) converted as transformers' LlamaTokenizerFast converts it.
 */
export class TextTokenizer {
  private constructor(
    private readonly inner: Tokenizer,
    /** The BOS token id when the configuration names one (a tokenizer.model's default: its BOS piece). */
    readonly bosId: number | undefined,
  ) {}

  static load(dir: string): TextTokenizer {
    const jsonFile = join(dir, 'tokenizer.json');
    const modelFile = join(dir, 'tokenizer.model');
    const configFile = join(dir, 'tokenizer_config.json');
    const mapFile = join(dir, 'special_tokens_map.json');
    const config = optionalJson(configFile);
    if (existsSync(jsonFile)) return TextTokenizer.build(readJson(jsonFile), config, jsonFile, tokenContent(config.bos_token, configFile, 'bos_token'));
    if (!existsSync(modelFile)) {
      throw new DymuError('missing: a tokenizer, either tokenizer.json (fast tokenizer) or tokenizer.model (SentencePiece)', { file: dir });
    }
    const model = readSentencePieceModel(modelFile);
    const options = llamaTokenizerOptions(model, config, configFile, optionalJson(mapFile), mapFile);
    // LlamaTokenizerFast's default; @huggingface/tokenizers' own default (true) would change decoded text.
    const runConfig = { ...config, clean_up_tokenization_spaces: config.clean_up_tokenization_spaces ?? false };
    return TextTokenizer.build(llamaTokenizerJson(model, options, modelFile), runConfig, modelFile, options.bosToken);
  }

  private static build(json: Json, config: Json, file: string, bosText: string | undefined): TextTokenizer {
    let inner: Tokenizer;
    try {
      inner = new Tokenizer(json, config);
    } catch (cause) {
      throw new DymuError(`cannot build the tokenizer: ${(cause as Error).message}`, { file, cause });
    }
    return new TextTokenizer(inner, bosText === undefined ? undefined : inner.token_to_id(bosText));
  }

  /** Token ids of `text`; with `specialTokens` the post-processor's (e.g. LLaMA's BOS) are added. */
  encode(text: string, specialTokens = true): number[] {
    return this.inner.encode(text, { add_special_tokens: specialTokens }).ids;
  }

  decode(ids: readonly number[], skipSpecial = true): string {
    return ids.length === 0 ? '' : this.inner.decode([...ids], { skip_special_tokens: skipSpecial });
  }

  tokenId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }
}

function optionalJson(file: string): Json {
  return existsSync(file) ? readJson(file) : {};
}
