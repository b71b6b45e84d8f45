import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Fields } from './fields.ts';
import { streamJson } from './json-stream.ts';
import type { ImageRecord, ImageSource } from './source.ts';

export const TEXTVQA_SPLITS = ['train', 'val', 'test'] as const;
export type TextVqaSplit = (typeof TEXTVQA_SPLITS)[number];

export interface TextVqaRecord extends ImageRecord {
  source: 'textvqa';
  width: number;
  height: number;
  split: TextVqaSplit;
  imageId: string;
  question: string;
  /** The ten annotator answers (absent in the test split). */
  answers?: string[];
  imageClasses: string[];
  /** Rosetta OCR tokens of the image, when `TextVQA_Rosetta_OCR_v0.2_<split>.json` is present. */
  ocrTokens?: string[];
}

export interface TextVqaOptions {
  /** The directory holding the JSON files, `train_images/` and `test_images/`. */
  root: string;
  split: TextVqaSplit;
  name?: string;
}

export const textVqaQuestionsFile = (root: string, split: TextVqaSplit): string => join(root, `TextVQA_0.5.1_${split}.json`);
export const textVqaOcrFile = (root: string, split: TextVqaSplit): string => join(root, `TextVQA_Rosetta_OCR_v0.2_${split}.json`);

/**
 * TextVQA 0.5.1 questions (one record per question, in file order) from the `data` list of
 * `TextVQA_0.5.1_<split>.json`. Images: `train_images/<image_id>.jpg` for train and val,
 * `test_images/<image_id>.jpg` for test. The OCR tokens of the split are held in memory
 * (a map image id → tokens; tens of MB for train).
 */
export function textVqaSource(options: TextVqaOptions): ImageSource<TextVqaRecord> {
  const { root, split } = options;
  const images = join(root, split === 'test' ? 'test_images' : 'train_images');
  return {
    name: options.name ?? `textvqa/${split}`,
    async *records(): AsyncGenerator<TextVqaRecord> {
      const ocrFile = textVqaOcrFile(root, split);
      const ocr = existsSync(ocrFile) ? await readOcrTokens(ocrFile) : undefined;
      const file = textVqaQuestionsFile(root, split);
      for await (const { value, field } of streamJson(file, { path: ['data'], container: 'array' })) {
        const f = new Fields(value, file, field);
        const imageId = f.string('image_id');
        const record: TextVqaRecord = {
          id: String(f.int('question_id')),
          imagePath: join(images, `${imageId}.jpg`),
          source: 'textvqa',
          width: f.int('image_width'),
          height: f.int('image_height'),
          split,
          imageId,
          question: f.string('question'),
          imageClasses: f.strings('image_classes'),
        };
        if (f.has('answers')) record.answers = f.strings('answers');
        if (ocr) record.ocrTokens = ocr.get(imageId) ?? [];
        yield record;
      }
    },
  };
}

async function readOcrTokens(file: string): Promise<Map<string, string[]>> {
  const tokens = new Map<string, string[]>();
  for await (const { value, field } of streamJson(file, { path: ['data'], container: 'array' })) {
    const f = new Fields(value, file, field);
    tokens.set(f.string('image_id'), f.strings('ocr_tokens'));
  }
  return tokens;
}
