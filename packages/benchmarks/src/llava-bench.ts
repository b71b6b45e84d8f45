import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { Fields, readJsonl, writeJsonl } from './files.ts';
import { judgeEach, noJudgeMessage, resolveJudge } from './judge.ts';
import { LLAVA_BENCH_CATEGORIES, REVIEW_MAX_TOKENS, REVIEW_SYSTEM, REVIEW_TEMPERATURE, parseReviewScores, relativeScores, reviewContent } from './llava-bench-review.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';

interface LlavaBenchItem extends Item {
  questionId: number;
  question: string;
  category: (typeof LLAVA_BENCH_CATEGORIES)[number];
  context: string;
  reference: string;
}

/**
 * LLaVA-Bench (in-the-wild) (`liuhaotian/llava-bench-in-the-wild`: questions.jsonl, context.jsonl,
 * answers_gpt4.jsonl, images/): the question as the prompt; a judge reviews the GPT-4 reference (Assistant 1)
 * against the model (Assistant 2) as LLaVA's `eval_gpt_review_bench.py`, and the score is
 * 100 · mean model score / mean reference score, overall and per category (conv, detail, complex).
 */
export class LlavaBench extends FileBenchmark<LlavaBenchItem, string> {
  readonly name = 'llava_bench_wild';
  readonly split = 'test';
  protected readonly source: string;

  private readonly contextFile: string;
  private readonly answersFile: string;
  private readonly imageDir: string;

  constructor(private readonly options: BenchmarkOptions) {
    super();
    this.source = join(options.root, 'questions.jsonl');
    this.contextFile = join(options.root, 'context.jsonl');
    this.answersFile = join(options.root, 'answers_gpt4.jsonl');
    this.imageDir = options.imageDir ?? join(options.root, 'images');
  }

  inputs(): BenchmarkInput[] {
    const files = [this.source, this.contextFile, this.answersFile].map((path): BenchmarkInput => ({ path, kind: 'file' }));
    return [...files, { path: this.imageDir, kind: 'folder' }];
  }

  protected load(): LlavaBenchItem[] {
    const contextFile = this.contextFile;
    const contexts = new Map(readJsonl(contextFile).map((raw, i) => {
      const c = new Fields(contextFile, `line ${i + 1}`, raw);
      // The file's captions are strings; LLaVA's script joins a list of captions with newlines.
      const caption = Array.isArray(c.value.caption) ? c.strings('caption').join('\n') : c.string('caption');
      return [c.string('image'), caption];
    }));
    const answersFile = this.answersFile;
    const references = new Map(readJsonl(answersFile).map((raw, i) => {
      const a = new Fields(answersFile, `line ${i + 1}`, raw);
      return [a.integer('question_id'), a.string('text')];
    }));
    const imageDir = this.imageDir;
    return readJsonl(this.source).map((raw, i) => {
      const q = new Fields(this.source, `line ${i + 1}`, raw);
      const questionId = q.integer('question_id');
      const image = q.string('image');
      const context = contexts.get(image) ?? q.fail('image', `an image described in ${contextFile}`, image);
      const reference = references.get(questionId);
      if (reference === undefined) throw new DymuError(`no reference answer for question_id ${questionId}`, { file: answersFile });
      const question = q.string('text');
      const category = q.choice('category', LLAVA_BENCH_CATEGORIES);
      return { id: String(questionId), questionId, question, category, context, reference, image: join(imageDir, image), prompt: question, meta: { category } };
    });
  }

  parse(prediction: Prediction): string {
    return prediction.answer;
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const judge = resolveJudge(this.options.judge);
    if (judge === undefined) return this.skipped(noJudgeMessage('LLaVA-Bench'));
    const answered = this.answered(predictions);
    const texts = await judgeEach(judge, 'llava_bench_wild: reviewing', answered, ({ item, prediction }) => judge.complete({
      messages: [{ role: 'system', content: REVIEW_SYSTEM }, { role: 'user', content: reviewContent(item.context, item.question, item.reference, prediction.answer) }],
      temperature: REVIEW_TEMPERATURE,
      maxTokens: REVIEW_MAX_TOKENS,
    }));
    const reviews = answered.map(({ item }, k) => ({ category: item.category, scores: parseReviewScores(texts[k]) }));
    const rows = answered.map(({ item, prediction }, k): SampleScore => {
      const [reference, answer] = reviews[k].scores;
      return { id: item.id, score: answer, parsed: prediction.answer, reference_score: reference, category: item.category, review: texts[k] };
    });
    return this.result({ ...relativeScores(reviews), review_failures: reviews.filter((r) => r.scores[0] === -1).length }, rows);
  }

  /** LLaVA's answers file, which `eval_gpt_review_bench.py` reviews: `{"question_id", "prompt", "text"}` per line. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    writeJsonl(outPath, this.answered(predictions).map(({ item, prediction }) => ({ question_id: item.questionId, prompt: item.question, text: prediction.answer })));
  }
}
