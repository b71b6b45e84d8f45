import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  annotatorAverage, BENCHMARKS, evalAiAnswer, normalizeVqaAnswer, type Prediction, textVqaAccuracy, TextVqa, vqaEvalAccuracy, VqaV2,
} from '../src/index.ts';
import { collect, fixtureDirs, put, tinyPng } from './helpers.ts';

const newDir = fixtureDirs('vqa');
const SUFFIX = '\nAnswer the question using a single word or phrase.';
const ten = (counts: Record<string, number>) => Object.entries(counts).flatMap(([a, n]) => Array<string>(n).fill(a));

describe('VQA answer normalisation', () => {
  it('follows vqaEval.py: number words, articles, punctuation, contractions, commas in numbers, decimals', () => {
    expect(normalizeVqaAnswer('Two')).toBe('2');
    expect(normalizeVqaAnswer('none')).toBe('0');
    expect(normalizeVqaAnswer('a dog.')).toBe('dog');
    expect(normalizeVqaAnswer('The Ten dogs')).toBe('10 dogs');
    expect(normalizeVqaAnswer('dont')).toBe("don't");
    expect(normalizeVqaAnswer("it's")).toBe("it's"); // ' is not one of vqaEval's punctuation marks
    expect(normalizeVqaAnswer('1,000')).toBe('1000'); // a digit,digit in the text deletes every mark
    expect(normalizeVqaAnswer('2.5')).toBe('2.5'); // a period before a digit stays
    expect(normalizeVqaAnswer('2.5.')).toBe('2.5');
    expect(normalizeVqaAnswer('black-and-white')).toBe('black and white'); // a mark away from spaces becomes a space
    expect(normalizeVqaAnswer('hot dog, pizza')).toBe('hot dog pizza'); // ", " is deleted
    expect(normalizeVqaAnswer(' yes!\n')).toBe('yes');
    // re.sub(..., re.UNICODE) passes 32 as the count: 40 periods lose only 32
    expect(normalizeVqaAnswer('.'.repeat(40))).toBe('.'.repeat(8));
  });

  it('follows EvalAIAnswerProcessor, which first drops commas and ? and splits off "\'s"', () => {
    expect(evalAiAnswer('Two')).toBe('2');
    expect(evalAiAnswer('A dog.')).toBe('dog');
    expect(evalAiAnswer("it's")).toBe("it 's");
    expect(evalAiAnswer('1,000')).toBe('1000');
    expect(evalAiAnswer('2.5')).toBe('2.5');
    expect(evalAiAnswer('Coca-Cola?')).toBe('coca cola');
    expect(evalAiAnswer('Yes, it is.')).toBe('yes it is');
  });
});

describe('VQA accuracy', () => {
  it('averages min(1, matches/3) over the 10 leave-one-out annotator subsets', () => {
    const gts = (k: number) => [...Array<string>(k).fill('2'), ...Array<string>(10 - k).fill('3')];
    expect(annotatorAverage('2', gts(0))).toBe(0);
    // k = 1: the matching annotator sees 0 others (0), the 9 others see 1 (1/3): 9·(1/3)/10 = 0.3
    expect(annotatorAverage('2', gts(1))).toBeCloseTo(0.3, 12);
    // k = 2: 2·min(1, 1/3) + 8·min(1, 2/3) = 2/3 + 16/3 = 6 → 6/10 = 0.6
    expect(annotatorAverage('2', gts(2))).toBeCloseTo(0.6, 12);
    // k = 3: 3·(2/3) + 7·1 = 9 → 0.9
    expect(annotatorAverage('2', gts(3))).toBeCloseTo(0.9, 12);
    expect(annotatorAverage('2', gts(4))).toBe(1);
  });

  it('vqaEval: the answer is normalised; annotators only get punctuation, and only when they disagree', () => {
    expect(vqaEvalAccuracy('Two', ten({ 2: 10 }))).toBe(1);
    // disagreeing annotators: "hot-dog" → "hot dog"; 2 matches → 0.6
    expect(vqaEvalAccuracy('hot dog', ten({ 'hot-dog': 2, pizza: 8 }))).toBeCloseTo(0.6, 12);
    // unanimous annotators are left as written, so "hot-dog" (→ "hot dog") matches none of them: 0
    expect(vqaEvalAccuracy('hot-dog', ten({ 'hot-dog': 10 }))).toBe(0);
  });

  it('TextVQA (m4c): answer and annotators both through EvalAIAnswerProcessor', () => {
    // "Coca-Cola" ×3 → "coca cola" matches the answer: k = 3 → 0.9
    expect(textVqaAccuracy('coca cola', ten({ 'Coca-Cola': 3, coke: 1, pepsi: 6 }))).toBeCloseTo(0.9, 12);
    // "It's" → "it 's" on both sides: k = 10 → 1
    expect(textVqaAccuracy("it's", ten({ "It's": 10 }))).toBe(1);
  });
});

