import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MathVista, mathvistaCorrect, mathvistaJudgePrompt, mathvistaPrefetch } from '../src/index.ts';
import { pyStringList } from '../src/py.ts';
import { collect, fixtureDirs, readZip, scriptedJudge } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures/mathvista');
const newDir = fixtureDirs('mathvista');

/** The model's answers to the eight questions of test/fixtures/mathvista/MathVista_MINI.tsv. */
const PREDICTIONS = [
  { id: '1', answer: 'The correct answer is (B) 8/11.' }, // rules: the one letter B among the words → right
  { id: '2', answer: ' 14\n' }, // rules: int(" 14\n") = 14 → right
  { id: '3', answer: '1.50' }, // rules: float("1.50") == float("1.5") → right
  { id: '4', answer: '[2007, 2008]' }, // list answer: the rules never read it → judge "[2007, 2008]" → still wrong (str(None) quirk)
  { id: '5', answer: '0' }, // right, but 0 is falsy in Python → judge "0" → right, not prefetched
  { id: '6', answer: 'No, it is not.' }, // no letter among the words; the option text "No" occurs → B → right
  { id: '7', answer: 'About 0.62 of them.' }, // rules fail → judge "0.62" ≠ 0.6 (no rounding to the precision) → wrong
  { id: '8', answer: 'There are three.' }, // neither a letter nor an option text → judge "B" → right
];
const JUDGE_REPLIES = ['[2007, 2008]', '0', '0.62', 'B'];

