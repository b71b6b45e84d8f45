import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { judgeEach, noJudgeMessage, resolveJudge } from './judge.ts';
import { type MathVistaGraded, type MathVistaKey, mathvistaCorrect, mathvistaJudgePrompt, mathvistaPrefetch, mathvistaScores } from './mathvista-score.ts';
import { pyStringList } from './py.ts';
import { isPandasNa, readTsv, tsvImage } from './tsv.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';
import { writePredictionSheet } from './xlsx.ts';

export interface MathVistaOptions extends BenchmarkOptions {
  /** The TSV, relative to `root`. Default `MathVista_MINI.tsv` (VLMEvalKit's testmini). */
  file?: string;
}

interface MathVistaItem extends Item {
  question: string;
  key: MathVistaKey;
  task: string;
  skills: string[];
  row: Record<string, string>;
}

/** The judge's reply is at most 128 tokens (`build_judge(max_tokens=128)`). */
const JUDGE_MAX_TOKENS = 128;
const REQUIRED = ['index', 'image', 'question', 'answer', 'question_type', 'answer_type', 'task', 'skills'];

/**
 * MathVista testmini as VLMEvalKit evaluates it (`MathVista_MINI.tsv`: base64 images, the question with its
 * hint and choices): the question as the prompt; the answer read by VLMEvalKit's rules (`post_check`
 * pre-extraction), else extracted by a judge with VLMEvalKit's few-shot prompt; accuracy overall, per task,
 * skill and question type (`MathVista_acc`).
 */
export class MathVista extends FileBenchmark<MathVistaItem, string> {
  readonly name = 'mathvista';
  readonly split = 'testmini';
  protected readonly source: string;
  private header: string[] = [];

  constructor(private readonly options: MathVistaOptions) {
    super();
    this.source = join(options.root, options.file ?? 'MathVista_MINI.tsv');
  }

  /** The images are inside the TSV. */
  inputs(): BenchmarkInput[] {
    return [{ path: this.source, kind: 'file' }];
  }

  protected load(): MathVistaItem[] {
    const { header, rows } = readTsv(this.source, REQUIRED);
    this.header = header;
    const images = new Map(rows.map((r) => [r.index, r.image]));
    return rows.map((row, i) => {
      const where = `row ${i + 1} (index ${row.index})`;
      const fail = (field: string, expected: string): never => {
        throw new DymuError(`expected ${expected}, got ${JSON.stringify(row[field])}`, { file: this.source, field: `${where}: ${field}` });
      };
      let choices: Record<string, string> = {};
      let answerOption: string | undefined;
      if (row.question_type === 'multi_choice') {
        const list = pyStringList(row.choices ?? '') ?? fail('choices', 'a Python list of options');
        choices = Object.fromEntries(list.map((c, k) => [String.fromCharCode(65 + k), c]));
        answerOption = row.answer_option;
        if (!(answerOption in choices)) fail('answer_option', `one of the letters ${Object.keys(choices).join(', ')}`);
      } else if (row.question_type !== 'free_form') fail('question_type', '"multi_choice" or "free_form"');
      if (isPandasNa(row.answer)) fail('answer', 'an answer');
      const skills = pyStringList(row.skills) ?? [row.skills];
      return {
        id: row.index, question: row.question, task: row.task, skills, row,
        key: { questionType: row.question_type, answerType: row.answer_type, answer: row.answer, answerOption, choices },
        image: { base64: tsvImage(row.image, images, this.source, where) },
        prompt: row.question,
        meta: { task: row.task, skills: skills.join(','), question_type: row.question_type, answer_type: row.answer_type },
      };
    });
  }

  /** The answer VLMEvalKit's rules read without a judge ('' when the judge must extract it). */
  parse(prediction: Prediction): string {
    const item = this.itemOf(prediction);
    return mathvistaPrefetch(item.key, prediction.answer) ?? '';
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const answered = this.answered(predictions).map((a) => ({ ...a, prefetched: mathvistaPrefetch(a.item.key, a.prediction.answer) }));
    const unread = answered.filter((a) => a.prefetched === undefined);
    const judge = resolveJudge(this.options.judge);
    if (judge === undefined && unread.length > 0) return this.skipped(`${noJudgeMessage('MathVista')} (the rules read ${answered.length - unread.length} of ${answered.length} answers)`);
    const judged = judge !== undefined && unread.length > 0
      ? await judgeEach(judge, 'mathvista: extracting answers', unread, ({ item, prediction }) => judge.complete({ messages: [{ role: 'user', content: mathvistaJudgePrompt(item.question, prediction.answer) }], temperature: 0, maxTokens: JUDGE_MAX_TOKENS }))
      : [];
    const extractedById = new Map(unread.map(({ item }, k) => [item.id, judged[k]]));
    const rows: SampleScore[] = [];
    const graded: MathVistaGraded[] = [];
    for (const { item, prefetched } of answered) {
      const extracted = prefetched ?? extractedById.get(item.id)!;
      const hit = mathvistaCorrect(item.key, extracted);
      rows.push({ id: item.id, score: hit ? 1 : 0, parsed: extracted, prefetched: prefetched !== undefined, ...item.meta });
      graded.push({ task: item.task, skills: item.skills, questionType: item.key.questionType, prefetched: prefetched !== undefined, hit });
    }
    return this.result(mathvistaScores(graded), rows);
  }

  /** VLMEvalKit's evaluation input: the TSV's columns without the image, plus `prediction` (the raw answer), as .xlsx. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const answers = new Map(this.answered(predictions).map(({ prediction }) => [prediction.id, prediction.answer]));
    writePredictionSheet(outPath, this.header.filter((c) => c !== 'image'), [...this.items().values()], answers);
  }
}
