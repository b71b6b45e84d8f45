import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canInfer, choiceIndex, circularHits, Gqa, MmBench, parseScienceQaAnswer, ScienceQaImg, SeedImg } from '../src/index.ts';
import { readTsv } from '../src/tsv.ts';
import { collect, fixtureDirs, put, readZip, tinyPng } from './helpers.ts';

const newDir = fixtureDirs('choice');
const LETTER = "\nAnswer with the option's letter from the given choices directly.";

describe('ScienceQA-IMG', () => {
  it('parses answers as eval_science_qa.py', () => {
    expect(parseScienceQaAnswer('B')).toBe('B');
    expect(parseScienceQaAnswer('C. the square')).toBe('C');
    expect(parseScienceQaAnswer('I think so. The answer is A.')).toBe('A');
    expect(parseScienceQaAnswer('The answer is A')).toBe('FAILED'); // the pattern wants one more character
    expect(parseScienceQaAnswer('The answer is A. The answer is B.')).toBe('FAILED'); // two matches
    expect(parseScienceQaAnswer('b')).toBe('FAILED');
    expect(choiceIndex('C', 2)).toBe(-1); // a letter beyond the problem's choices
  });

  it('keeps the image problems of the split, builds the CQM-A prompt, scores', async () => {
    const root = newDir();
    const problem = (question: string, hint: string, image: string | null, answer: number) => ({
      question, choices: ['the circle', 'the square'], answer, hint, image, task: 'closed choice', grade: 'grade2', subject: 'natural science',
      topic: 'physics', category: 'Shapes', skill: 'Identify shapes', lecture: '', solution: '', split: 'test',
    });
    put(join(root, 'problems.json'), {
      1: problem('Which object is blue?', 'Look at the shapes.', 'image.png', 1),
      2: problem('Which is round?', '', 'image.png', 0),
      3: problem('Which has no image?', '', null, 0),
      4: problem('Which is in val?', '', 'image.png', 0),
    });
    put(join(root, 'pid_splits.json'), { train: [], val: ['4'], test: ['1', '2', '3'] });
    put(join(root, 'images', 'test', '1', 'image.png'), tinyPng());
    put(join(root, 'images', 'test', '2', 'image.png'), tinyPng());
    const bench = new ScienceQaImg({ root });
    const samples = await collect(bench);
    expect(samples.map((s) => s.prompt)).toEqual([
      `Context: Look at the shapes.\nWhich object is blue?\nA. the circle\nB. the square${LETTER}`,
      `Which is round?\nA. the circle\nB. the square${LETTER}`,
    ]);
    const scores = await bench.score([{ id: '1', answer: 'B' }, { id: '2', answer: 'B. the square' }]);
    expect(scores.rows.map((r) => [r.parsed, r.score])).toEqual([['B', 1], ['B', 0]]);
    expect(scores.metrics.accuracy).toBe(50);
    bench.writeSubmission([{ id: '1', answer: 'B' }], join(root, 'answers.jsonl'));
    expect(JSON.parse(readFileSync(join(root, 'answers.jsonl'), 'utf8'))).toEqual({ question_id: '1', prompt: `<image>\n${samples[0].prompt}`, text: 'B' });
  });
});

describe('SEED-Bench image part', () => {
  it('keeps question types 1–9, builds the prompt, compares the stripped answer with the letter', async () => {
    const root = newDir();
    const q = (question_id: string, type: number, data_type: string, answer: string) => ({
      answer, choice_a: 'One', choice_b: 'Two', choice_c: 'Three', choice_d: 'Four', data_id: `${question_id}.jpg`, data_type,
      question: 'How many towels are in the image?', question_id, question_type_id: type,
    });
    put(join(root, 'SEED-Bench.json'), {
      question_type: { 'Instances Counting': 5, 'Text Understanding': 9, 'Action Recognition': 10 },
      questions: [q('101669', 5, 'image', 'A'), q('101670', 9, 'image', 'B'), q('v1', 10, 'video', 'C')],
    });
    put(join(root, 'SEED-Bench-image', '101669.jpg'), tinyPng());
    put(join(root, 'SEED-Bench-image', '101670.jpg'), tinyPng());
    const bench = new SeedImg({ root });
    const samples = await collect(bench);
    expect(samples.map((s) => s.id)).toEqual(['101669', '101670']);
    expect(samples[0].prompt).toBe(`How many towels are in the image?\nA. One\nB. Two\nC. Three\nD. Four${LETTER}`);
    expect(samples[1].meta).toEqual({ question_type_id: 9, question_type: 'Text Understanding' });
    // " A\n" strips to "A": right; "B." is not "B": wrong (LLaVA compares the text as is)
    const scores = await bench.score([{ id: '101669', answer: ' A\n' }, { id: '101670', answer: 'B.' }]);
    expect(scores.metrics).toMatchObject({ accuracy: 50, 'accuracy.type_5': 100, 'accuracy.type_9': 0 });
    bench.writeSubmission([{ id: '101669', answer: 'A' }], join(root, 'seed.jsonl'));
    expect(readFileSync(join(root, 'seed.jsonl'), 'utf8')).toBe('{"question_id":"101669","prediction":"A"}\n{"question_id":"101670","prediction":""}\n');
  });
});

