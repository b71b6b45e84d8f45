import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cocoSource,
  folderSource,
  gqaSource,
  gqaSplits,
  llavaMixSource,
  ocrVqaSource,
  textVqaSource,
  vgSource,
  type ImageRecord,
  type ImageSource,
} from '../src/index.ts';
import { writeImage, writeJson, writeStandardRoot } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-loaders-'));
const bad = join(root, 'bad');
beforeAll(() => writeStandardRoot(root));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function all<R extends ImageRecord>(source: ImageSource<R>): Promise<R[]> {
  const out: R[] = [];
  for await (const r of source.records()) out.push(r);
  return out;
}

/** The message of the DymuError reading the source throws. */
async function failure(source: ImageSource): Promise<string> {
  const error = await all(source).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error?.name).toBe('DymuError');
  return error!.message;
}

describe('COCO', () => {
  it('reads the images list of instances_<split>.json; 2014 names carry the split', async () => {
    const coco = join(root, 'coco');
    expect(await all(cocoSource({ root: coco, split: 'val2014' }))).toEqual([
      { id: '42', imagePath: join(coco, 'val2014/COCO_val2014_000000000042.jpg'), source: 'coco', width: 12, height: 8, split: 'val2014' },
      { id: '73', imagePath: join(coco, 'val2014/COCO_val2014_000000000073.jpg'), source: 'coco', width: 12, height: 8, split: 'val2014' },
    ]);
    expect((await all(cocoSource({ root: coco, split: 'train2017' }))).map((r) => r.imagePath)).toEqual([
      join(coco, 'train2017/000000000009.jpg'),
      join(coco, 'train2017/000000000025.jpg'),
    ]);
    expect(cocoSource({ root: coco, split: 'train2017' }).name).toBe('coco/train2017');
  });

  it('attaches captions from captions_<split>.json', async () => {
    const records = await all(cocoSource({ root: join(root, 'coco'), split: 'val2014', captions: true }));
    expect(records.map((r) => r.captions)).toEqual([['A dog on a "sofa".', 'A brown dog.'], ['A red bus.']]);
  });

  it('falls back to captions_<split>.json for the image list, and says which files it wanted', async () => {
    const dir = join(bad, 'coco-captions-only');
    writeJson(join(dir, 'annotations/captions_val2017.json'), { info: {}, images: [{ id: 139, file_name: '000000000139.jpg', width: 640, height: 426 }], annotations: [] });
    expect((await all(cocoSource({ root: dir, split: 'val2017' }))).map((r) => r.id)).toEqual(['139']);
    expect(await failure(cocoSource({ root: dir, split: 'train2017' }))).toBe(`${join(dir, 'annotations')}: holds no instances_train2017.json or captions_train2017.json`);
  });

  it('names the file, record and field of a malformed image entry', async () => {
    const dir = join(bad, 'coco');
    const file = writeJson(join(dir, 'annotations/instances_val2017.json'), {
      images: [
        { id: 1, file_name: 'a.jpg', width: 1, height: 1 },
        { id: 2, width: 1, height: 1 },
      ],
    });
    expect(await failure(cocoSource({ root: dir, split: 'val2017' }))).toBe(`${file}: images[1].file_name: missing (expected a string)`);
  });
});

