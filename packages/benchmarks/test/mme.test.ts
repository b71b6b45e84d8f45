import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MME_COGNITION, MME_PERCEPTION, Mme, mmeScores, parseMmeAnswer } from '../src/index.ts';
import { collect, fixtureDirs, put, tinyPng } from './helpers.ts';

const newDir = fixtureDirs('mme');

describe('MME answer parsing (calculation.py)', () => {
  it('reads yes / no, or yes / no inside the first four characters, else other', () => {
    expect(parseMmeAnswer('Yes')).toBe('yes');
    expect(parseMmeAnswer('No, it is not.')).toBe('no');
    expect(parseMmeAnswer('Yes, there is')).toBe('yes');
    expect(parseMmeAnswer('The answer is yes')).toBe('other');
    expect(parseMmeAnswer('not sure')).toBe('no'); // "not " holds "no"
    expect(parseMmeAnswer('')).toBe('other');
  });
});

describe('MME scores', () => {
  it('adds acc and acc+ (both questions of an image right) per subtask, and sums perception and cognition', () => {
    const s = mmeScores([
      { subtask: 'existence', image: '1.jpg', truth: 'yes', predicted: 'yes' },
      { subtask: 'existence', image: '1.jpg', truth: 'no', predicted: 'no' },
      { subtask: 'existence', image: '2.jpg', truth: 'yes', predicted: 'yes' },
      { subtask: 'existence', image: '2.jpg', truth: 'no', predicted: 'other' },
      { subtask: 'code_reasoning', image: '3.png', truth: 'yes', predicted: 'yes' },
      { subtask: 'code_reasoning', image: '3.png', truth: 'no', predicted: 'no' },
    ]);
    // existence: acc 3/4 = 75, acc+ 1/2 images = 50 → 125; code_reasoning: 100 + 100 = 200
    expect(s.subtasks.existence).toEqual({ acc: 75, accPlus: 50, score: 125 });
    expect(s.subtasks.code_reasoning).toEqual({ acc: 100, accPlus: 100, score: 200 });
    expect([s.perception, s.cognition, s.total]).toEqual([125, 200, 325]);
  });
});

describe('MME adapter', () => {
  /** The release layout: flat folders (image + .txt side by side) and images/ + questions_answers_YN/ folders. */
  function mmeRoot(): string {
    const root = newDir();
    for (const s of [...MME_PERCEPTION, ...MME_COGNITION]) mkdirSync(join(root, s));
    put(join(root, 'existence', '000000006040.jpg'), tinyPng());
    put(join(root, 'existence', '000000006040.txt'), 'Is there a train in this image? Please answer yes or no.\tYes\nIs there a bed in this image? Please answer yes or no.\tNo\n');
    put(join(root, 'artwork', 'images', '10002.jpg'), tinyPng());
    put(join(root, 'artwork', 'questions_answers_YN', '10002.txt'), 'Does this artwork exist in the form of painting?  Please answer yes or no.\tYes\r\nDoes this artwork exist in the form of glassware? Please answer yes or no.\tNo\r\n');
    put(join(root, 'code_reasoning', '0020.txt'), 'Is a c++ code shown in the picture? Please answer yes or no.\tNo\nIs a python code shown in the picture? Please answer yes or no.\tYes\n');
    return root;
  }

  it('reads both layouts, builds LLaVA prompts, reports the missing image, scores and writes results', async () => {
    const root = mmeRoot();
    const bench = new Mme({ root });
    const samples = await collect(bench);
    expect(samples.map((s) => s.id)).toEqual(['existence/000000006040.jpg#0', 'existence/000000006040.jpg#1', 'artwork/10002.jpg#0', 'artwork/10002.jpg#1']);
    expect(samples[0].prompt).toBe('Is there a train in this image?\nAnswer the question using a single word or phrase.');
    expect(samples[2].prompt).toBe('Does this artwork exist in the form of painting?\nAnswer the question using a single word or phrase.');
    expect(samples[2].image).toBe(join(root, 'artwork', 'images', '10002.jpg'));
    expect(bench.missingImages).toEqual([join(root, 'code_reasoning', '0020.jpg')]);

    const predictions = [
      { id: 'existence/000000006040.jpg#0', answer: 'Yes' },
      { id: 'existence/000000006040.jpg#1', answer: 'Yes' },
      { id: 'artwork/10002.jpg#1', answer: 'No' },
      { id: 'artwork/10002.jpg#0', answer: 'Yes' },
    ];
    const scores = await bench.score(predictions);
    // existence: 1 of 2 right → acc 50, acc+ 0 → 50; artwork: both right → 200; perception 250, cognition 0
    expect(scores.metrics).toMatchObject({ 'existence.acc': 50, 'existence.acc_plus': 0, 'existence.score': 50, 'artwork.score': 200, perception: 250, cognition: 0, total: 250, count: 4, missing_images: 1 });

    bench.writeSubmission(predictions, join(root, 'results'));
    expect(readFileSync(join(root, 'results', 'artwork.txt'), 'utf8')).toBe(
      'Does this artwork exist in the form of painting?  Please answer yes or no.\tYes\tYes\n'.replace(/^/, '10002.jpg\t') +
      '10002.jpg\tDoes this artwork exist in the form of glassware? Please answer yes or no.\tNo\tNo\n',
    );
  });

  it('names the file and line of a malformed question file', async () => {
    const root = mmeRoot();
    put(join(root, 'count', '1.txt'), 'How many? Please answer yes or no.\tYes\nHow many? Please answer yes or no. Yes\n');
    await expect(collect(new Mme({ root }))).rejects.toThrow(`${join(root, 'count', '1.txt')}: line 2: expected "question<TAB>Yes" or "question<TAB>No"`);
    put(join(root, 'count', '1.txt'), 'a\tYes\n');
    await expect(collect(new Mme({ root }))).rejects.toThrow('expected 2 question lines');
  });
});