describe('GQA', () => {
  it('scores the balanced questions by exact match after dropping trailing periods and lower-casing', async () => {
    const root = newDir();
    const q = (imageId: string, question: string, answer: string, isBalanced: boolean, structural: string) => ({
      semantic: [], entailed: [], equivalent: [], question, imageId, isBalanced, groups: { global: null, local: '10c-car_color' },
      answer, semanticStr: '', annotations: {}, types: { semantic: 'attr', structural, detailed: 'x' }, fullAnswer: '',
    });
    put(join(root, 'testdev_balanced_questions.json'), {
      20968566: q('n1', 'Is the sky dark?', 'no', true, 'verify'),
      20968567: q('n1', 'What color is the car?', 'white', true, 'query'),
      20968568: q('n2', 'Unbalanced?', 'yes', false, 'verify'),
    });
    put(join(root, 'images', 'n1.jpg'), tinyPng());
    const bench = new Gqa({ root });
    const samples = await collect(bench);
    expect(samples.map((s) => [s.id, s.prompt])).toEqual([
      ['20968566', 'Is the sky dark?\nAnswer the question using a single word or phrase.'],
      ['20968567', 'What color is the car?\nAnswer the question using a single word or phrase.'],
    ]);
    const scores = await bench.score([{ id: '20968566', answer: 'No.' }, { id: '20968567', answer: 'White car' }]);
    expect(scores.metrics).toMatchObject({ accuracy: 50, 'accuracy.structural.verify': 100, 'accuracy.structural.query': 0, 'accuracy.semantic.attr': 50 });
    bench.writeSubmission([{ id: '20968566', answer: 'No..' }], join(root, 'gqa.json'));
    expect(JSON.parse(readFileSync(join(root, 'gqa.json'), 'utf8'))).toEqual([{ questionId: '20968566', prediction: 'no' }, { questionId: '20968567', prediction: '' }]);
  });
});