/** A VQAv2 val2014 fixture: 3 questions, images for 2 of them. */
function vqaV2Root(): string {
  const root = newDir();
  const questions = [
    { image_id: 42, question: 'How many dogs?', question_id: 42000 },
    { image_id: 43, question: 'Is it sunny?', question_id: 43000 },
    { image_id: 44, question: 'What color is the car?', question_id: 44000 },
  ];
  put(join(root, 'v2_OpenEnded_mscoco_val2014_questions.json'), { info: {}, task_type: 'Open-Ended', data_type: 'mscoco', license: {}, data_subtype: 'val2014', questions });
  const answers = (list: string[]) => list.map((answer, i) => ({ answer, answer_confidence: 'yes', answer_id: i + 1 }));
  put(join(root, 'v2_mscoco_val2014_annotations.json'), {
    info: {}, license: {}, data_subtype: 'val2014', annotations: [
      { question_type: 'how many', multiple_choice_answer: '3', answers: answers(ten({ 2: 2, 3: 8 })), image_id: 42, answer_type: 'number', question_id: 42000 },
      { question_type: 'is it', multiple_choice_answer: 'yes', answers: answers(ten({ yes: 10 })), image_id: 43, answer_type: 'yes/no', question_id: 43000 },
      { question_type: 'what color is the', multiple_choice_answer: 'red', answers: answers(ten({ red: 10 })), image_id: 44, answer_type: 'other', question_id: 44000 },
    ],
  });
  put(join(root, 'val2014', 'COCO_val2014_000000000042.jpg'), tinyPng());
  put(join(root, 'val2014', 'COCO_val2014_000000000043.jpg'), tinyPng());
  return root;
}

