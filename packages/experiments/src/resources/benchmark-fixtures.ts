import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { commitDirectory, DymuError, Rng, temporaryDirectory } from '@dymu/core';
import { drawImage, IMAGE_KINDS } from './generated-images.ts';
import { type ParquetCell, writeParquet } from './parquet.ts';

/**
 * Small benchmark folders in each benchmark's official layout and schema (what @dymu/benchmarks
 * reads), over generated images (and, for the video benchmarks, committed tiny videos): a few questions each, enough to run every paper file end to end on
 * generated models. The answers are arbitrary; the numbers mean nothing.
 */

/** Writes one file, creating its folder. */
type Put = (path: string, content: string | Buffer) => void;
/** The i-th generated image (kinds and SHAPES in turn) as JPEG or PNG bytes. */
type Picture = (i: number, format?: 'jpeg' | 'png') => Promise<Buffer>;
/** Writes rows as one parquet file. */
type Parquet = (path: string, rows: readonly Record<string, ParquetCell>[]) => Promise<void>;

/** The committed tiny videos (8 frames of 64×48, tools/fixtures/make-fixture-videos.sh), i-th in turn. */
const VIDEOS = ['testsrc2.mp4', 'rgbtestsrc.mp4'];
const video = (i: number): Buffer => readFileSync(join(import.meta.dirname, 'fixture-videos', VIDEOS[i % VIDEOS.length]));
const OPTIONS = ['one', 'two', 'three', 'four'];
/**
 * Width × height of the i-th image, in turn: aspect ratios for which OneVision's AnyRes picks different
 * grids of the generated model's 64-pixel crops (1×1, 2×1, 1×2, 2×2), and 64 × 48 first, so that
 * padding to a square is exercised too.
 */
export const SHAPES: readonly (readonly [number, number])[] = [[64, 48], [128, 64], [48, 96], [128, 128]];

