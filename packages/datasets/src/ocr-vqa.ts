import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DymuError } from '@dymu/core';
import { Fields } from './fields.ts';
import { streamJson } from './json-stream.ts';
import type { ImageRecord, ImageSource } from './source.ts';

export type OcrVqaSplit = 'train' | 'val' | 'test';

/** dataset.json's `split` codes. */
const SPLITS: Record<number, OcrVqaSplit> = { 1: 'train', 2: 'val', 3: 'test' };

/** Extensions tried, after the URL's, for `images/<id>`: the downloader keeps the URL's, LLaVA's copy is all .jpg. */
const EXTENSIONS = ['.jpg', '.png', '.gif'];

export interface OcrVqaRecord extends ImageRecord {
  source: 'ocr_vqa';
  split: OcrVqaSplit;
  imageUrl: string;
  title: string;
  genre: string;
  questions: string[];
  answers: string[];
}

export interface OcrVqaOptions {
  /** The directory holding `dataset.json` and `images/`. */
  root: string;
  /** Only this split (default: all). */
  split?: OcrVqaSplit;
  name?: string;
}

/** OCR-VQA book covers in the order of `dataset.json` (an object keyed by id), one record per image. */
export function ocrVqaSource(options: OcrVqaOptions): ImageSource<OcrVqaRecord> {
  const { root } = options;
  return {
    name: options.name ?? (options.split ? `ocr_vqa/${options.split}` : 'ocr_vqa'),
    async *records(): AsyncGenerator<OcrVqaRecord> {
      const file = join(root, 'dataset.json');
      for await (const { key, value, field } of streamJson(file, { container: 'object' })) {
        const f = new Fields(value, file, field);
        const split = SPLITS[f.int('split')] ?? f.fail('split', '1 (train), 2 (val) or 3 (test)');
        if (options.split && split !== options.split) continue;
        const imageUrl = f.string('imageURL');
        const questions = f.strings('questions');
        const answers = f.strings('answers');
        if (answers.length !== questions.length) {
          throw new DymuError(`${answers.length} answers for ${questions.length} questions`, { file, field: `${field}.answers` });
        }
        const id = String(key);
        yield { id, imagePath: imagePath(root, id, imageUrl), source: 'ocr_vqa', split, imageUrl, title: f.string('title'), genre: f.string('genre'), questions, answers };
      }
    },
  };
}

/** `images/<id><extension of the URL>` as the official downloader saves it, else the first of .jpg/.png/.gif that exists. */
function imagePath(root: string, id: string, url: string): string {
  const saved = join(root, 'images', `${id}${extname(url)}`);
  if (existsSync(saved)) return saved;
  return EXTENSIONS.map((ext) => join(root, 'images', `${id}${ext}`)).find((p) => existsSync(p)) ?? saved;
}
