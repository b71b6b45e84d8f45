import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { Fields } from './fields.ts';
import { streamJson } from './json-stream.ts';
import type { ImageRecord, ImageSource } from './source.ts';

export const COCO_SPLITS = ['train2014', 'val2014', 'train2017', 'val2017'] as const;
export type CocoSplit = (typeof COCO_SPLITS)[number];

export interface CocoRecord extends ImageRecord {
  source: 'coco';
  width: number;
  height: number;
  split: CocoSplit;
  /** With `captions: true`: the image's captions in file order. */
  captions?: string[];
}

export interface CocoOptions {
  /** The directory holding `annotations/` and the image folders (`val2014/`, `train2017/`, …). */
  root: string;
  split: CocoSplit;
  /** Attach captions from `annotations/captions_<split>.json` (held in memory: tens of MB for train2017). */
  captions?: boolean;
  name?: string;
}

/** The annotation files of a split that exist: `annotations/{instances,captions}_<split>.json`. */
export function cocoAnnotationFiles(root: string, split: CocoSplit): { instances?: string; captions?: string } {
  const found = (kind: string): string | undefined => {
    const file = join(root, 'annotations', `${kind}_${split}.json`);
    return existsSync(file) ? file : undefined;
  };
  return { instances: found('instances'), captions: found('captions') };
}

/**
 * COCO images of one split, in the order of the `images` list of `instances_<split>.json` (or of
 * `captions_<split>.json`, which lists the same images). The image is `<root>/<split>/<file_name>`
 * (2014 names look like `COCO_val2014_000000000042.jpg`). Only the `images` list is read: the
 * file is streamed and left as soon as that list ends.
 */
export function cocoSource(options: CocoOptions): ImageSource<CocoRecord> {
  const { root, split } = options;
  return {
    name: options.name ?? `coco/${split}`,
    async *records(): AsyncGenerator<CocoRecord> {
      const files = cocoAnnotationFiles(root, split);
      const file = options.captions ? files.captions : (files.instances ?? files.captions);
      if (!file) {
        const wanted = options.captions ? `captions_${split}.json` : `instances_${split}.json or captions_${split}.json`;
        throw new DymuError(`holds no ${wanted}`, { file: join(root, 'annotations') });
      }
      const captions = options.captions ? await readCaptions(file) : undefined;
      for await (const { value, field } of streamJson(file, { path: ['images'], container: 'array' })) {
        const f = new Fields(value, file, field);
        const id = f.int('id');
        const record: CocoRecord = {
          id: String(id),
          imagePath: join(root, split, f.string('file_name')),
          source: 'coco',
          width: f.int('width'),
          height: f.int('height'),
          split,
        };
        if (captions) record.captions = captions.get(id) ?? [];
        yield record;
      }
    },
  };
}

async function readCaptions(file: string): Promise<Map<number, string[]>> {
  const byImage = new Map<number, string[]>();
  for await (const { value, field } of streamJson(file, { path: ['annotations'], container: 'array' })) {
    const f = new Fields(value, file, field);
    const id = f.int('image_id');
    const caption = f.string('caption');
    const list = byImage.get(id);
    if (list) list.push(caption);
    else byImage.set(id, [caption]);
  }
  return byImage;
}
