import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { DymuError } from '@dymu/core';
import { readJson } from '@dymu/weights';

/** A model directory's tokenizer.json (+ tokenizer_config.json), run by @huggingface/tokenizers; local files only. */
export class TextTokenizer {
  private constructor(
    private readonly inner: Tokenizer,
    /** The BOS token id when tokenizer_config.json names one. */
    readonly bosId: number | undefined,
  ) {}

  static load(dir: string): TextTokenizer {
    const file = join(dir, 'tokenizer.json');
    if (!existsSync(file)) throw new DymuError('missing: a fast tokenizer (tokenizer.json) is required', { file });
    const configFile = join(dir, 'tokenizer_config.json');
    const config = existsSync(configFile) ? readJson(configFile) : {};
    let inner: Tokenizer;
    try {
      inner = new Tokenizer(readJson(file), config);
    } catch (cause) {
      throw new DymuError(`cannot build the tokenizer: ${(cause as Error).message}`, { file, cause });
    }
    const bos = config.bos_token;
    const bosText = typeof bos === 'string' ? bos : typeof bos === 'object' && bos !== null && 'content' in bos ? String(bos.content) : undefined;
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