describe('Visual Genome', () => {
  it('takes the folder from the url, and the questions alongside when asked', async () => {
    const vg = join(root, 'vg');
    const records = await all(vgSource({ root: vg, questions: true }));
    expect(records).toEqual([
      {
        id: '1',
        imagePath: join(vg, 'VG_100K_2/1.jpg'),
        source: 'vg',
        width: 800,
        height: 600,
        cocoId: null,
        flickrId: null,
        qas: [{ id: '986768', question: 'What color is the sky?', answer: 'Blue.' }],
      },
      { id: '2', imagePath: join(vg, 'VG_100K/2.jpg'), source: 'vg', width: 640, height: 480, cocoId: 9, flickrId: 8024566, qas: [] },
    ]);
    expect((await all(vgSource({ root: vg })))[0].qas).toBeUndefined();
  });

  it('rejects a url outside VG_100K / VG_100K_2', async () => {
    const dir = join(bad, 'vg-url');
    const file = writeJson(join(dir, 'image_data.json'), [{ width: 1, url: 'http://example.com/1.jpg', height: 1, image_id: 1, coco_id: null, flickr_id: null }]);
    expect(await failure(vgSource({ root: dir }))).toBe(`${file}: [0].url: expected a URL ending in VG_100K/<file> or VG_100K_2/<file>, got "http://example.com/1.jpg"`);
  });

  it('rejects question_answers.json out of step with image_data.json', async () => {
    const dir = join(bad, 'vg-qa');
    writeJson(join(dir, 'image_data.json'), [{ width: 1, url: 'https://cs.stanford.edu/people/rak248/VG_100K/5.jpg', height: 1, image_id: 5, coco_id: null, flickr_id: null }]);
    const file = writeJson(join(dir, 'question_answers.json'), [{ id: 6, qas: [] }]);
    expect(await failure(vgSource({ root: dir, questions: true }))).toBe(
      `${file}: [0].id: is image 6, but image_data.json has image 5 here (the two files list the same images in the same order)`,
    );
  });
});

describe('OCR-VQA', () => {
  it('reads dataset.json keyed by id; the image keeps the URL extension, else .jpg/.png/.gif', async () => {
    const dir = join(root, 'ocr_vqa');
    const records = await all(ocrVqaSource({ root: dir }));
    expect(records.map((r) => [r.id, r.imagePath, r.split])).toEqual([
      ['0001', join(dir, 'images/0001.jpg'), 'train'],
      ['0002', join(dir, 'images/0002.png'), 'val'],
      ['0003', join(dir, 'images/0003.jpg'), 'test'], // .gif URL, saved as .jpg
    ]);
    expect(records[0]).toEqual({
      id: '0001',
      imagePath: join(dir, 'images/0001.jpg'),
      source: 'ocr_vqa',
      split: 'train',
      imageUrl: 'http://ecx.images-amazon.com/images/I/51Zb9JNTtNL.jpg',
      title: 'Walks',
      genre: 'Travel',
      questions: ['Who wrote this book?', 'What is the title of this book?'],
      answers: ['Jane Doe', 'Walks'],
    });
    expect((await all(ocrVqaSource({ root: dir, split: 'val' }))).map((r) => r.id)).toEqual(['0002']);
  });

  it('finds a .gif saved as the URL says, and names a missing image by the URL extension', async () => {
    const dir = join(bad, 'ocr-gif');
    const book = { questions: [], answers: [], title: 't', genre: 'g', split: 1 };
    writeJson(join(dir, 'dataset.json'), { '7': { ...book, imageURL: 'http://x/y.gif' }, '8': { ...book, imageURL: 'http://x/z.png' } });
    await writeImage(join(dir, 'images/7.gif'));
    expect((await all(ocrVqaSource({ root: dir }))).map((r) => r.imagePath)).toEqual([join(dir, 'images/7.gif'), join(dir, 'images/8.png')]);
  });

  it('rejects an unknown split code and unpaired answers', async () => {
    const book = { imageURL: 'http://x/y.jpg', questions: ['q1', 'q2'], answers: ['a1', 'a2'], title: 't', genre: 'g', split: 1 };
    const file = writeJson(join(bad, 'ocr-split/dataset.json'), { '0001': book, '0002': { ...book, split: 4 } });
    expect(await failure(ocrVqaSource({ root: join(bad, 'ocr-split') }))).toBe(`${file}: ["0002"].split: expected 1 (train), 2 (val) or 3 (test), got 4`);
    const file2 = writeJson(join(bad, 'ocr-answers/dataset.json'), { '0001': { ...book, answers: ['a1'] } });
    expect(await failure(ocrVqaSource({ root: join(bad, 'ocr-answers') }))).toBe(`${file2}: ["0001"].answers: 1 answers for 2 questions`);
  });
});

