import { join } from 'node:path';
import { mean } from './aggregate.ts';
import { type Item, FileBenchmark, pickSplit } from './file-benchmark.ts';
import { Fields, readJsonl, writeJsonl } from './files.ts';
import { type PopeMetrics, type YesNo, parsePopeAnswer, popeMetrics } from './pope-metrics.ts';
import { shortAnswer } from './prompts.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';

export const POPE_SPLITS = ['adversarial', 'popular', 'random'] as const;
export type PopeSplit = (typeof POPE_SPLITS)[number];

export interface PopeOptions extends BenchmarkOptions {
  /** One POPE split, or `all` (default): the three, scored apart and averaged. */
  split?: string;
}

interface PopeItem extends Item {
  category: PopeSplit;
  questionId: number;
  question: string;
  label: YesNo;
}

const labelFile = (root: string, split: PopeSplit) => join(root, `coco_pope_${split}.json`);

/**
 * POPE on COCO val2014 (`output/coco/coco_pope_<split>.json` of the POPE repository, one JSON object per
 * line), read and scored as LLaVA's `eval_pope.py` does. `accuracy` and `f1` are the means over the splits scored.
 */
export class Pope extends FileBenchmark<PopeItem, YesNo> {
  readonly name = 'pope';
  readonly split: PopeSplit | 'all';
  protected readonly source: string;
  private readonly splits: readonly PopeSplit[];
  private readonly imageDir: string;

  constructor(private readonly options: PopeOptions) {
    super();
    this.split = pickSplit(this.name, options.split, [...POPE_SPLITS, 'all'] as const, 'all');
    this.splits = this.split === 'all' ? POPE_SPLITS : [this.split];
    this.source = this.split === 'all' ? options.root : labelFile(options.root, this.split);
    this.imageDir = options.imageDir ?? join(options.root, 'val2014');
  }

  inputs(): BenchmarkInput[] {
    return [...this.splits.map((split) => ({ path: labelFile(this.options.root, split), kind: 'file' as const })), { path: this.imageDir, kind: 'folder' }];
  }

  protected load(): PopeItem[] {
    const imageDir = this.imageDir;
    return this.splits.flatMap((category) => {
      const file = labelFile(this.options.root, category);
      return readJsonl(file).map((raw, i) => {
        const r = new Fields(file, `line ${i + 1}`, raw);
        const questionId = r.integer('question_id');
        const question = r.string('text');
        return {
          id: `${category}/${questionId}`, category, questionId, question,
          image: join(imageDir, r.string('image')),
          prompt: shortAnswer(question),
          meta: { category },
          label: r.choice('label', ['yes', 'no'] as const),
        };
      });
    });
  }

  parse(prediction: Prediction): YesNo {
    return parsePopeAnswer(prediction.answer);
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const scored = this.answered(predictions).map(({ item, prediction }) => ({ item, predicted: this.parse(prediction) }));
    const rows: SampleScore[] = scored.map(({ item, predicted }) => ({
      id: item.id, score: predicted === item.label ? 1 : 0, parsed: predicted, label: item.label, category: item.category,
    }));
    const metrics: Record<string, number> = {};
    const perSplit: PopeMetrics[] = [];
    for (const category of this.splits) {
      const own = scored.filter((s) => s.item.category === category);
      if (own.length === 0) continue;
      const m = popeMetrics(own.map(({ item, predicted }) => ({ predicted, label: item.label })));
      perSplit.push(m);
      Object.assign(metrics, {
        [`${category}.accuracy`]: m.accuracy, [`${category}.precision`]: m.precision, [`${category}.recall`]: m.recall,
        [`${category}.f1`]: m.f1, [`${category}.yes_ratio`]: m.yesRatio,
      });
    }
    metrics.accuracy = mean(perSplit.map((m) => m.accuracy));
    metrics.f1 = mean(perSplit.map((m) => m.f1));
    return this.result(metrics, rows);
  }

  /**
   * The answer files the POPE repository's `evaluate.py` reads: `<outPath>/coco_pope_<split>_answers.jsonl`,
   * `{"question", "answer"}` per line in the order of the label file (unanswered: "").
   */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const answers = new Map(this.answered(predictions).map(({ prediction }) => [prediction.id, prediction.answer]));
    for (const category of this.splits) {
      const items = [...this.items().values()].filter((i) => i.category === category);
      writeJsonl(join(outPath, `coco_pope_${category}_answers.jsonl`), items.map((i) => ({ question_id: i.questionId, question: i.question, answer: answers.get(i.id) ?? '' })));
    }
  }
}
