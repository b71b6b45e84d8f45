import { DymuError } from '@dymu/core';
import { type Segment, unmergeMap, type UnmergeMap } from '@dymu/vtu';
import { concat } from './arrays.ts';
import type { SequenceInput } from './decoder.ts';
import { IMAGE_PLACEHOLDER } from './templates.ts';
import type { TextTokenizer } from './tokenizer.ts';

/**
 * LLaVA's tokenizer_image_token: the text between image placeholders, tokenized chunk by chunk
 * (so no token spans a placeholder); the BOS the tokenizer puts in front of every chunk is kept
 * only on the first. Returns placeholders + 1 chunks of ids.
 */
export function tokenizePrompt(tokenizer: TextTokenizer, prompt: string): number[][] {
  const chunks = prompt.split(IMAGE_PLACEHOLDER).map((text) => tokenizer.encode(text));
  const bos = tokenizer.bosId;
  const strip = bos !== undefined && chunks[0][0] === bos ? 1 : 0;
  return chunks.map((ids, i) => (i > 0 && ids[0] === bos ? ids.slice(strip) : ids));
}

/** One image's merged tokens, projected to the LLM width: rows [count, D] and its source map over the patches. */
export interface ImageRows {
  rows: Float32Array;
  count: number;
  source: Int32Array;
}

/**
 * The LLM input of a prompt: text chunk 0, the parts of image 0 (an image, or a base image and its
 * crops, each its own raster block of virtual positions), text chunk 1, … as unique rows, with VTU's
 * map (or, with `vtu` false, the merged tokens as ordinary consecutive tokens).
 */
export function splice(textRows: readonly Float32Array[], images: readonly (readonly ImageRows[])[], width: number, vtu: boolean): SequenceInput & { map: UnmergeMap } {
  if (textRows.length !== images.length + 1) {
    throw new DymuError(`the prompt has ${textRows.length - 1} image placeholders for ${images.length} images`, { field: 'prompt' });
  }
  const segments: Segment[] = [];
  const pieces: Float32Array[] = [];
  textRows.forEach((text, i) => {
    segments.push({ kind: 'text', length: text.length / width });
    pieces.push(text);
    for (const part of images[i] ?? []) {
      segments.push({ kind: 'image', tokens: part.count, source: part.source });
      pieces.push(part.rows);
    }
  });
  return { rows: concat(pieces), map: unmergeMap(segments, vtu) };
}
