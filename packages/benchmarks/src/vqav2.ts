import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { percent, percentBy } from './aggregate.ts';
import { type Item, FileBenchmark, pickSplit } from './file-benchmark.ts';
import { Fields, readJson, writeJson } from './files.ts';
import { shortAnswer } from './prompts.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';
import { vqaEvalAccuracy } from './vqa-accuracy.ts';
import { evalAiAnswer } from './vqa-normalize.ts';

export const VQAV2_SPLITS = ['val2014', 'train2014', 'test-dev2015', 'test2015'] as const;
export type VqaV2Split = (typeof VQAV2_SPLITS)[number];

export interface VqaV2Options extends BenchmarkOptions {
  /** One of VQAV2_SPLITS; default val2014. */
  split?: string;
  /**
   * The split whose questions the submission lists (unanswered ones with ''). LLaVA predicts test-dev2015
   * and submits the whole test2015 list. Default: `split`.
   */
  submissionSplit?: string;
}

interface VqaItem extends Item {
  questionId: number;
  truth?: { answers: string[]; answerType: string; questionType: string };
}

const questionsFile = (root: string, split: string) => join(root, `v2_OpenEnded_mscoco_${split}_questions.json`);
const annotationsFile = (root: string, split: string) => join(root, `v2_mscoco_${split}_annotations.json`);
/** test-dev2015 is a subset of the test2015 images. */
const imageFolder = (split: VqaV2Split) => (split === 'test-dev2015' ? 'test2015' : split);

/** The questions of a VQAv2 questions file: question_id, image_id, question. */
function readQuestions(file: string): { questionId: number; imageId: number; question: string }[] {
  return new Fields(file, '', readJson(file)).records('questions').map((q) => ({
    questionId: q.integer('question_id'), imageId: q.integer('image_id'), question: q.string('question'),
  }));
}

/**
 * VQAv2 (val2014 scored here with `vqaEval.py`'s rules; test-dev2015 / test2015 go to the EvalAI server).
 * Answers are read as LLaVA submits them, through EvalAIAnswerProcessor, then scored as the server scores.
 */
export class VqaV2 extends FileBenchmark<VqaItem, string> {
  readonly name = 'vqav2';
  readonly split: VqaV2Split;
  protected readonly source: string;
  private readonly imageDir: string;

  constructor(private readonly options: VqaV2Options) {
    super();
    this.split = pickSplit(this.name, options.split, VQAV2_SPLITS, 'val2014');
    this.source = questionsFile(options.root, this.split);
    this.imageDir = options.imageDir ?? join(options.root, imageFolder(this.split));
  }

  /** The annotations when the split has them (the test splits are scored by the server). */
  inputs(): BenchmarkInput[] {
    const scored = !this.split.startsWith('test');
    return [{ path: this.source, kind: 'file' }, ...(scored ? [{ path: annotationsFile(this.options.root, this.split), kind: 'file' as const }] : []), { path: this.imageDir, kind: 'folder' }];
  }

  protected load(): VqaItem[] {
    const annFile = annotationsFile(this.options.root, this.split);
    const truths = existsSync(annFile) ? readAnnotations(annFile) : new Map<number, VqaItem['truth']>();
    const folder = imageFolder(this.split);
    const imageDir = this.imageDir;
    return readQuestions(this.source).map(({ questionId, imageId, question }) => {
      const truth = truths.get(questionId);
      return {
        id: String(questionId),
        questionId,
        image: join(imageDir, `COCO_${folder}_${String(imageId).padStart(12, '0')}.jpg`),
        prompt: shortAnswer(question),
        meta: { answer_type: truth?.answerType ?? null, question_type: truth?.questionType ?? null },
        truth,
      };
    });
  }

  parse(prediction: Prediction): string {
    return evalAiAnswer(prediction.answer);
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const rows: SampleScore[] = this.answered(predictions).map(({ item, prediction }) => {
      if (item.truth === undefined) {
        const file = annotationsFile(this.options.root, this.split);
        throw new DymuError(`no annotation for question ${item.id}; test splits are scored by the EvalAI server (use writeSubmission)`, { file });
      }
      const parsed = this.parse(prediction);
      return { id: item.id, score: vqaEvalAccuracy(parsed, item.truth.answers), parsed, ...item.meta };
    });
    return this.result({ accuracy: percent(rows.map((r) => r.score)), ...percentBy(rows, 'accuracy.', (r) => String(r.answer_type), (r) => r.score) }, rows);
  }

  /** EvalAI's results format: `[{"question_id": int, "answer": str}]` for every question of `submissionSplit`. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const parsed = this.parsedById(predictions);
    const split = pickSplit(this.name, this.options.submissionSplit, VQAV2_SPLITS, this.split);
    const questions = split === this.split ? [...this.items().values()] : readQuestions(questionsFile(this.options.root, split));
    writeJson(outPath, questions.map(({ questionId }) => ({ question_id: questionId, answer: parsed.get(String(questionId)) ?? '' })));
  }
}

function readAnnotations(file: string): Map<number, VqaItem['truth']> {
  return new Map(new Fields(file, '', readJson(file)).records('annotations').map((a) => [
    a.integer('question_id'),
    { answers: a.records('answers').map((x) => x.string('answer')), answerType: a.string('answer_type'), questionType: a.string('question_type') },
  ]));
}
