import { dirname, join } from 'node:path';
import { Fields } from './fields.ts';
import { streamJson } from './json-stream.ts';
import type { ImageRecord, ImageSource } from './source.ts';

export const LLAVA_MIX_FILE = 'llava_v1_5_mix665k.json';

export interface Turn {
  from: string;
  value: string;
}

export interface LlavaMixRecord extends ImageRecord {
  source: 'llava_mix';
  /** Position of the entry in the JSON list (text-only entries counted). */
  index: number;
  /** First folder of the image path: coco, gqa, ocr_vqa, textvqa or vg. */
  subset: string;
  conversations: Turn[];
}

export interface LlavaMixOptions {
  /** The mix JSON (`llava_v1_5_mix665k.json`). */
  file: string;
  /** The folder the `image` paths are relative to (holding coco/, gqa/, ocr_vqa/, textvqa/, vg/); default: the JSON's folder. */
  imageRoot?: string;
  name?: string;
}

/**
 * The image entries of the LLaVA-1.5 instruction mix, in file order; text-only entries (no
 * `image` key) are skipped. `"image": null` is an error, not a text-only entry: LLaVA's training
 * code counts every entry with the key as an image entry, so skipping it would shift the official
 * calibration set, the first 256k of these image entries, shuffled (the sampler's 'first' mode).
 */
export function llavaMixSource(options: LlavaMixOptions): ImageSource<LlavaMixRecord> {
  const { file } = options;
  const imageRoot = options.imageRoot ?? dirname(file);
  return {
    name: options.name ?? 'llava_mix',
    async *records(): AsyncGenerator<LlavaMixRecord> {
      for await (const { key, value, field } of streamJson(file, { container: 'array' })) {
        const f = new Fields(value, file, field);
        if (f.value.image === undefined) continue;
        const image = typeof f.value.image === 'string' ? f.value.image : f.fail('image', 'an image path (a text-only entry has no "image" key)');
        const conversations = f.objects('conversations').map((turn) => ({ from: turn.string('from'), value: turn.string('value') }));
        if (conversations.length === 0) f.fail('conversations', 'a non-empty array of {from, value}');
        yield { id: f.id('id'), imagePath: join(imageRoot, image), source: 'llava_mix', index: key as number, subset: image.split('/')[0], conversations };
      }
    },
  };
}