const jsonl = (rows: readonly object[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
/** A TSV's text: the header, then the rows, fields joined by tabs (quote a field that holds a tab or line break). */
const tsv = (header: readonly string[], rows: readonly (readonly string[])[]): string => `${[header, ...rows].map((r) => r.join('\t')).join('\n')}\n`;
const ten = (answer: string): string[] => Array.from({ length: 10 }, (_, k) => (k < 7 ? answer : 'other'));
const QUESTIONS = [0, 1, 2, 3];

const WRITERS: Readonly<Record<string, (put: Put, picture: Picture, parquet: Parquet) => Promise<void>>> = {
  async gqa(put, picture) {
    const questions = Object.fromEntries(QUESTIONS.map((i) => [`q${i}`, { imageId: `n${i}`, question: `What colour is object ${i}?`, answer: i % 2 ? 'red' : 'blue', isBalanced: true, types: { structural: 'query', semantic: 'attr' } }]));
    put('testdev_balanced_questions.json', JSON.stringify(questions));
    for (const i of QUESTIONS) put(`images/n${i}.jpg`, await picture(i));
  },
  async textvqa(put, picture) {
    put('TextVQA_0.5.1_val.json', JSON.stringify({ data: QUESTIONS.map((i) => ({ question: `What does sign ${i} say?`, image_id: `t${i}`, question_id: 100 + i, answers: ten(i % 2 ? 'stop' : 'exit') })) }));
    put('TextVQA_Rosetta_OCR_v0.2_val.json', JSON.stringify({ data: QUESTIONS.map((i) => ({ image_id: `t${i}`, ocr_tokens: i % 2 ? ['stop'] : [] })) }));
    for (const i of QUESTIONS) put(`train_images/t${i}.jpg`, await picture(i));
  },
  async vqav2(put, picture) {
    const id = (i: number) => 1000 + i;
    put('v2_OpenEnded_mscoco_val2014_questions.json', JSON.stringify({ questions: QUESTIONS.map((i) => ({ question_id: id(i), image_id: i, question: `How many things are in picture ${i}?` })) }));
    put('v2_mscoco_val2014_annotations.json', JSON.stringify({ annotations: QUESTIONS.map((i) => ({ question_id: id(i), answer_type: 'number', question_type: 'how many', answers: ten(String(i)).map((answer) => ({ answer })) })) }));
    for (const i of QUESTIONS) put(`val2014/COCO_val2014_${String(i).padStart(12, '0')}.jpg`, await picture(i));
  },
  async pope(put, picture) {
    for (const [s, split] of ['adversarial', 'popular', 'random'].entries()) {
      put(`coco_pope_${split}.json`, jsonl([0, 1].map((k) => ({ question_id: 10 * s + k, image: `COCO_val2014_${String(k).padStart(12, '0')}.jpg`, text: `Is there a ${k ? 'dog' : 'cat'} in the image?`, label: k ? 'no' : 'yes' }))));
    }
    for (const k of [0, 1]) put(`val2014/COCO_val2014_${String(k).padStart(12, '0')}.jpg`, await picture(k));
  },
  async mme(put, picture) {
    const subtasks = ['existence', 'count', 'position', 'color', 'posters', 'celebrity', 'scene', 'landmark', 'artwork', 'OCR', 'commonsense_reasoning', 'numerical_calculation', 'text_translation', 'code_reasoning'];
    for (const [i, subtask] of subtasks.entries()) {
      put(`${subtask}/${i}.jpg`, await picture(i));
      put(`${subtask}/${i}.txt`, `Is there a circle in the image? Please answer yes or no.\tYes\nIs there a square in the image? Please answer yes or no.\tNo\n`);
    }
  },
  async scienceqa_img(put, picture) {
    const problem = (i: number) => ({ question: `Which shape is shown in figure ${i}?`, choices: ['a circle', 'a square', 'a line'], answer: i % 3, hint: i % 2 ? 'Look closely.' : '', image: 'image.png', task: 'closed choice', grade: 'grade2', subject: 'natural science', split: 'test' });
    put('problems.json', JSON.stringify(Object.fromEntries(QUESTIONS.map((i) => [String(i), problem(i)]))));
    put('pid_splits.json', JSON.stringify({ train: [], val: [], test: QUESTIONS.map(String) }));
    for (const i of QUESTIONS) put(`images/test/${i}/image.png`, await picture(i, 'png'));
  },
  async mmbench(put, picture) {
    const header = ['index', 'question', 'hint', 'A', 'B', 'C', 'D', 'answer', 'category', 'image', 'source', 'l2-category', 'comment', 'split'];
    const rows = await Promise.all(QUESTIONS.map(async (i) => [String(i), `Which pattern is this (${i})?`, i % 2 ? 'A picture.' : 'nan', 'flat', 'gradient', 'texture', 'noise', 'ABCD'[i % 4], 'attribute', (await picture(i)).toString('base64'), 'fixture', 'perception', 'nan', 'dev']));
    put('mmbench_dev_20230712.tsv', tsv(header, rows));
  },
  async seed_img(put, picture) {
    const questions = QUESTIONS.map((i) => ({ answer: 'ABCD'[i % 4], choice_a: 'one', choice_b: 'two', choice_c: 'three', choice_d: 'four', data_id: `s${i}.jpg`, data_type: 'image', question: `How many shapes are in image ${i}?`, question_id: `s${i}`, question_type_id: 5 }));
    put('SEED-Bench.json', JSON.stringify({ question_type: { 'Instances Counting': 5 }, questions }));
    for (const i of QUESTIONS) put(`SEED-Bench-image/s${i}.jpg`, await picture(i));
  },
  async mmvet(put, picture) {
    put('mm-vet.json', JSON.stringify(Object.fromEntries(QUESTIONS.map((i) => [`v1_${i}`, { imagename: `v1_${i}.jpg`, capability: ['rec'], question: `What is shown in picture ${i}?`, answer: 'a pattern<OR>shapes' }]))));
    for (const i of QUESTIONS) put(`images/v1_${i}.jpg`, await picture(i));
  },
  async llava_bench_wild(put, picture) {
    const categories = ['conv', 'detail', 'complex'];
    put('questions.jsonl', jsonl(QUESTIONS.map((i) => ({ question_id: i, image: `${i}.jpg`, text: `Describe picture ${i}.`, category: categories[i % 3] }))));
    put('context.jsonl', jsonl(QUESTIONS.map((i) => ({ id: String(i), image: `${i}.jpg`, caption: `A generated pattern, number ${i}.` }))));
    put('answers_gpt4.jsonl', jsonl(QUESTIONS.map((i) => ({ question_id: i, text: `A generated pattern, number ${i}.`, answer_id: `a${i}`, model_id: 'gpt-4-0314' }))));
    for (const i of QUESTIONS) put(`images/${i}.jpg`, await picture(i));
  },
  async mathvista(put, picture) {
    const header = ['index', 'image', 'question', 'answer', 'choices', 'precision', 'unit', 'question_type', 'answer_type', 'task', 'skills', 'answer_option'];
    // a question spans lines, so its cell is quoted
    const quoted = (lines: string[]) => `"${lines.join('\n')}"`;
    const rows = await Promise.all(QUESTIONS.map(async (i) => {
      const image = (await picture(i)).toString('base64');
      const question = `Question: How many shapes are in picture ${i}?`;
      if (i % 2) {
        const hint = 'Hint: Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at the end.';
        return [String(i), image, quoted([hint, question]), String(i), 'nan', 'nan', 'nan', 'free_form', 'integer', 'math word problem', "['arithmetic reasoning']", 'nan'];
      }
      const hint = 'Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.';
      const choices = quoted([hint, question, 'Choices:', ...OPTIONS.map((o, k) => `(${'ABCD'[k]}) ${o}`)]);
      return [String(i), image, choices, OPTIONS[i % 4], `[${OPTIONS.map((o) => `'${o}'`).join(', ')}]`, 'nan', 'nan', 'multi_choice', 'text', 'figure question answering', "['numeric commonsense']", 'ABCD'[i % 4]];
    }));
    put('MathVista_MINI.tsv', tsv(header, rows));
  },
  async video_mme(put, _picture, parquet) {
    const durations = ['short', 'medium', 'long'];
    await parquet('videomme/test-00000-of-00001.parquet', QUESTIONS.map((i) => ({
      video_id: String(i).padStart(3, '0'), duration: durations[i % 3], domain: 'Knowledge', sub_category: 'Astronomy', url: `https://www.youtube.com/watch?v=fixture${i}`, videoID: `fixture${i}`,
      question_id: `${String(i).padStart(3, '0')}-1`, task_type: 'Counting Problem', question: `How many shapes move in video ${i}?`, options: OPTIONS.map((o, k) => `${'ABCD'[k]}. ${o}`), answer: 'ABCD'[i % 4],
    })));
    for (const i of QUESTIONS) put(`data/fixture${i}.mp4`, video(i));
  },
  async mmbench_video(put) {
    const header = ['index', 'video', 'video_type', 'question', 'answer', 'dimensions', 'video_path'];
    const rows = QUESTIONS.map((i) => [String(i + 1), `v${i}`, 'fixture', `What happens in video ${i}?`, 'Coloured patterns move.', i % 2 ? "['Counting']" : "['Video Topic', 'Causal Reasoning']", `./video/v${i}.mp4`]);
    put('MMBench-Video.tsv', tsv(header, rows));
    for (const i of QUESTIONS) put(`video/v${i}.mp4`, video(i));
  },
};

export const FIXTURE_BENCHMARKS = Object.keys(WRITERS);

/**
 * The fixture folder of a benchmark, written once into `<cache>/fixtures/<benchmark>-seed<seed>`
 * (under a temporary name, then renamed). Image i is drawn from Rng.stream(seed, `fixture/<benchmark>/<i>`).
 */
export async function benchmarkFixture(benchmark: string, seed: number, cache: string): Promise<string> {
  const write = WRITERS[benchmark];
  if (!write) throw new DymuError(`no generated fixture for benchmark ${JSON.stringify(benchmark)} (there are: ${FIXTURE_BENCHMARKS.join(', ')})`, { field: 'root.generated' });
  const dir = join(cache, 'fixtures', `${benchmark}-seed${seed}`);
  if (existsSync(dir)) return dir;
  const temporary = temporaryDirectory(dir);
  const put: Put = (path, content) => {
    mkdirSync(dirname(join(temporary, path)), { recursive: true });
    writeFileSync(join(temporary, path), content);
  };
  const picture: Picture = (i, format = 'jpeg') => {
    const [width, height] = SHAPES[i % SHAPES.length];
    const side = Math.max(width, height);
    const pixels = drawImage(IMAGE_KINDS[i % IMAGE_KINDS.length], side, Rng.stream(seed, `fixture/${benchmark}/${i}`));
    const image = sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).extract({ left: 0, top: 0, width, height });
    return (format === 'png' ? image.png() : image.jpeg({ quality: 90 })).toBuffer();
  };
  const parquet: Parquet = async (path, rows) => {
    mkdirSync(dirname(join(temporary, path)), { recursive: true });
    await writeParquet(join(temporary, path), rows);
  };
  await write(put, picture, parquet);
  commitDirectory(temporary, dir);
  return dir;
}
