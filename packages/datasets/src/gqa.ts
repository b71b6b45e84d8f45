import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { Fields, type Json } from './fields.ts';
import { streamJson } from './json-stream.ts';
import type { ImageRecord, ImageSource } from './source.ts';

export interface GqaRecord extends ImageRecord {
  source: 'gqa';
  split: string;
  imageId: string;
  question: string;
  /** Absent in the test and challenge splits. */
  answer?: string;
  fullAnswer?: string;
  /** {structural, semantic, detailed} */
  types?: Json;
}

export interface GqaOptions {
  /** The directory holding `questions1.2/` and `images/`. */
  root: string;
  /** The question file's prefix: `testdev_balanced`, `val_balanced`, `train_all`, … */
  split: string;
  name?: string;
}

const QUESTIONS = 'questions1.2';
const SUFFIX = '_questions';

/** The splits present: `questions1.2/<split>_questions.json`, or a `<split>_questions/` folder of parts (`train_all`). */
export function gqaSplits(root: string): string[] {
  const dir = join(root, QUESTIONS);
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).map((name) => name.replace(/\.json$/, ''));
  return [...new Set(names.filter((name) => name.endsWith(SUFFIX)).map((name) => name.slice(0, -SUFFIX.length)))].sort();
}

/** The question files of a split, in order. */
export function gqaQuestionFiles(root: string, split: string): string[] {
  const single = join(root, QUESTIONS, `${split}${SUFFIX}.json`);
  if (existsSync(single)) return [single];
  const dir = join(root, QUESTIONS, `${split}${SUFFIX}`);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new DymuError(`holds neither ${split}${SUFFIX}.json nor ${split}${SUFFIX}/`, { file: join(root, QUESTIONS) });
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

/** GQA questions (one record per question, in file order); each question file is an object keyed by question id. Image: `images/<imageId>.jpg`. */
export function gqaSource(options: GqaOptions): ImageSource<GqaRecord> {
  const { root, split } = options;
  return {
    name: options.name ?? `gqa/${split}`,
    async *records(): AsyncGenerator<GqaRecord> {
      for (const file of gqaQuestionFiles(root, split)) {
        for await (const { key, value, field } of streamJson(file, { container: 'object' })) {
          const f = new Fields(value, file, field);
          const imageId = f.string('imageId');
          const record: GqaRecord = { id: String(key), imagePath: join(root, 'images', `${imageId}.jpg`), source: 'gqa', split, imageId, question: f.string('question') };
          if (f.has('answer')) record.answer = f.string('answer');
          if (f.has('fullAnswer')) record.fullAnswer = f.string('fullAnswer');
          if (f.has('types')) record.types = f.object('types');
          yield record;
        }
      }
    },
  };
}