describe('MathVista (VLMEvalKit MathVista_MINI.tsv)', () => {
  it('reads the TSV: base64 images (also by reference to another row), the question with its hint as the prompt', async () => {
    const bench = new MathVista({ root: FIXTURES });
    const samples = await collect(bench);
    expect(samples.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(samples[7].image).toEqual(samples[0].image);
    expect(samples[0].prompt).toBe('Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.\nQuestion: What fraction of the shape is blue?\nChoices:\n(A) 3/11\n(B) 8/11\n(C) 6/11\n(D) 3/5');
    expect(samples[1].meta).toEqual({ task: 'figure question answering', skills: 'logical reasoning,arithmetic reasoning', question_type: 'free_form', answer_type: 'integer' });
  });

  it('pre-extracts as post_check(prefetch=True), asks the judge for the rest, scores as MathVista_acc', async () => {
    const judge = scriptedJudge([...JUDGE_REPLIES]);
    const bench = new MathVista({ root: FIXTURES, judge });
    expect(PREDICTIONS.map((p) => bench.parse(p))).toEqual(['B', '14', '1.5', '', '', 'B', '', '']);
    const scores = await bench.score(PREDICTIONS);
    // judged in file order: 4, 5, 7, 8, with VLMEvalKit's prompt, at most 128 tokens, temperature 0
    const questions = new Map((await collect(bench)).map((s) => [s.id, s.prompt])); // the prompt is the TSV's question
    expect(judge.seen.map((r) => r.messages[0].content)).toEqual(['4', '5', '7', '8'].map((id) => mathvistaJudgePrompt(questions.get(id)!, PREDICTIONS[Number(id) - 1].answer)));
    expect(judge.seen.every((r) => r.temperature === 0 && r.maxTokens === 128 && r.messages.length === 1 && r.messages[0].role === 'user')).toBe(true);
    expect(scores.rows.map((r) => [r.id, r.score, r.parsed, r.prefetched])).toEqual([
      ['1', 1, 'B', true], ['2', 1, '14', true], ['3', 1, '1.5', true], ['4', 0, '[2007, 2008]', false],
      ['5', 1, '0', false], ['6', 1, 'B', true], ['7', 0, '0.62', false], ['8', 1, 'B', false],
    ]);
    // right: 1 2 3 5 6 8 → 6 / 8; prefetched: 1 2 3 6 → 4 / 8
    expect(scores.metrics).toMatchObject({ accuracy: 75, prefetch_rate: 50, count: 8 });
    // tasks: math word problem {1 ✓, 5 ✓}, figure QA {2 ✓, 4 ✗, 7 ✗}, textbook QA {3 ✓}, visual QA {6 ✓, 8 ✓}
    expect(scores.metrics['accuracy.task.math word problem']).toBe(100);
    expect(scores.metrics['accuracy.task.figure question answering']).toBeCloseTo(100 / 3, 10);
    expect(scores.metrics['accuracy.task.textbook question answering']).toBe(100);
    expect(scores.metrics['accuracy.task.visual question answering']).toBe(100);
    // skills: arithmetic {1 ✓, 2 ✓, 5 ✓, 7 ✗} = 75; statistical {4 ✗, 7 ✗} = 0; logical {2 ✓}; scientific {3 ✓}; numeric commonsense {6 ✓, 8 ✓}
    expect(scores.metrics['accuracy.skill.arithmetic reasoning']).toBe(75);
    expect(scores.metrics['accuracy.skill.statistical reasoning']).toBe(0);
    expect(scores.metrics['accuracy.skill.logical reasoning']).toBe(100);
    expect(scores.metrics['accuracy.skill.numeric commonsense']).toBe(100);
    // question types: multi_choice {1, 6, 8} all right; free_form {2 ✓, 3 ✓, 4 ✗, 5 ✓, 7 ✗} = 60
    expect(scores.metrics['accuracy.question_type.multi_choice']).toBe(100);
    expect(scores.metrics['accuracy.question_type.free_form']).toBe(60);
  });

  it('without a judge, scores only when the rules read every answer', async () => {
    const bench = new MathVista({ root: FIXTURES });
    expect((await bench.score(PREDICTIONS.slice(0, 3))).metrics).toMatchObject({ accuracy: 100, count: 3 });
    const skipped = await bench.score(PREDICTIONS);
    expect(skipped.skipped).toContain('the rules read 4 of 8 answers');
    expect(skipped.rows).toEqual([]);
  });

  it('reads answers as VLMEvalKit post_check: exact floats, Python int(), letters or option text, refusals', () => {
    const float = { questionType: 'free_form', answerType: 'float', answer: '1.45', choices: {} };
    expect(mathvistaCorrect(float, '1.450')).toBe(true);
    expect(mathvistaCorrect(float, '1.4500001')).toBe(false);
    expect(mathvistaCorrect(float, '$1.45')).toBe(false);
    const int = { questionType: 'free_form', answerType: 'integer', answer: '1000', choices: {} };
    expect(mathvistaCorrect(int, '1_000')).toBe(true);
    expect(mathvistaCorrect(int, '1000.0')).toBe(false);
    const choice = { questionType: 'multi_choice', answerType: 'text', answer: '8/11', answerOption: 'B', choices: { A: '3/11', B: '8/11', C: '6/11', D: '3/5' } };
    expect(mathvistaPrefetch(choice, 'B or C')).toBeUndefined();
    expect(mathvistaPrefetch(choice, 'It is 8/11')).toBe('B');
    expect(mathvistaPrefetch(choice, 'Cannot determine the answer')).toBe('Z'); // a refusal is read (and is wrong)
    expect(mathvistaCorrect(choice, 'Z')).toBe(false);
    expect(mathvistaPrefetch({ questionType: 'free_form', answerType: 'float', answer: '0.0', choices: {} }, '0')).toBeUndefined(); // right but falsy
  });

  it('builds the judge prompt as build_mathvista_gpt4_prompt, typo and all', () => {
    const prompt = mathvistaJudgePrompt('Question: Q?', 'It is 3.');
    expect(prompt.startsWith('\nPlease read the following example.\nThen extract the answer from the model response and type it at the end of the prompt.\n\n\nHint: Please answer the question requiring an integer answer')).toBe(true);
    expect(prompt).toContain('e.g., 1, 2, 3, at the end.\n\nQuestion: Which number is missing?\n\nModel response: The number missing in the sequence is 14.\n\nExtracted answer: 14\n\n\n');
    expect(prompt).toContain('Choices: (A) 3/11 (B) 8/11 (C) 6/11 (D) 3/5\n\nModel response: The correct answer is (B) 8/11.\n\nExtracted answer: B\n\n');
    expect(prompt.endsWith('Extracted answer: B\n\nQuestion: Q?\nModel respone: It is 3.Extracted answer:')).toBe(true);
  });

  it('parses Python list literals as eval does', () => {
    expect(pyStringList("['3/11', '8/11']")).toEqual(['3/11', '8/11']);
    expect(pyStringList(`["it's", 'a \\'b\\'']`)).toEqual(["it's", "a 'b'"]);
    expect(pyStringList('[1, 2.5]')).toEqual(['1', '2.5']);
    expect(pyStringList('[]')).toEqual([]);
    expect(pyStringList("['a' 'b']")).toBeUndefined();
    expect(pyStringList('statistical reasoning')).toBeUndefined();
  });

  it('names the file, row and field of a bad record', async () => {
    const bench = new MathVista({ root: FIXTURES, file: 'bad-option.tsv' });
    await expect(collect(bench)).rejects.toThrow(/bad-option\.tsv.*row 1 \(index 1\): answer_option: expected one of the letters A, B, got "E"/);
    const dir = newDir();
    await expect(collect(new MathVista({ root: dir }))).rejects.toThrow(/MathVista_MINI\.tsv.*cannot read/);
  });

  it('refuses a prediction for an id the file lacks, naming the prediction when scoring', async () => {
    const bench = new MathVista({ root: FIXTURES });
    expect(() => bench.parse({ id: '99', answer: 'A' })).toThrow(/MathVista_MINI\.tsv: no sample "99" in this benchmark/);
    await expect(bench.score([PREDICTIONS[0], { id: '99', answer: 'A' }])).rejects.toThrow(/MathVista_MINI\.tsv: predictions\[1\]\.id: no sample "99"/);
  });
});

describe('MathVista submission', () => {
  it("writes VLMEvalKit's evaluation sheet: the TSV's columns but the image, the raw answer as prediction", () => {
    const out = join(newDir(), 'MathVista_MINI.xlsx');
    new MathVista({ root: FIXTURES }).writeSubmission([PREDICTIONS[1]], out);
    const sheet = readZip(readFileSync(out)).get('xl/worksheets/sheet1.xml')!;
    const texts = (row: string) => [...row.matchAll(/<t xml:space="preserve">([^<]*)<\/t>/g)].map((m) => m[1]);
    const [header, row] = sheet.split('</row>');
    expect(texts(header)).toEqual(['index', 'question', 'answer', 'choices', 'precision', 'unit', 'question_type', 'answer_type', 'task', 'grade', 'skills', 'answer_option', 'prediction']);
    expect(texts(row)[0]).toBe('2');
    expect(texts(row).at(-1)).toBe(' 14\n');
    expect(sheet.split('</row>')).toHaveLength(3); // header, the one answered row, the rest
  });
});