describe('TextVQA', () => {
  it('reads the data list with OCR tokens when the Rosetta file is present; val uses train_images', async () => {
    const dir = join(root, 'textvqa');
    expect(await all(textVqaSource({ root: dir, split: 'train' }))).toEqual([
      {
        id: '0',
        imagePath: join(dir, 'train_images/a1b2.jpg'),
        source: 'textvqa',
        width: 1024,
        height: 768,
        split: 'train',
        imageId: 'a1b2',
        question: 'what does the sign say?',
        answers: Array(10).fill('stop'),
        imageClasses: ['Street sign', 'Sign'],
        ocrTokens: ['STOP', 'AHEAD'],
      },
    ]);
    const [val] = await all(textVqaSource({ root: dir, split: 'val' }));
    expect([val.imagePath, val.ocrTokens]).toEqual([join(dir, 'train_images/c3d4.jpg'), undefined]);
    const [test] = await all(textVqaSource({ root: dir, split: 'test' }));
    expect([test.imagePath, test.answers]).toEqual([join(dir, 'test_images/e5f6.jpg'), undefined]);
  });

  it('names the field of a malformed question', async () => {
    const dir = join(bad, 'textvqa');
    const file = writeJson(join(dir, 'TextVQA_0.5.1_val.json'), { dataset_type: 'val', data: [{ question: 'q', image_id: 5, image_classes: [], image_width: 1, image_height: 1, question_id: 1 }] });
    expect(await failure(textVqaSource({ root: dir, split: 'val' }))).toBe(`${file}: data[0].image_id: expected a string, got 5`);
  });
});

describe('GQA', () => {
  it('reads question files keyed by question id, including a split in parts', async () => {
    const dir = join(root, 'gqa');
    expect(gqaSplits(dir)).toEqual(['testdev_balanced', 'train_all']);
    const testdev = await all(gqaSource({ root: dir, split: 'testdev_balanced' }));
    expect(testdev[0]).toEqual({
      id: '20968379',
      imagePath: join(dir, 'images/n288870.jpg'),
      source: 'gqa',
      split: 'testdev_balanced',
      imageId: 'n288870',
      question: 'Is the sky dark?',
      answer: 'no',
      fullAnswer: 'No.',
      types: { detailed: 'verifyAttr', semantic: 'attr', structural: 'verify' },
    });
    expect(testdev.map((r) => r.id)).toEqual(['20968379', '20968380']);
    expect((await all(gqaSource({ root: dir, split: 'train_all' }))).map((r) => [r.id, r.imageId])).toEqual([
      ['0100', '2354786'],
      ['0200', 'n999'],
    ]);
  });

  it('names the field of a malformed question, and a split that is not there', async () => {
    const dir = join(bad, 'gqa');
    const file = writeJson(join(dir, 'questions1.2/val_balanced_questions.json'), { '1': { question: 'q', imageId: 'a' }, '2': { question: 'q' } });
    expect(await failure(gqaSource({ root: dir, split: 'val_balanced' }))).toBe(`${file}: ["2"].imageId: missing (expected a string)`);
    expect(await failure(gqaSource({ root: dir, split: 'testdev_all' }))).toBe(
      `${join(dir, 'questions1.2')}: holds neither testdev_all_questions.json nor testdev_all_questions/`,
    );
  });

  it('refuses a questions file that is an array (its ids would become "0", "1", …)', async () => {
    const dir = join(bad, 'gqa-array');
    const file = writeJson(join(dir, 'questions1.2/val_balanced_questions.json'), [{ question: 'q', imageId: 'a' }]);
    expect(await failure(gqaSource({ root: dir, split: 'val_balanced' }))).toBe(`${file}: expected an object of records keyed by id, found an array (character 0)`);
  });

  it('reads a questions file that starts with a UTF-8 byte order mark', async () => {
    const dir = join(bad, 'gqa-bom');
    const file = writeJson(join(dir, 'questions1.2/val_balanced_questions.json'), {});
    writeFileSync(file, `\uFEFF${JSON.stringify({ '7': { question: 'q', imageId: 'n1' } })}`);
    expect((await all(gqaSource({ root: dir, split: 'val_balanced' }))).map((r) => [r.id, r.imageId])).toEqual([['7', 'n1']]);
  });
});

