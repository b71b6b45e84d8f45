import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { Fields } from './fields.ts';
import { type JsonMember, streamJson } from './json-stream.ts';
import type { ImageRecord, ImageSource } from './source.ts';

export interface VgQuestion {
  id: string;
  question: string;
  answer: string;
}

export interface VgRecord extends ImageRecord {
  source: 'vg';
  width: number;
  height: number;
  cocoId: number | null;
  flickrId: number | null;
  /** With `questions: true`: the image's entries of question_answers.json. */
  qas?: VgQuestion[];
}

export interface VgOptions {
  /** The directory holding `image_data.json`, `VG_100K/` and `VG_100K_2/`. */
  root: string;
  /** Attach the questions of `question_answers.json`, read alongside (it lists the same images in the same order). */
  questions?: boolean;
  name?: string;
}

const IMAGE_URL = /\/(VG_100K(?:_2)?)\/([^/]+)$/;

/**
 * Visual Genome images in the order of `image_data.json`. The folder comes from the url
 * (`…/rak248/VG_100K_2/1.jpg` → `VG_100K_2/1.jpg`), as the two image zips unpack.
 */
export function vgSource(options: VgOptions): ImageSource<VgRecord> {
  const { root } = options;
  return {
    name: options.name ?? 'vg',
    async *records(): AsyncGenerator<VgRecord> {
      const file = join(root, 'image_data.json');
      const qaFile = join(root, 'question_answers.json');
      const qas = options.questions ? streamJson(qaFile, { container: 'array' }) : undefined;
      try {
        for await (const { value, field } of streamJson(file, { container: 'array' })) {
          const f = new Fields(value, file, field);
          const imageId = f.int('image_id');
          const match = IMAGE_URL.exec(f.string('url')) ?? f.fail('url', 'a URL ending in VG_100K/<file> or VG_100K_2/<file>');
          const record: VgRecord = {
            id: String(imageId),
            imagePath: join(root, match[1], match[2]),
            source: 'vg',
            width: f.int('width'),
            height: f.int('height'),
            cocoId: f.intOrNull('coco_id'),
            flickrId: f.intOrNull('flickr_id'),
          };
          if (qas) record.qas = questionsOf(await qas.next(), qaFile, imageId);
          yield record;
        }
      } finally {
        await qas?.return(undefined);
      }
    },
  };
}

function questionsOf(next: IteratorResult<JsonMember>, file: string, imageId: number): VgQuestion[] {
  if (next.done) throw new DymuError(`ends before image_data.json does (no entry for image ${imageId})`, { file });
  const f = new Fields(next.value.value, file, next.value.field);
  if (f.int('id') !== imageId) {
    throw new DymuError(`is image ${f.int('id')}, but image_data.json has image ${imageId} here (the two files list the same images in the same order)`, {
      file,
      field: `${f.at}.id`,
    });
  }
  return f.objects('qas').map((qa) => ({ id: String(qa.int('qa_id')), question: qa.string('question'), answer: qa.string('answer') }));
}