describe('VQAv2 adapter', () => {
  it('builds LLaVA prompts, skips and reports missing images, scores as the server would', async () => {
    const root = vqaV2Root();
    const bench = BENCHMARKS.vqav2({ root });
    const samples = await collect(bench);
    expect(samples.map((s) => [s.id, s.prompt])).toEqual([['42000', `How many dogs?${SUFFIX}`], ['43000', `Is it sunny?${SUFFIX}`]]);
    expect(samples[0].image).toBe(join(root, 'val2014', 'COCO_val2014_000000000042.jpg'));
    expect(bench.missingImages).toEqual([join(root, 'val2014', 'COCO_val2014_000000000044.jpg')]);

    const predictions: Prediction[] = [{ id: '42000', answer: 'Two' }, { id: '43000', answer: 'Yes.' }];
    const scores = await bench.score(predictions);
    // "Two" → "2", 2 of 10 annotators → 0.6; "Yes." → "yes", unanimous → 1; mean 0.8
    expect(scores.rows).toEqual([
      { id: '42000', score: expect.closeTo(0.6, 12), parsed: '2', answer_type: 'number', question_type: 'how many' },
      { id: '43000', score: 1, parsed: 'yes', answer_type: 'yes/no', question_type: 'is it' },
    ]);
    expect(scores.metrics).toEqual({ accuracy: expect.closeTo(80, 10), 'accuracy.number': expect.closeTo(60, 10), 'accuracy.yes/no': 100, count: 2, missing_images: 1 });
  });

  it('writes EvalAI results for every question, unanswered ones empty', () => {
    const root = vqaV2Root();
    const out = join(root, 'out', 'vqav2.json');
    new VqaV2({ root }).writeSubmission([{ id: '43000', answer: "It's sunny" }], out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([
      { question_id: 42000, answer: '' }, { question_id: 43000, answer: "it 's sunny" }, { question_id: 44000, answer: '' },
    ]);
  });

  it('names the file, record and field of a malformed question, and refuses unknown ids and splits', async () => {
    const root = newDir();
    put(join(root, 'v2_OpenEnded_mscoco_test-dev2015_questions.json'), { questions: [{ image_id: 1, question: 'q', question_id: 1 }, { image_id: 2, question: 'q', question_id: 'x' }] });
    await expect(collect(new VqaV2({ root, split: 'test-dev2015' }))).rejects.toThrow(
      `v2_OpenEnded_mscoco_test-dev2015_questions.json: questions[1].question_id: expected an integer, got "x"`,
    );
    const bench = new VqaV2(({ root: vqaV2Root() }));
    await expect(bench.score([{ id: '999', answer: 'a' }])).rejects.toThrow('predictions[0].id: no sample "999"');
    expect(() => new VqaV2({ root, split: 'val' })).toThrow('vqav2 has no split "val"');
  });

  it('refuses to score a test split, which only the server can score', async () => {
    const root = newDir();
    put(join(root, 'v2_OpenEnded_mscoco_test-dev2015_questions.json'), { questions: [{ image_id: 1, question: 'q', question_id: 1 }] });
    await expect(new VqaV2({ root, split: 'test-dev2015' }).score([{ id: '1', answer: 'a' }])).rejects.toThrow('EvalAI server');
  });
});

describe('TextVQA adapter', () => {
  function textVqaRoot(): string {
    const root = newDir();
    put(join(root, 'TextVQA_0.5.1_val.json'), {
      dataset_type: 'val', dataset_name: 'textvqa', dataset_version: '0.5.1', data: [
        { question: 'what is written on the sign?', image_id: 'aaa', question_id: 1, answers: ten({ stop: 3, STOP: 1, 'stop sign': 6 }), set_name: 'val' },
        { question: 'what color is the bus?', image_id: 'bbb', question_id: 2, answers: ten({ red: 2, maroon: 8 }), set_name: 'val' },
      ],
    });
    put(join(root, 'TextVQA_Rosetta_OCR_v0.2_val.json'), { data: [{ image_id: 'aaa', ocr_tokens: ['STOP', 'sign'] }, { image_id: 'bbb', ocr_tokens: [] }] });
    put(join(root, 'train_images', 'aaa.jpg'), tinyPng());
    put(join(root, 'train_images', 'bbb.jpg'), tinyPng());
    return root;
  }

  it('puts the OCR tokens in the prompt as LLaVA-1.5 does, and scores with m4c', async () => {
    const root = textVqaRoot();
    const bench = new TextVqa({ root });
    expect((await collect(bench)).map((s) => s.prompt)).toEqual([
      `what is written on the sign?\nReference OCR token: STOP, sign${SUFFIX}`,
      `what color is the bus?${SUFFIX}`,
    ]);
    const scores = await bench.score([{ id: '1', answer: 'Stop.' }, { id: '2', answer: 'Red' }]);
    // "Stop." → "stop", matched by stop ×3 + STOP ×1 = 4 → 1; "Red" → "red", 2 matches → 0.6; mean 80
    expect(scores.rows.map((r) => [r.parsed, r.score])).toEqual([['stop', 1], ['red', expect.closeTo(0.6, 12)]]);
    expect(scores.metrics.accuracy).toBeCloseTo(80, 10);
    const out = join(root, 'textvqa.json');
    bench.writeSubmission([{ id: '2', answer: 'Red' }], out);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([{ question_id: 1, answer: '' }, { question_id: 2, answer: 'red' }]);
  });

  it('needs the OCR file unless told to leave OCR out; needs 10 answers per question', async () => {
    const root = textVqaRoot();
    put(join(root, 'TextVQA_Rosetta_OCR_v0.2_val.json'), 'gone');
    await expect(collect(new TextVqa({ root }))).rejects.toThrow('TextVQA_Rosetta_OCR_v0.2_val.json: not valid JSON');
    expect((await collect(new TextVqa({ root, ocr: false })))[0].prompt).toBe(`what is written on the sign?${SUFFIX}`);
    put(join(root, 'TextVQA_0.5.1_val.json'), { data: [{ question: 'q', image_id: 'aaa', question_id: 1, answers: ['a', 'b'] }] });
    await expect(collect(new TextVqa({ root, ocr: false }))).rejects.toThrow('TextVQA_0.5.1_val.json: data[0].answers: expected 10 annotator answers, got ["a","b"]');
  });
});