describe('LLaVA-1.5 mix', () => {
  it('yields the image entries in file order, paths under the image root, text-only entries skipped', async () => {
    const records = await all(llavaMixSource({ file: join(root, 'llava_v1_5_mix665k.json') }));
    expect(records.map((r) => [r.index, r.id, r.subset, r.imagePath])).toEqual([
      [0, '000000000009', 'coco', join(root, 'coco/train2017/000000000009.jpg')],
      [2, '0001', 'ocr_vqa', join(root, 'ocr_vqa/images/0001.jpg')],
      [3, 'n288870', 'gqa', join(root, 'gqa/images/n288870.jpg')],
      [4, 'a1b2', 'textvqa', join(root, 'textvqa/train_images/a1b2.jpg')],
      [5, '1', 'vg', join(root, 'vg/VG_100K_2/1.jpg')],
      [6, '000000000009', 'coco', join(root, 'coco/train2017/000000000009.jpg')],
    ]);
    expect(records[0].conversations).toEqual([
      { from: 'human', value: '<image>\nWhat is on the plate?' },
      { from: 'gpt', value: 'Broccoli.' },
    ]);
    expect(records[0].source).toBe('llava_mix');
  });

  it('names the entry and field of a malformed conversation', async () => {
    const turn = { from: 'human', value: '<image>\nq' };
    const file = writeJson(join(bad, 'mix.json'), [
      { id: 'a', image: 'coco/a.jpg', conversations: [turn] },
      { id: 'b', image: 'coco/b.jpg', conversations: [turn, { from: 'gpt', value: 7 }] },
    ]);
    expect(await failure(llavaMixSource({ file, imageRoot: root }))).toBe(`${file}: [1].conversations[1].value: expected a string, got 7`);
    const file2 = writeJson(join(bad, 'mix2.json'), [{ id: 'a', image: ['coco/a.jpg'], conversations: [turn] }]);
    expect(await failure(llavaMixSource({ file: file2 }))).toBe(`${file2}: [0].image: expected an image path (a text-only entry has no "image" key), got ["coco/a.jpg"]`);
  });

  it('refuses "image": null (LLaVA counts the entry as an image entry), naming the entry', async () => {
    const turn = { from: 'human', value: 'q' };
    const file = writeJson(join(bad, 'mix-null.json'), [
      { id: 'text', conversations: [turn] },
      { id: 'a', image: null, conversations: [turn] },
    ]);
    expect(await failure(llavaMixSource({ file }))).toBe(`${file}: [1].image: expected an image path (a text-only entry has no "image" key), got null`);
  });

  it('refuses a mix that is an object instead of a list', async () => {
    const file = writeJson(join(bad, 'mix-object.json'), { '0': { id: 'a', image: 'coco/a.jpg', conversations: [{ from: 'human', value: 'q' }] } });
    expect(await failure(llavaMixSource({ file }))).toBe(`${file}: expected an array of records, found an object (character 0)`);
  });

  it('reads a mix written with a UTF-8 byte order mark', async () => {
    const file = join(bad, 'mix-bom.json');
    writeFileSync(file, `\uFEFF${JSON.stringify([{ id: 'a', image: 'coco/a.jpg', conversations: [{ from: 'human', value: 'q' }] }])}`);
    expect((await all(llavaMixSource({ file }))).map((r) => [r.id, r.subset])).toEqual([['a', 'coco']]);
  });
});

describe('folder', () => {
  it('lists the images under a folder recursively, sorted, with relative ids', async () => {
    const dir = join(bad, 'folder');
    for (const name of ['b.png', 'a.jpg', 'sub/c.JPEG', 'sub/z.gif']) await writeImage(join(dir, name));
    writeJson(join(dir, 'notes.json'), {});
    expect((await all(folderSource(dir))).map((r) => [r.id, r.imagePath, r.source])).toEqual([
      ['a.jpg', join(dir, 'a.jpg'), 'folder'],
      ['b.png', join(dir, 'b.png'), 'folder'],
      ['sub/c.JPEG', join(dir, 'sub/c.JPEG'), 'folder'],
      ['sub/z.gif', join(dir, 'sub/z.gif'), 'folder'],
    ]);
    expect(await failure(folderSource(join(dir, 'nope')))).toBe(`${join(dir, 'nope')}: not a directory`);
  });
});