describe('MMBench circular evaluation', () => {
  it('infers letters as VLMEvalKit can_infer', () => {
    const choices = { A: 'a cat', B: 'dog', C: 'Red Car' };
    expect(canInfer('A', choices)).toBe('A');
    expect(canInfer('The answer is (B).', choices)).toBe('B');
    expect(canInfer('A or B', choices)).toBeUndefined(); // two letters; no option text inside either
    expect(canInfer('it is a red car', choices)).toBe('C'); // by option text
    expect(canInfer("I'm sorry, but without the image provided I cannot", choices)).toBe('Z');
  });

  it('counts a question right only if every rotation is', () => {
    const hits = circularHits([
      { index: 7, answer: 'A', predicted: 'A' }, { index: 1_000_007, answer: 'B', predicted: 'B' }, { index: 2_000_007, answer: 'C', predicted: 'B' },
      { index: 8, answer: 'A', predicted: 'A' }, { index: 1_000_008, answer: 'B', predicted: 'B' },
      { index: 9, answer: 'A', predicted: undefined },
      { index: 1_000_010, answer: 'A', predicted: 'A' }, // its original row is absent: ignored
    ]);
    expect([...hits]).toEqual([[7, false], [8, true], [9, false]]);
  });

  const HEADER = ['index', 'question', 'hint', 'A', 'B', 'C', 'D', 'answer', 'category', 'image', 'source', 'l2-category', 'comment', 'split'];
  const IMAGE = tinyPng().toString('base64').padEnd(80, '=');
  function mmbenchRoot(): string {
    const root = newDir();
    const rows = [
      [0, 'What animal is this?', 'nan', 'cat', 'dog', 'cow', 'horse', 'B', 'attribute_recognition', IMAGE, 'src', 'finegrained_perception (instance-level)', 'nan', 'dev'],
      [1000000, 'What animal is this?', 'nan', 'dog', 'cow', 'horse', 'cat', 'A', 'attribute_recognition', '0', 'src', 'finegrained_perception (instance-level)', 'nan', 'dev'],
      [2000000, 'What animal is this?', 'nan', 'cow', 'horse', 'cat', 'dog', 'D', 'attribute_recognition', '0', 'src', 'finegrained_perception (instance-level)', 'nan', 'dev'],
      [3000000, 'What animal is this?', 'nan', 'horse', 'cat', 'dog', 'cow', 'C', 'attribute_recognition', '0', 'src', 'finegrained_perception (instance-level)', 'nan', 'dev'],
      [1, 'Which is "bigger"?', 'Two shapes\tare drawn.\nLook closely.', 'the circle', 'the square', '', '', 'A', 'spatial_relationship', IMAGE, 'src', 'relation_reasoning', 'nan', 'dev'],
      [1000001, 'Which is "bigger"?', 'Two shapes\tare drawn.\nLook closely.', 'the square', 'the circle', '', '', 'B', 'spatial_relationship', '1', 'src', 'relation_reasoning', 'nan', 'dev'],
    ];
    const cell = (v: string | number) => (typeof v === 'string' && /[\t\n"]/.test(v) ? `"${v.replaceAll('"', '""')}"` : String(v));
    put(join(root, 'mmbench_dev_20230712.tsv'), [HEADER, ...rows].map((r) => r.map(cell).join('\t')).join('\n') + '\n');
    return root;
  }

  it('builds LLaVA prompts from the TSV (quoted cells, hint, options up to the first empty one, shared images)', async () => {
    const root = mmbenchRoot();
    const { rows } = readTsv(join(root, 'mmbench_dev_20230712.tsv'));
    expect(rows[4].hint).toBe('Two shapes\tare drawn.\nLook closely.');
    const samples = await collect(new MmBench({ root }));
    expect(samples).toHaveLength(6);
    expect(samples[1].prompt).toBe(`What animal is this?\nA. dog\nB. cow\nC. horse\nD. cat${LETTER}`);
    expect(samples[4].prompt).toBe(`Two shapes\tare drawn.\nLook closely.\nWhich is "bigger"?\nA. the circle\nB. the square${LETTER}`);
    expect(samples[3].image).toEqual({ base64: IMAGE }); // "0": the image of row index 0
    expect(samples[5].meta).toEqual({ category: 'spatial_relationship', l2_category: 'relation_reasoning', split: 'dev', circular_group: 1 });
  });

  it('scores circularly: one wrong rotation fails the question', async () => {
    const root = mmbenchRoot();
    const bench = new MmBench({ root });
    const scores = await bench.score([
      { id: '0', answer: 'B' }, { id: '1000000', answer: 'A. dog' }, { id: '2000000', answer: 'C' }, { id: '3000000', answer: 'C' },
      { id: '1', answer: 'A' }, { id: '1000001', answer: 'The answer is the circle' },
    ]);
    // question 0: rotation 2 says C, the answer is D → wrong; question 1: both passes right (the second by option text)
    expect(scores.rows.map((r) => [r.id, r.parsed, r.score, r.circular_hit])).toEqual([
      ['0', 'B', 1, false], ['1000000', 'A', 1, false], ['2000000', 'C', 0, false], ['3000000', 'C', 1, false], ['1', 'A', 1, true], ['1000001', 'B', 1, true],
    ]);
    expect(scores.metrics.accuracy).toBe(50); // 1 of 2 questions
    expect(scores.metrics.single_pass_accuracy).toBeCloseTo((100 * 5) / 6, 10);
    expect(scores.metrics['accuracy.attribute_recognition']).toBe(0);
    expect(scores.metrics['accuracy.l2.relation_reasoning']).toBe(100);
  });

  it('writes the submission sheet as xlsx: LLaVA\'s columns, prediction seventh', () => {
    const root = mmbenchRoot();
    const out = join(root, 'upload', 'mmbench.xlsx');
    new MmBench({ root }).writeSubmission([{ id: '1', answer: 'A & <B>' }], out);
    const entries = readZip(readFileSync(out));
    expect([...entries.keys()]).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/worksheets/sheet1.xml']);
    const sheet = entries.get('xl/worksheets/sheet1.xml')!;
    const header = [...sheet.split('</row>')[0].matchAll(/<t xml:space="preserve">([^<]*)<\/t>/g)].map((m) => m[1]);
    expect(header).toEqual(['index', 'question', 'A', 'B', 'C', 'D', 'prediction', 'answer', 'split']);
    expect(sheet).toContain('<c r="A6"><v>1</v></c>'); // index is numeric
    expect(sheet).toContain('<c r="G6" t="inlineStr"><is><t xml:space="preserve">A &amp; &lt;B&gt;</t></is></c>');
    expect(sheet).not.toContain('r="G2"'); // unanswered rows have no prediction cell
    expect(sheet).not.toContain('r="E6"'); // the empty option C
  });

  it('names the row and field of a malformed record', async () => {
    const root = newDir();
    put(join(root, 'mmbench_dev_20230712.tsv'), `${HEADER.join('\t')}\n5\tq\tnan\tx\ty\t\t\tC\tc\t${IMAGE}\ts\tl2\tnan\tdev\n`);
    await expect(collect(new MmBench({ root }))).rejects.toThrow('mmbench_dev_20230712.tsv: row 1 (index 5): answer: expected one of the row\'s option letters, got "C"');
  });

  it('names a column the header lacks', async () => {
    const root = newDir();
    const header = HEADER.filter((c) => c !== 'B');
    put(join(root, 'mmbench_dev_20230712.tsv'), `${header.join('\t')}\n${header.map(() => 'x').join('\t')}\n`);
    await expect(collect(new MmBench({ root }))).rejects.toThrow('mmbench_dev_20230712.tsv: header: no "B" column');
  });
});
