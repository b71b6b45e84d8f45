import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePopeAnswer, Pope, popeMetrics, type Prediction } from '../src/index.ts';
import { collect, fixtureDirs, jsonl, put, tinyPng } from './helpers.ts';

const newDir = fixtureDirs('pope');

describe('POPE answer parsing (eval_pope.py)', () => {
  it('reads the first sentence; the words No / not / no mean no, anything else yes', () => {
    expect(parsePopeAnswer('Yes, there is a dog.')).toBe('yes');
    expect(parsePopeAnswer('No.')).toBe('no');
    expect(parsePopeAnswer('no')).toBe('no');
    expect(parsePopeAnswer('There is not a cat.')).toBe('no');
    expect(parsePopeAnswer('No, there is none')).toBe('no'); // "No," → "No" once commas go
    expect(parsePopeAnswer('Yes. No dogs.')).toBe('yes'); // only the first sentence counts
    expect(parsePopeAnswer('None')).toBe('yes'); // not one of the three words
    expect(parsePopeAnswer('NO')).toBe('yes'); // case matters
  });
});

describe('POPE metrics', () => {
  it('computes accuracy, precision, recall, F1 and the yes ratio for a model that says yes too often', () => {
    // 5 yes + 5 no labels; the model says yes 9 times: TP 5, FP 4, TN 1, FN 0
    const labels = ['yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no', 'no', 'no'] as const;
    const predicted = ['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no'] as const;
    const m = popeMetrics(labels.map((label, i) => ({ label, predicted: predicted[i] })));
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([5, 4, 1, 0]);
    expect(m.accuracy).toBeCloseTo(60, 10); // (5 + 1) / 10
    expect(m.precision).toBeCloseTo((100 * 5) / 9, 10); // 5 / (5 + 4) = 55.56 %
    expect(m.recall).toBe(100); // 5 / (5 + 0)
    expect(m.f1).toBeCloseTo((100 * 10) / 14, 10); // 2·(5/9)·1 / (5/9 + 1) = (10/9) / (14/9) = 71.43 %
    expect(m.yesRatio).toBeCloseTo(90, 10); // 9 / 10
  });

  it('gives NaN where eval_pope.py would divide by zero', () => {
    const m = popeMetrics([{ label: 'no', predicted: 'no' }]);
    expect(m.accuracy).toBe(100);
    expect(m.precision).toBeNaN();
    expect(m.f1).toBeNaN();
  });
});

describe('POPE adapter', () => {
  function popeRoot(): string {
    const root = newDir();
    const rows = (n: number, labels: string[]) => labels.map((label, i) => ({ question_id: i + 1, image: `COCO_val2014_00000000000${n + i}.jpg`, text: `Is there a thing ${i + 1} in the image?`, label }));
    put(join(root, 'coco_pope_random.json'), jsonl(rows(0, ['yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no', 'no', 'no'])));
    put(join(root, 'coco_pope_popular.json'), jsonl(rows(0, ['yes', 'no', 'no'])));
    put(join(root, 'coco_pope_adversarial.json'), jsonl(rows(0, ['no'])));
    for (let i = 0; i < 10; i++) put(join(root, 'val2014', `COCO_val2014_00000000000${i}.jpg`), tinyPng());
    return root;
  }

  it('scores each split as eval_pope.py and averages accuracy and F1 over the splits scored', async () => {
    const root = popeRoot();
    const bench = new Pope({ root });
    const samples = await collect(bench);
    expect(samples).toHaveLength(14);
    expect(samples[0]).toEqual({
      id: 'adversarial/1', image: join(root, 'val2014', 'COCO_val2014_000000000000.jpg'),
      prompt: 'Is there a thing 1 in the image?\nAnswer the question using a single word or phrase.', meta: { category: 'adversarial' },
    });
    const random: Prediction[] = Array.from({ length: 10 }, (_, i) => ({ id: `random/${i + 1}`, answer: i < 9 ? 'Yes, there is.' : 'No.' }));
    const popular: Prediction[] = [{ id: 'popular/1', answer: 'Yes' }, { id: 'popular/2', answer: 'There is no such thing.' }];
    const scores = await bench.score([...random, ...popular]);
    expect(scores.metrics['random.accuracy']).toBeCloseTo(60, 10);
    expect(scores.metrics['random.f1']).toBeCloseTo((100 * 10) / 14, 10);
    expect(scores.metrics['random.yes_ratio']).toBeCloseTo(90, 10);
    expect(scores.metrics['popular.accuracy']).toBe(100); // both right: TP 1, TN 1
    expect(scores.metrics['popular.f1']).toBe(100);
    expect(scores.metrics.accuracy).toBeCloseTo(80, 10); // (60 + 100) / 2; adversarial has no predictions
    expect(scores.metrics.f1).toBeCloseTo((100 * 10 / 14 + 100) / 2, 10);
    expect(scores.metrics['adversarial.accuracy']).toBeUndefined();
    expect(scores.rows[5]).toEqual({ id: 'random/6', score: 0, parsed: 'yes', label: 'no', category: 'random' });
    expect(scores.rows[9]).toEqual({ id: 'random/10', score: 1, parsed: 'no', label: 'no', category: 'random' });
  });

  it('writes the answer files of the POPE repository, in label order', () => {
    const root = popeRoot();
    new Pope({ root, split: 'popular' }).writeSubmission([{ id: 'popular/2', answer: 'No.' }], join(root, 'out'));
    const lines = readFileSync(join(root, 'out', 'coco_pope_popular_answers.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.answer)).toEqual(['', 'No.', '']);
    expect(lines[1]).toEqual({ question_id: 2, question: 'Is there a thing 2 in the image?', answer: 'No.' });
  });

  it('names the file, line and field of a bad label', async () => {
    const root = popeRoot();
    put(join(root, 'coco_pope_adversarial.json'), jsonl([{ question_id: 1, image: 'x.jpg', text: 'q', label: 'yes' }, { question_id: 2, image: 'x.jpg', text: 'q', label: 'maybe' }]));
    await expect(collect(new Pope({ root }))).rejects.toThrow('coco_pope_adversarial.json: line 2.label: expected "yes" or "no", got "maybe"');
  });
});
