import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** Writes JSON (creating the folder), compact as the datasets ship it. */
export function writeJson(file: string, value: unknown): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** A small solid-colour image in the format of its extension. */
export async function writeImage(file: string, shade = 0, size: [number, number] = [12, 8]): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  const image = sharp({ create: { width: size[0], height: size[1], channels: 3, background: { r: shade, g: 255 - shade, b: 128 } } });
  const ext = file.slice(file.lastIndexOf('.') + 1);
  await (ext === 'png' ? image.png() : ext === 'gif' ? image.gif() : image.jpeg()).toFile(file);
  return file;
}

/** Bytes that no decoder takes, under an image name. */
export function writeCorrupt(file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, 'this is not an image');
  return file;
}

const cocoImage = (id: number, fileName: string) => ({
  license: 3,
  file_name: fileName,
  coco_url: `http://images.cocodataset.org/x/${fileName}`,
  height: 8,
  width: 12,
  date_captured: '2013-11-14 16:28:13',
  flickr_url: 'http://farm3.staticflickr.com/x.jpg',
  id,
});

/**
 * The standard layout (see the README) with a few records of each dataset, in the official schemas.
 * Deliberate faults for the checks: coco/val2014 image 73 is missing, gqa/images/n999.jpg is corrupt.
 */
export async function writeStandardRoot(root: string): Promise<void> {
  // COCO 2014 (instances + captions) and 2017 (instances only)
  const val2014 = [cocoImage(42, 'COCO_val2014_000000000042.jpg'), cocoImage(73, 'COCO_val2014_000000000073.jpg')];
  const info = { description: 'COCO 2014 Dataset', url: 'http://cocodataset.org', version: '1.0', year: 2014, contributor: 'COCO Consortium', date_created: '2017/09/01' };
  const licenses = [{ url: 'http://creativecommons.org/licenses/by-nc-sa/2.0/', id: 1, name: 'Attribution-NonCommercial-ShareAlike License' }];
  writeJson(join(root, 'coco/annotations/instances_val2014.json'), {
    info,
    images: val2014,
    licenses,
    annotations: [{ segmentation: [[1.5, 2, 3, 4.25, 5, 6]], area: 702.1, iscrowd: 0, image_id: 42, bbox: [1, 2, 3, 4], category_id: 18, id: 1768 }],
    categories: [{ supercategory: 'animal', id: 18, name: 'dog' }],
  });
  writeJson(join(root, 'coco/annotations/captions_val2014.json'), {
    info,
    images: val2014,
    licenses,
    annotations: [
      { image_id: 42, id: 1, caption: 'A dog on a "sofa".' },
      { image_id: 73, id: 2, caption: 'A red bus.' },
      { image_id: 42, id: 3, caption: 'A brown dog.' },
    ],
  });
  writeJson(join(root, 'coco/annotations/instances_train2017.json'), {
    info,
    licenses,
    images: [cocoImage(9, '000000000009.jpg'), cocoImage(25, '000000000025.jpg')],
    annotations: [],
    categories: [],
  });
  await writeImage(join(root, 'coco/val2014/COCO_val2014_000000000042.jpg'), 10);
  await writeImage(join(root, 'coco/train2017/000000000009.jpg'), 20);
  await writeImage(join(root, 'coco/train2017/000000000025.jpg'), 30);

  // Visual Genome
  writeJson(join(root, 'vg/image_data.json'), [
    { width: 800, url: 'https://cs.stanford.edu/people/rak248/VG_100K_2/1.jpg', height: 600, image_id: 1, coco_id: null, flickr_id: null },
    { width: 640, url: 'https://cs.stanford.edu/people/rak248/VG_100K/2.jpg', height: 480, image_id: 2, coco_id: 9, flickr_id: 8024566 },
  ]);
  writeJson(join(root, 'vg/question_answers.json'), [
    { id: 1, qas: [{ a_objects: [], question: 'What color is the sky?', image_id: 1, qa_id: 986768, answer: 'Blue.', q_objects: [] }] },
    { id: 2, qas: [] },
  ]);
  await writeImage(join(root, 'vg/VG_100K_2/1.jpg'), 40);
  await writeImage(join(root, 'vg/VG_100K/2.jpg'), 50);

  // OCR-VQA: 0001 saved as the URL says (.jpg), 0002 a .png, 0003 a .gif URL saved as .jpg (LLaVA's copy)
  const book = (imageURL: string, split: number, title: string) => ({
    imageURL,
    questions: ['Who wrote this book?', 'What is the title of this book?'],
    answers: ['Jane Doe', title],
    title,
    authorName: 'Jane Doe',
    genre: 'Travel',
    split,
  });
  writeJson(join(root, 'ocr_vqa/dataset.json'), {
    '0001': book('http://ecx.images-amazon.com/images/I/51Zb9JNTtNL.jpg', 1, 'Walks'),
    '0002': book('http://ecx.images-amazon.com/images/I/41AbcDef.png', 2, 'Maps'),
    '0003': book('http://ecx.images-amazon.com/images/I/31XyZ.gif', 3, 'Rivers'),
  });
  await writeImage(join(root, 'ocr_vqa/images/0001.jpg'), 60);
  await writeImage(join(root, 'ocr_vqa/images/0002.png'), 70);
  await writeImage(join(root, 'ocr_vqa/images/0003.jpg'), 80);

  // TextVQA 0.5.1 + Rosetta OCR for train
  const question = (id: number, imageId: string, setName: string, answers?: string[]) => ({
    question: 'what does the sign say?',
    image_id: imageId,
    image_classes: ['Street sign', 'Sign'],
    flickr_original_url: 'https://farm2.staticflickr.com/x_o.jpg',
    flickr_300k_url: 'https://c5.staticflickr.com/x_z.jpg',
    image_width: 1024,
    image_height: 768,
    ...(answers && { answers }),
    question_tokens: ['what', 'does', 'the', 'sign', 'say'],
    question_id: id,
    set_name: setName,
  });
  const textvqa = (split: string, data: unknown[]) => ({ dataset_type: split, dataset_name: 'textvqa', dataset_version: '0.5.1', data });
  writeJson(join(root, 'textvqa/TextVQA_0.5.1_train.json'), textvqa('train', [question(0, 'a1b2', 'train', Array(10).fill('stop'))]));
  writeJson(join(root, 'textvqa/TextVQA_0.5.1_val.json'), textvqa('val', [question(34602, 'c3d4', 'val', Array(10).fill('yield'))]));
  writeJson(join(root, 'textvqa/TextVQA_0.5.1_test.json'), textvqa('test', [question(39602, 'e5f6', 'test')]));
  writeJson(join(root, 'textvqa/TextVQA_Rosetta_OCR_v0.2_train.json'), {
    dataset_type: 'train',
    dataset_name: 'textvqa',
    dataset_version: '0.2',
    data: [
      {
        image_id: 'a1b2',
        ocr_tokens: ['STOP', 'AHEAD'],
        ocr_info: [{ word: 'STOP', bounding_box: { top_left_x: 0.1, top_left_y: 0.2, width: 0.3, height: 0.1, rotation: 0, roll: 0, pitch: 0, yaw: 0 } }],
        set_name: 'train',
      },
    ],
  });
  await writeImage(join(root, 'textvqa/train_images/a1b2.jpg'), 90);
  await writeImage(join(root, 'textvqa/train_images/c3d4.jpg'), 100);
  await writeImage(join(root, 'textvqa/test_images/e5f6.jpg'), 110);

  // GQA: testdev_balanced, and train_all in parts
  const gqaQuestion = (imageId: string, q: string, answer?: string) => ({
    semantic: [{ operation: 'select', dependencies: [], argument: 'sky (2486325)' }],
    entailed: [],
    equivalent: [],
    question: q,
    imageId,
    isBalanced: true,
    groups: { global: null, local: '06-sky_dark' },
    ...(answer && { answer, fullAnswer: `${answer[0].toUpperCase()}${answer.slice(1)}.` }),
    semanticStr: 'select: sky (2486325)->verify color: dark [0]',
    annotations: { answer: {}, question: { '2': '2486325' }, fullAnswer: {} },
    types: { detailed: 'verifyAttr', semantic: 'attr', structural: 'verify' },
  });
  writeJson(join(root, 'gqa/questions1.2/testdev_balanced_questions.json'), {
    '20968379': gqaQuestion('n288870', 'Is the sky dark?', 'no'),
    '20968380': gqaQuestion('n288870', 'Is it sunny?', 'yes'),
  });
  writeJson(join(root, 'gqa/questions1.2/train_all_questions/train_all_questions_0.json'), { '0100': gqaQuestion('2354786', 'What is this?', 'tree') });
  writeJson(join(root, 'gqa/questions1.2/train_all_questions/train_all_questions_1.json'), { '0200': gqaQuestion('n999', 'What is that?', 'bush') });
  await writeImage(join(root, 'gqa/images/n288870.jpg'), 120);
  await writeImage(join(root, 'gqa/images/2354786.jpg'), 130);
  writeCorrupt(join(root, 'gqa/images/n999.jpg'));

  // LLaVA-1.5 mix at the root, image paths relative to it; one text-only entry, one repeated image
  const chat = (q: string, a: string) => [
    { from: 'human', value: `<image>\n${q}` },
    { from: 'gpt', value: a },
  ];
  writeJson(join(root, 'llava_v1_5_mix665k.json'), [
    { id: '000000000009', image: 'coco/train2017/000000000009.jpg', conversations: chat('What is on the plate?', 'Broccoli.') },
    { id: 'i6IyJda_0', model: '', conversations: [{ from: 'human', value: 'Hello' }, { from: 'gpt', value: 'Hi!' }] },
    { id: '0001', image: 'ocr_vqa/images/0001.jpg', conversations: chat('Who wrote this book?', 'Jane Doe') },
    { id: 'n288870', image: 'gqa/images/n288870.jpg', conversations: chat('Is the sky dark?', 'No') },
    { id: 'a1b2', image: 'textvqa/train_images/a1b2.jpg', conversations: chat('What does the sign say?', 'stop') },
    { id: 1, image: 'vg/VG_100K_2/1.jpg', conversations: chat('What color is the sky?', 'Blue.') },
    { id: '000000000009', image: 'coco/train2017/000000000009.jpg', conversations: chat('How many forks?', 'Two.') },
  ]);
}
