import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { percent } from './aggregate.ts';
import { type Item, FileBenchmark, pickSplit } from './file-benchmark.ts';
import { Fields, readJson, writeJson } from './files.ts';
import { shortAnswer } from './prompts.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';
import { textVqaAccuracy } from './vqa-accuracy.ts';
import { evalAiAnswer } from './vqa-normalize.ts';

export interface TextVqaOptions extends BenchmarkOptions {
  /** `val` (default, scored here) or `test` (EvalAI). */
  split?: string;
  /** Put the Rosetta OCR tokens in the prompt as LLaVA-1.5 does ("Reference OCR token: …"). Default true. */
  ocr?: boolean;
}

interface TextVqaItem extends Item {
  questionId: number;
  answers?: string[];
}

/**
 * TextVQA v0.5.1, scored as LLaVA's `eval_textvqa.py` scores it (m4c TextVQAAccuracyEvaluator). The prompt
 * is LLaVA-1.5's `llava_textvqa_val_v051_ocr.jsonl` form: question, the image's OCR tokens joined by ", "
 * (the line is left out when there are none), the short-answer instruction.
 */
export class TextVqa extends FileBenchmark<TextVqaItem, string> {
  readonly name = 'textvqa';
  readonly split: 'val' | 'test';
  protected readonly source: string;
  /** The Rosetta OCR tokens (undefined with `ocr: false`). */
  private readonly ocrFile: string | undefined;
  private readonly imageDir: string;

  constructor(options: TextVqaOptions) {
    super();
    this.split = pickSplit(this.name, options.split, ['val', 'test'] as const, 'val');
    this.source = join(options.root, `TextVQA_0.5.1_${this.split}.json`);
    this.ocrFile = options.ocr === false ? undefined : join(options.root, `TextVQA_Rosetta_OCR_v0.2_${this.split}.json`);
    this.imageDir = options.imageDir ?? join(options.root, this.split === 'test' ? 'test_images' : 'train_images');
  }

  inputs(): BenchmarkInput[] {
    const files = [this.source, ...(this.ocrFile === undefined ? [] : [this.ocrFile])].map((path): BenchmarkInput => ({ path, kind: 'file' }));
    return [...files, { path: this.imageDir, kind: 'folder' }];
  }

  protected load(): TextVqaItem[] {
    const ocr = this.ocrFile === undefined ? undefined : readOcr(this.ocrFile);
    const imageDir = this.imageDir;
    return new Fields(this.source, '', readJson(this.source)).records('data').map((q) => {
      const imageId = q.string('image_id');
      const tokens = ocr?.get(imageId) ?? [];
      const question = tokens.length > 0 ? `${q.string('question')}\nReference OCR token: ${tokens.join(', ')}` : q.string('question');
      const questionId = q.integer('question_id');
      return {
        id: String(questionId),
        questionId,
        image: join(imageDir, `${imageId}.jpg`),
        prompt: shortAnswer(question),
        meta: {},
        answers: q.has('answers') ? tenAnswers(q) : undefined,
      };
    });
  }

  parse(prediction: Prediction): string {
    return evalAiAnswer(prediction.answer);
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const rows: SampleScore[] = this.answered(predictions).map(({ item, prediction }) => {
      if (item.answers === undefined) {
        throw new DymuError(`question ${item.id} has no answers; the test split is scored by the EvalAI server (use writeSubmission)`, { file: this.source });
      }
      return { id: item.id, score: textVqaAccuracy(prediction.answer, item.answers), parsed: this.parse(prediction) };
    });
    return this.result({ accuracy: percent(rows.map((r) => r.score)) }, rows);
  }

  /** EvalAI's TextVQA results format: `[{"question_id": int, "answer": str}]`, every question of the split. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const parsed = this.parsedById(predictions);
    writeJson(outPath, [...this.items().values()].map(({ id, questionId }) => ({ question_id: questionId, answer: parsed.get(id) ?? '' })));
  }
}

/** m4c's evaluator asserts exactly 10 annotator answers. */
function tenAnswers(q: Fields): string[] {
  const answers = q.strings('answers');
  return answers.length === 10 ? answers : q.fail('answers', '10 annotator answers', answers);
}

/** Rosetta OCR tokens per image (`TextVQA_Rosetta_OCR_v0.2_<split>.json`, `data[].image_id / ocr_tokens`). */
function readOcr(file: string): Map<string, string[]> {
  if (!existsSync(file)) {
    throw new DymuError('not found: LLaVA-1.5 puts these OCR tokens in the TextVQA prompt (set `ocr: false` to leave them out)', { file });
  }
  return new Map(new Fields(file, '', readJson(file)).records('data').map((d) => [d.string('image_id'), d.strings('ocr_tokens')]));
}
